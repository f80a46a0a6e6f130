"""Bearer-token auth: 401 without a valid token, 403 when its scope is not enough."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import bindparam, select

from smokejumper.server.state import state
from smokejumper.store.tables import ApiToken
from smokejumper.store.tokens import digest, grants

_SCOPE = select(ApiToken.scope).where(
    ApiToken.token_hash == bindparam("hash"), ApiToken.revoked_at.is_(None)
)


def require(needed: str) -> Callable[..., Awaitable[str]]:
    """A dependency that admits tokens whose scope grants ``needed``; returns the scope.

    It runs before the request body is read; the store is asked on one worker thread, on a
    connection of its own that goes back to the pool before the route runs.
    """

    async def check(request: Request) -> str:
        header = request.headers.get("authorization", "")
        kind, _, token = header.partition(" ")
        if kind.lower() != "bearer" or not token:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "missing token: send 'Authorization: Bearer <token>' "
                "(create one with 'smokejumper token create')",
                headers={"WWW-Authenticate": "Bearer"},
            )
        engine = state(request).engine
        hashed = digest(token.strip())

        def lookup() -> str | None:
            with engine.connect() as connection:
                found: str | None = connection.execute(_SCOPE, {"hash": hashed}).scalar()
                return found

        scope = await run_in_threadpool(lookup)
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
