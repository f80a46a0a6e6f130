"""Alembic environment: migrations run on the engine the caller passes in."""

from __future__ import annotations

from alembic import context

from smokejumper.store.search import declared_by_hand
from smokejumper.store.tables import Base

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        # search's FTS5 table and expression index are made by hand in migration 0011
        include_name=lambda name, *_: not declared_by_hand(name),
    )
    context.run_migrations()
