"""Models and their reference profiles for the ingest path, parsed once and checked each time.

Reading a model's reference means loading its blob and parsing it (milliseconds for a reference
of 20 columns), on every batch logged. This cache asks the store, in the same query that finds
the model, only for the reference's ``created_at``, ``rows`` and ``source`` (replacing a
reference sets a new ``created_at``), and parses the blob again only when they differ from what
it holds. Every server process has its own cache and each checks the store on every request, so
a reference set through any of them is used at once.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from smokejumper.errors import UnknownModelError
from smokejumper.monitoring.schema import ModelSchema
from smokejumper.stats import serialize
from smokejumper.stats.dataset import DatasetProfile
from smokejumper.store.tables import Model, Reference

_MODEL = Model.__table__
_STAMP = (
    Reference.created_at.label("reference_created_at"),
    Reference.rows.label("reference_rows"),
    Reference.source.label("reference_source"),
)
_MODEL_AND_STAMP = (
    select(_MODEL, *_STAMP)
    .outerjoin(Reference, Reference.model_id == _MODEL.c.id)
    .where(_MODEL.c.name == bindparam("name"))
)


class ReferenceCache:
    """Parsed schemas and reference profiles by model id, with the stamp they were read at."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._references: dict[int, tuple[tuple[Any, ...], DatasetProfile]] = {}
        self._schemas: dict[int, tuple[str, ModelSchema]] = {}

    def model(
        self, session: Session, name: str
    ) -> tuple[Model, ModelSchema, DatasetProfile | None]:
        """The model called ``name`` (or :class:`UnknownModelError`), its schema and reference."""
        row = session.connection().execute(_MODEL_AND_STAMP, {"name": name}).first()
        if row is None:
            raise UnknownModelError(f"no model named {name!r} is registered")
        model = Model(
            id=row.id,
            name=row.name,
            schema_json=row.schema_json,
            window_seconds=row.window_seconds,
            created_at=row.created_at,
        )
        stamp = None
        if row.reference_created_at is not None:
            stamp = (row.reference_created_at, row.reference_rows, row.reference_source)
        return model, self.schema(model), self._reference(session, model.id, stamp)

    def schema(self, model: Model) -> ModelSchema:
        """The model's parsed schema."""
        with self._lock:
            held = self._schemas.get(model.id)
        if held is not None and held[0] == model.schema_json:
            return held[1]
        schema = ModelSchema.model_validate_json(model.schema_json)
        with self._lock:
            self._schemas[model.id] = (model.schema_json, schema)
        return schema

    def get(self, session: Session, model: Model) -> DatasetProfile | None:
        """The model's reference profile as the store holds it now, or ``None``."""
        row = session.execute(select(*_STAMP).where(Reference.model_id == model.id)).first()
        return self._reference(session, model.id, tuple(row) if row is not None else None)

    def _reference(
        self, session: Session, model_id: int, stamp: tuple[Any, ...] | None
    ) -> DatasetProfile | None:
        if stamp is None:
            with self._lock:
                self._references.pop(model_id, None)
            return None
        with self._lock:
            held = self._references.get(model_id)
        if held is not None and held[0] == stamp:
            return held[1]
        fresh = session.execute(
            select(*_STAMP, Reference.profile).where(Reference.model_id == model_id)
        ).first()
        if fresh is None:  # removed meanwhile
            return None
        *now, blob = fresh
        profile = serialize.loads(blob)[0]
        with self._lock:
            self._references[model_id] = (tuple(now), profile)
        return profile
