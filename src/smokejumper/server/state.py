"""What every request shares: settings, the store's sessions and the raw log."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from smokejumper.settings import Settings
from smokejumper.store.rawlog import RawLog


@dataclass(frozen=True)
class AppState:
    """Long-lived objects of one server process."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    raw_log: RawLog


def state(request: Request) -> AppState:
    """The app's state (FastAPI dependency)."""
    found: AppState = request.app.state.smokejumper
    return found


def session(request: Request) -> Iterator[Session]:
    """A store session per request (FastAPI dependency)."""
    with state(request).sessions() as s:
        yield s
