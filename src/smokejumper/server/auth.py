"""Bearer-token auth: 401 without a valid token, 403 when its scope is not enough."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool

from smokejumper.server.state import state
from smokejumper.service.tokens import token_scope
from smokejumper.store.tokens import grants


def require(needed: str, *alternatives: str) -> Callable[..., Awaitable[str]]:
    """A dependency that admits tokens whose scope grants ``needed`` (or one of
    ``alternatives``); returns the scope.

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
        scope = await run_in_threadpool(token_scope, state(request).engine, token)
        if scope is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "invalid or revoked token",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not any(grants(scope, n) for n in (needed, *alternatives)):
            wanted = " or ".join(repr(n) for n in (needed, *alternatives))
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"a {scope!r} token cannot do this; it needs {wanted}"
            )
        return scope

    return check
