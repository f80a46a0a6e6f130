"""Registering models and setting their references."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from smokejumper.errors import ModelExistsError
from smokejumper.monitoring.schema import ModelSchema
from smokejumper.service.config import PendingMonitors
from smokejumper.service.ingest import first_hours, reprofile
from smokejumper.stats.dataset import DatasetProfile, profile
from smokejumper.store import models as repo
from smokejumper.store.database import unit_of_work
from smokejumper.store.rawlog import RawLog
from smokejumper.store.tables import Model


@dataclass(frozen=True)
class Registered:
    """A registered model, whether it has a reference, and whether this call created it."""

    model: Model
    has_reference: bool
    created: bool = False


def register(
    sessions: sessionmaker[Session],
    pending: PendingMonitors,
    name: str,
    schema: ModelSchema,
    window_seconds: int,
    *,
    exist_ok: bool = False,
) -> Registered:
    """Register a model (:class:`ModelExistsError` if the name is taken, unless ``exist_ok``
    and the registered model is identical); monitors waiting for it are created then."""
    try:
        with unit_of_work(sessions) as session:
            model = repo.register_model(session, name, schema, window_seconds)
    except ModelExistsError:
        if not exist_ok:
            raise
        with sessions() as session:
            model = repo.get_model(session, name)
            if repo.schema_of(model) != schema or model.window_seconds != window_seconds:
                raise ModelExistsError(
                    f"a model named {name!r} is already registered with another schema or "
                    "window; pick another name (options.exist_ok only accepts an identical model)"
                ) from None
            return Registered(model, repo.reference_of(session, model) is not None)
    pending.apply(sessions)
    return Registered(model, has_reference=False, created=True)


def registered(sessions: sessionmaker[Session], name: str | None = None) -> list[Registered]:
    """Every registered model by name (or the one called ``name``), with whether it has a
    reference."""
    with sessions() as session:
        models = [repo.get_model(session, name)] if name else repo.list_models(session)
        return [Registered(m, repo.reference_of(session, m) is not None) for m in models]


@dataclass(frozen=True)
class ReferenceSet:
    """What setting a reference did."""

    profile: DatasetProfile
    source: str
    reprofiled_batches: int


def set_reference(
    sessions: sessionmaker[Session],
    raw_log: RawLog,
    name: str,
    given: Callable[[], tuple[DatasetProfile, str]],
    hours: float | None = None,
) -> ReferenceSet:
    """Set the model's reference from its own first ``hours`` of predictions when given, else
    from ``given()`` (a profile and where it came from, made once the model is found), and
    profile every stored window on the new bins, all in one unit of work."""
    with unit_of_work(sessions) as session:
        model = repo.get_model(session, name)
        schema = repo.schema_of(model)
        if hours is not None:
            made = profile(first_hours(session, raw_log, model, schema, hours))
            reference, source = made, f"first {hours:g} h of predictions"
        else:
            reference, source = given()
        repo.set_reference(session, model, reference, source)
        batches = reprofile(session, raw_log, model, schema, reference)
    return ReferenceSet(reference, source, batches)
