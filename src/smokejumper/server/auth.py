"""Bearer-token auth: 401 without a valid token, 403 when its scope is not enough."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.orm import Session

from smokejumper.server.state import session
from smokejumper.store.tokens import grants, scope_of


def require(needed: str) -> Callable[..., str]:
    """A dependency that admits tokens whose scope grants ``needed``; returns the scope."""

    def check(request: Request, db: Annotated[Session, Depends(session)]) -> str:
        header = request.headers.get("authorization", "")
        kind, _, token = header.partition(" ")
        if kind.lower() != "bearer" or not token:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "missing token: send 'Authorization: Bearer <token>' "
                "(create one with 'smokejumper token create')",
                headers={"WWW-Authenticate": "Bearer"},
            )
        scope = scope_of(db, token.strip())
        if scope is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "invalid or revoked token",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not grants(scope, needed):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"a {scope!r} token cannot do this; it needs {needed!r}"
            )
        return scope

    return check
