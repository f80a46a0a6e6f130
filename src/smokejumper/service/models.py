"""Registering models and setting their references.

A reference is usually a training file: besides the model's features it holds an id, a time, the
label. Only the features the schema declares are kept; the other columns are ignored and named
in the answer (:attr:`ReferenceSet.ignored`), so that a normal training file just works.
Registering with a reference is one unit of work: the model and its reference are stored
together, or, when the reference cannot be used, neither is.

A reference given as rows that carry time (the model's own first hours, or a Parquet or CSV
file holding the model's timestamp column) also gets *phases*: the profile of its rows in each
hour of the week, on its bins, that seasonal monitors compare windows with
(:mod:`smokejumper.monitoring.seasons`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import pyarrow as pa
from sqlalchemy.orm import Session, sessionmaker

from smokejumper.errors import InputError, ModelExistsError
from smokejumper.monitoring.schema import ModelSchema
from smokejumper.monitoring.seasons import phase_profiles
from smokejumper.service.config import PendingMonitors
from smokejumper.service.ingest import first_hours, reprofile
from smokejumper.stats.dataset import DatasetProfile, profile
from smokejumper.store import models as repo
from smokejumper.store.database import unit_of_work
from smokejumper.store.rawlog import RawLog
from smokejumper.store.tables import Model


@dataclass(frozen=True)
class GivenData:
    """A reference as given: its profile, a word for where it came from, and its rows when it
    came as rows (Parquet, CSV), which give it phases if they hold the model's timestamp."""

    profile: DatasetProfile
    source: str
    rows: pa.Table | None = None


#: A reference made when called: a profile and a word for where it came from, or
#: :class:`GivenData` (with its rows).
GivenReference = Callable[[], tuple[DatasetProfile, str] | GivenData]


@dataclass(frozen=True)
class ReferenceSet:
    """What setting a reference did: the profile kept (the model's features only), where it
    came from, the stored batches profiled again on its bins, the columns of the given data
    that are not features (``ignored``) and the features it lacks (``missing``)."""

    profile: DatasetProfile
    source: str
    reprofiled_batches: int = 0
    ignored: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    #: The profiles of its rows by hour of the week (empty when the reference has no time).
    phases: Mapping[int, DatasetProfile] = field(default_factory=dict)
    #: The column the phases were taken from (``None``: none).
    time_column: str | None = None
    #: Why a column named as the model's timestamp gave no phases (``None``: it did, or none).
    time_note: str | None = None


@dataclass(frozen=True)
class Registered:
    """A registered model, whether it has a reference, whether this call created it, and the
    reference this call set (None if it set none)."""

    model: Model
    has_reference: bool
    created: bool = False
    reference: ReferenceSet | None = None


def features_only(given: DatasetProfile, source: str, schema: ModelSchema) -> ReferenceSet:
    """The part of ``given`` that is about the model's features (:class:`InputError` if none).

    >>> import pyarrow as pa
    >>> from smokejumper.monitoring.schema import Feature
    >>> schema = ModelSchema(features=[Feature(name="age", kind="numeric"),
    ...                                Feature(name="plan", kind="categorical")])
    >>> train = profile(pa.table({"id": ["a", "b"], "age": [30.0, 41.0], "label": [0, 1]}))
    >>> kept = features_only(train, "parquet", schema)
    >>> list(kept.profile.columns), kept.ignored, kept.missing
    (['age'], ('id', 'label'), ('plan',))
    """
    features = [f.name for f in schema.features]
    present = set(given.kinds) | set(given.notes)
    kept = [name for name in features if name in given.columns]
    if not kept:
        raise InputError(
            f"the reference has none of the model's features ({', '.join(features)}); its "
            f"columns are {', '.join(sorted(present)) or 'none'}. Give the training data of "
            "this model, with its feature columns named as in the schema"
        )
    wanted = set(features)
    reference = DatasetProfile(
        rows=given.rows,
        kinds={name: given.kinds[name] for name in kept},
        columns={name: given.columns[name] for name in kept},
        window_start=given.window_start,
        window_end=given.window_end,
        notes={name: note for name, note in given.notes.items() if name in wanted},
    )
    return ReferenceSet(
        reference,
        source,
        ignored=tuple(sorted(present - wanted)),
        missing=tuple(name for name in features if name not in given.columns),
    )


def with_phases(chosen: ReferenceSet, rows: pa.Table | None, schema: ModelSchema) -> ReferenceSet:
    """``chosen`` with its phases when ``rows`` hold the model's timestamp column (under the
    model's own name for it, or ``timestamp``) as times (naive ones taken as UTC), or as text
    Arrow reads as times; dates, numbers and other text give no phases, and a note says why.

    >>> from datetime import UTC, datetime, timedelta
    >>> from smokejumper.monitoring.schema import Feature
    >>> schema = ModelSchema(features=[Feature(name="age", kind="numeric")])
    >>> start = datetime(2026, 11, 2, tzinfo=UTC)
    >>> rows = pa.table({"age": [30.0, 41.0, 52.0],
    ...                  "timestamp": [start + timedelta(hours=h) for h in (0, 0, 5)]})
    >>> done = with_phases(features_only(profile(rows), "parquet", schema), rows, schema)
    >>> sorted(done.phases), done.time_column
    ([0, 5], 'timestamp')
    >>> with_phases(done, rows.drop_columns(["timestamp"]), schema).phases
    {}
    >>> with_phases(done, rows.set_column(1, "timestamp", pa.array([1, 2, 3])), schema).time_note
    "column 'timestamp' holds int64, not times of day (or ISO 8601 text), so the reference has \
no phases for seasonal monitors"
    """
    if rows is None:
        return chosen
    names = dict.fromkeys((schema.columns.timestamp, "timestamp"))
    column = next((n for n in names if n in rows.column_names), None)
    if column is None:
        return replace(chosen, phases={}, time_column=None)
    stamps = rows.column(column)
    if pa.types.is_string(stamps.type) or pa.types.is_large_string(stamps.type):
        with contextlib.suppress(pa.ArrowInvalid):  # not times: said below
            stamps = stamps.cast(pa.timestamp("us", tz="UTC"))
    if not pa.types.is_timestamp(stamps.type):  # dates have no hour: no phases either
        note = (
            f"column {column!r} holds {rows.column(column).type}, not times of day (or ISO 8601 "
            "text), so the reference has no phases for seasonal monitors"
        )
        return replace(chosen, phases={}, time_column=None, time_note=note)
    kept = rows.select(list(chosen.profile.columns))
    return replace(
        chosen,
        phases=phase_profiles(kept, stamps, chosen.profile),
        time_column=column,
        ignored=tuple(c for c in chosen.ignored if c != column),  # used: not ignored
    )


