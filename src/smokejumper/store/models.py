"""Repository of registered models and their references. Nothing here commits: the caller's
unit of work does (see :func:`smokejumper.store.database.unit_of_work`)."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from smokejumper.errors import InputError, ModelExistsError, UnknownModelError
from smokejumper.monitoring.schema import ModelSchema
from smokejumper.stats import serialize
from smokejumper.stats.dataset import DatasetProfile
from smokejumper.store.tables import Model, Reference, ReferencePhase

#: What a model name may be; matched whole (``fullmatch``: ``$`` would let a newline end it).
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
DEFAULT_WINDOW_SECONDS = 3600


def register_model(
    session: Session, name: str, schema: ModelSchema, window_seconds: int = DEFAULT_WINDOW_SECONDS
) -> Model:
    """Register a model; names are letters, digits, ``.``, ``_`` and ``-``."""
    if not NAME.fullmatch(name):
        raise InputError(
            f"model name {name!r} is not allowed; use letters, digits, '.', '_' and '-' "
            "(up to 200, starting with a letter or digit)"
        )
    if not 60 <= window_seconds <= 7 * 86400 or (86400 % window_seconds and window_seconds % 86400):
        raise InputError(
            f"window of {window_seconds} s is not allowed; use from 60 s to 7 days, dividing "
            "a day evenly (e.g. 300, 3600, 86400)"
        )
    if session.scalar(select(Model).where(Model.name == name)) is not None:
        raise ModelExistsError(f"a model named {name!r} is already registered")
    model = Model(
        name=name,
        schema_json=schema.model_dump_json(),
        window_seconds=window_seconds,
        created_at=datetime.now(UTC),
    )
    session.add(model)
    session.flush()  # assigns the id
    return model


def get_model(session: Session, name: str) -> Model:
    """The model called ``name`` or :class:`UnknownModelError`."""
    model = session.scalar(select(Model).where(Model.name == name))
    if model is None:
        raise UnknownModelError(f"no model named {name!r} is registered")
    return model


def list_models(session: Session) -> list[Model]:
    """Every registered model, by name."""
    return list(session.scalars(select(Model).order_by(Model.name)))


def schema_of(model: Model) -> ModelSchema:
    """The model's schema."""
    return ModelSchema.model_validate_json(model.schema_json)


def set_reference(
    session: Session,
    model: Model,
    profile: DatasetProfile,
    source: str,
    phases: Mapping[int, DatasetProfile] | None = None,
) -> None:
    """Replace the model's reference profile and its phases (the profiles of its rows by hour
    of the week, on its bins; none when it carries no time); its columns must be features of
    the model."""
    features = {f.name for f in schema_of(model).features}
    unknown = sorted(set(profile.columns) - features)
    if unknown:
        raise InputError(
            f"the reference has columns that are not features of {model.name!r}: "
            f"{', '.join(unknown)}"
        )
    if not profile.columns:
        raise InputError("the reference has none of the model's features")
    row = session.get(Reference, model.id)
    blob = serialize.dumps([profile])
    now = datetime.now(UTC)
    if row is None:
        session.add(
            Reference(
                model_id=model.id, profile=blob, rows=profile.rows, source=source, created_at=now
            )
        )
    else:
        row.profile, row.rows, row.source, row.created_at = blob, profile.rows, source, now
    session.execute(delete(ReferencePhase).where(ReferencePhase.model_id == model.id))
    session.add_all(
        ReferencePhase(
            model_id=model.id, hour_of_week=hour, rows=part.rows, profile=serialize.dumps([part])
        )
        for hour, part in sorted((phases or {}).items())
    )
    session.flush()


def reference_of(session: Session, model: Model) -> DatasetProfile | None:
    """The model's reference profile, if one was set."""
    row = session.get(Reference, model.id)
    return serialize.loads(row.profile)[0] if row is not None else None


def phase_hours(session: Session, model: Model) -> frozenset[int]:
    """The hours of the week the model's reference has rows in (none without time)."""
    found = session.scalars(
        select(ReferencePhase.hour_of_week).where(ReferencePhase.model_id == model.id)
    )
    return frozenset(found)


def phase_blobs(session: Session, model: Model, hours: Collection[int]) -> dict[int, bytes]:
    """The stored profiles of the reference's phases among ``hours`` (hours of the week)."""
    rows = session.execute(
        select(ReferencePhase.hour_of_week, ReferencePhase.profile).where(
            ReferencePhase.model_id == model.id, ReferencePhase.hour_of_week.in_(sorted(hours))
        )
    )
    return {int(hour): bytes(blob) for hour, blob in rows}


def model_names(session: Session) -> set[str]:
    """The names of every registered model."""
    return set(session.scalars(select(Model.name)))


def models_by_id(session: Session) -> dict[int, Model]:
    """Every registered model, by id."""
    return {m.id: m for m in session.scalars(select(Model))}