def _given(made: tuple[DatasetProfile, str] | GivenData) -> GivenData:
    """What a :data:`GivenReference` made, as :class:`GivenData`."""
    return made if isinstance(made, GivenData) else GivenData(*made)


def _chosen(made: tuple[DatasetProfile, str] | GivenData, schema: ModelSchema) -> ReferenceSet:
    """The reference kept from what was given: the features, and the phases if it has time."""
    given = _given(made)
    return with_phases(features_only(given.profile, given.source, schema), given.rows, schema)


def _store_reference(
    session: Session, raw_log: RawLog, model: Model, schema: ModelSchema, chosen: ReferenceSet
) -> ReferenceSet:
    """Store ``chosen`` as the model's reference and profile its stored batches on its bins
    (in the caller's unit of work)."""
    repo.set_reference(session, model, chosen.profile, chosen.source, chosen.phases)
    batches = reprofile(session, raw_log, model, schema, chosen.profile)
    return replace(chosen, reprofiled_batches=batches)


def register(
    sessions: sessionmaker[Session],
    pending: PendingMonitors,
    name: str,
    schema: ModelSchema,
    window_seconds: int,
    *,
    exist_ok: bool = False,
    reference: GivenReference | None = None,
    raw_log: RawLog | None = None,
) -> Registered:
    """Register a model, with its reference when ``reference`` is given, all in one unit of
    work: if the reference cannot be used, no model is registered.

    :class:`ModelExistsError` if the name is taken, unless ``exist_ok`` and the registered
    model is identical; then its reference is set from ``reference`` if it has none yet, and
    kept otherwise (replace it with :func:`set_reference`). Monitors waiting for the model are
    created once it is registered. ``raw_log`` is needed with ``reference``.
    """
    chosen = None
    if reference is not None:
        if raw_log is None:
            raise ValueError("register(reference=...) needs the raw log")
        chosen = _chosen(reference(), schema)  # parsed before any transaction opens
    try:
        with unit_of_work(sessions) as session:
            model = repo.register_model(session, name, schema, window_seconds)
            if chosen is not None:
                repo.set_reference(session, model, chosen.profile, chosen.source, chosen.phases)
    except ModelExistsError:
        if not exist_ok:
            raise
        return _existing(sessions, raw_log, name, schema, window_seconds, chosen)
    pending.apply(sessions)
    return Registered(model, has_reference=chosen is not None, created=True, reference=chosen)


def _existing(
    sessions: sessionmaker[Session],
    raw_log: RawLog | None,
    name: str,
    schema: ModelSchema,
    window_seconds: int,
    chosen: ReferenceSet | None,
) -> Registered:
    """The model already registered as ``name`` if identical, its reference set from
    ``chosen`` when it has none yet."""
    with unit_of_work(sessions) as session:
        model = repo.get_model(session, name)
        if repo.schema_of(model) != schema or model.window_seconds != window_seconds:
            raise ModelExistsError(
                f"a model named {name!r} is already registered with another schema or "
                "window; pick another name (options.exist_ok only accepts an identical model)"
            )
        if repo.reference_of(session, model) is not None:
            return Registered(model, has_reference=True)
        if chosen is None or raw_log is None:
            return Registered(model, has_reference=False)
        done = _store_reference(session, raw_log, model, schema, chosen)
    return Registered(model, has_reference=True, reference=done)


def registered(sessions: sessionmaker[Session], name: str | None = None) -> list[Registered]:
    """Every registered model by name (or the one called ``name``), with whether it has a
    reference."""
    with sessions() as session:
        models = [repo.get_model(session, name)] if name else repo.list_models(session)
        return [Registered(m, repo.reference_of(session, m) is not None) for m in models]


def set_reference(
    sessions: sessionmaker[Session],
    raw_log: RawLog,
    name: str,
    given: GivenReference,
    hours: float | None = None,
) -> ReferenceSet:
    """Set the model's reference from its own first ``hours`` of predictions when given, else
    from ``given()`` (a profile and where it came from, made once the model is found), keeping
    only the model's features, and profile every stored window on the new bins, all in one
    unit of work."""
    with unit_of_work(sessions) as session:
        model = repo.get_model(session, name)
        schema = repo.schema_of(model)
        if hours is not None:
            rows = first_hours(session, raw_log, model, schema, hours, with_time=True)
            made = profile(rows.drop_columns(["timestamp"]))
            chosen = with_phases(
                features_only(made, f"first {hours:g} h of predictions", schema), rows, schema
            )
        else:
            chosen = _chosen(given(), schema)
        return _store_reference(session, raw_log, model, schema, chosen)
