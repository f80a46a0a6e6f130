"""SQLAlchemy tables of the metadata store. Migrations in ``migrations/`` create them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ApiToken(Base):
    """An API token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Model(Base):
    """A registered model and the schema of what it logs."""

    __tablename__ = "models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    schema_json: Mapped[str] = mapped_column(Text)
    window_seconds: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Reference(Base):
    """The reference profile of a model (one per model; replaced on upload)."""

    __tablename__ = "model_references"

    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"), primary_key=True)
    profile: Mapped[bytes] = mapped_column(LargeBinary)
    rows: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReferencePhase(Base):
    """The profile of a model's reference rows in one hour of the week (0: Monday 00:00-01:00
    UTC), on the reference's bins; replaced with the reference, absent when it has no time."""

    __tablename__ = "reference_phases"

    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"), primary_key=True)
    hour_of_week: Mapped[int] = mapped_column(Integer, primary_key=True)
    rows: Mapped[int] = mapped_column(Integer)
    profile: Mapped[bytes] = mapped_column(LargeBinary)


class IngestBatch(Base):
    """One acknowledged batch of predictions; ``batch_key`` makes retries count once."""

    __tablename__ = "ingest_batches"
    __table_args__ = (UniqueConstraint("model_id", "batch_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"), index=True)
    batch_key: Mapped[str] = mapped_column(String(200))
    rows: Mapped[int] = mapped_column(Integer)
    raw_path: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: SHA-256 of the body (hex); None for batches stored before migration 0007.
    content_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)


class WindowPart(Base):
    """A batch's partial profile of one window, version and segment; merged on read."""

    __tablename__ = "window_parts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("ingest_batches.id"))
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    version: Mapped[str] = mapped_column(String(200))
    segment: Mapped[str] = mapped_column(String(500))
    rows: Mapped[int] = mapped_column(Integer)
    profile: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    #: Unusable values (null, NaN, infinite) per feature as JSON, kept while there is no
    #: reference to profile on; ``None`` once profiled (the profile counts them).
    nulls: Mapped[str | None] = mapped_column(Text, nullable=True)


class Label(Base):
    """Ground truth for one prediction, joined by its id; a later label replaces an earlier."""

    __tablename__ = "labels"
    __table_args__ = (UniqueConstraint("model_id", "prediction_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"))
    prediction_id: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Monitor(Base):
    """A declared monitor (its spec as JSON)."""

    __tablename__ = "monitors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"), index=True)
    spec_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ObservationRow(Base):
    """A monitor's value for one window (re-written when the window is re-evaluated); the
    stored form of :class:`smokejumper.monitoring.monitors.Observation`."""

    __tablename__ = "observations"
    __table_args__ = (UniqueConstraint("monitor_id", "window_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    monitor_id: Mapped[int] = mapped_column(ForeignKey("monitors.id"))
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    healthy: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    details: Mapped[str] = mapped_column(Text)
    evaluated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CustomMetric(Base):
    """A value of a user's own metric for one window of a model."""

    __tablename__ = "custom_metrics"
    __table_args__ = (UniqueConstraint("model_id", "metric", "window_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"))
    metric: Mapped[str] = mapped_column(String(200))
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    value: Mapped[float] = mapped_column(Float)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Slo(Base):
    """A service level objective on a monitor: the share of healthy windows."""

    __tablename__ = "slos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    monitor_id: Mapped[int] = mapped_column(ForeignKey("monitors.id"))
    objective: Mapped[float] = mapped_column(Float)
    period_days: Mapped[float] = mapped_column(Float)


class WindowEvaluation(Base):
    """When a window of a model was last evaluated, and how many batches it held then."""

    __tablename__ = "window_evaluations"

    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    evaluated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: Batches with rows in the window and labels of the model, counted before the window was
    #: evaluated (``None`` in rows written before the counts were kept): a different count now
    #: means late predictions, or late labels.
    batches: Mapped[int | None] = mapped_column(Integer, nullable=True)
    labels: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Rejection(Base):
    """A refused batch (schema change upstream, bad types): counted by a monitor."""

    __tablename__ = "rejections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    problems: Mapped[int] = mapped_column(Integer)
    sample: Mapped[str] = mapped_column(Text)


class OutboxMessage(Base):
    """A message to deliver (a notification), written in the same transaction as what caused
    it, and sent afterwards by a worker that retries until it is delivered or given up.

    ``key`` makes enqueuing idempotent: the same alert notification written twice (a retried
    transaction, two server processes) is one message. ``status`` is ``pending`` until sent
    (``sent``) or given up (``failed``); ``due_at`` is when the next attempt may run.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(255), unique=True)
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)
    attempts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class AlertRow(Base):
    """An alert, one row per fingerprint: its last episode as JSON (``document``, see
    :mod:`smokejumper.alerting.codec`) and the fields the API filters on."""

    __tablename__ = "alerts"

    fingerprint: Mapped[str] = mapped_column(String(16), primary_key=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    model: Mapped[str] = mapped_column(String(200), index=True)
    severity: Mapped[str] = mapped_column(String(50))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    document: Mapped[str] = mapped_column(Text)


class SilenceRow(Base):
    """A silence: matchers (JSON list of matcher texts), its time span, creator and comment."""

    __tablename__ = "silences"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    matchers: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    created_by: Mapped[str] = mapped_column(String(200))
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AlertingStateRow(Base):
    """The notification pipeline's state between passes (one row, ``id`` 1): its timers and
    notification log as JSON (:meth:`smokejumper.alerting.PipelineState.to_dict`)."""

    __tablename__ = "alerting_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ChangeRow(Base):
    """A change in the change log (:class:`smokejumper.changes.Change`): ``key`` is its id
    (the caller's, or made up), ``details`` a JSON object. A pipeline run is one too, kept up
    to date as its events arrive (``source`` ``openlineage``, key ``openlineage:<runId>``)."""

    __tablename__ = "changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    model: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    service: Mapped[str | None] = mapped_column(String(200), nullable=True)
    summary: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(Text, nullable=True)
    details: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LineageJob(Base):
    """An OpenLineage job (namespace, name) and its latest job facets (JSON)."""

    __tablename__ = "lineage_jobs"
    __table_args__ = (UniqueConstraint("namespace", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    namespace: Mapped[str] = mapped_column(String(1000))
    name: Mapped[str] = mapped_column(String(1000))
    facets: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LineageDataset(Base):
    """An OpenLineage dataset (namespace, name), its latest schema and facets (JSON)."""

    __tablename__ = "lineage_datasets"
    __table_args__ = (UniqueConstraint("namespace", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    namespace: Mapped[str] = mapped_column(String(1000))
    name: Mapped[str] = mapped_column(String(1000))
    schema_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    facets: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LineageRun(Base):
    """A run of a job: its state (from its events, the latest terminal one winning), when it
    started and ended, its nominal time, parent run, error message and run facets (JSON)."""

    __tablename__ = "lineage_runs"

    run_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("lineage_jobs.id"), index=True)
    state: Mapped[str] = mapped_column(String(20))
    first_event_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    nominal_start: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    nominal_end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    parent_run_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    parent_job_namespace: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    parent_job_name: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    facets: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LineageRunEvent(Base):
    """One OpenLineage event of a run as received (the state history; ``document`` is the
    event's JSON as sent)."""

    __tablename__ = "lineage_run_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("lineage_runs.run_id"), index=True)
    event_type: Mapped[str] = mapped_column(String(20))
    event_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    producer: Mapped[str] = mapped_column(Text)
    document: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LineageRunDataset(Base):
    """A dataset a run read (``input``) or wrote (``output``), with what the run's events said
    of it: row count, size, file count, dataset version, assertions (JSON list) and schema."""

    __tablename__ = "lineage_run_datasets"
    __table_args__ = (UniqueConstraint("run_id", "dataset_id", "direction"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("lineage_runs.run_id"), index=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("lineage_datasets.id"), index=True)
    direction: Mapped[str] = mapped_column(String(10))
    row_count: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    file_count: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    version: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    assertions: Mapped[str] = mapped_column(Text)
    schema_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    event_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IncidentRow(Base):
    """An incident: its document as JSON (:meth:`smokejumper.incidents.Incident.to_dict`) and
    the fields lists filter on and search reads. ``number`` is the n of ``INC-n``."""

    __tablename__ = "incidents"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    number: Mapped[int | None] = mapped_column(Integer, nullable=True, unique=True)
    title: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)
    severity: Mapped[str] = mapped_column(String(10))
    model: Mapped[str] = mapped_column(String(200), index=True)
    detected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    document: Mapped[str] = mapped_column(Text)
    #: The text of its notes, corrections and status updates, for full-text search (with the
    #: title; see :mod:`smokejumper.store.search`).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")


class IncidentEventRow(Base):
    """One event of an incident's timeline, append-only; ``event_id`` is the event's content
    hash, unique per incident, so the same fact is recorded once."""

    __tablename__ = "incident_events"
    __table_args__ = (UniqueConstraint("incident_id", "event_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    event_id: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    document: Mapped[str] = mapped_column(Text)


class PostmortemRow(Base):
    """An incident's post-mortem: its status (draft, review, final), who changed it last and
    when, and where it is published (JSON: the Confluence page's id, version and address)."""

    __tablename__ = "postmortems"

    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(200))
    publication: Mapped[str | None] = mapped_column(Text, nullable=True)


class PostmortemRevisionRow(Base):
    """Revision ``number`` of one section of a post-mortem: its content (JSON), author, time
    and the blameless check's findings then (JSON). Never updated or deleted."""

    __tablename__ = "postmortem_revisions"
    __table_args__ = (UniqueConstraint("incident_id", "section", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("postmortems.incident_id"), index=True)
    section: Mapped[str] = mapped_column(String(40))
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    findings: Mapped[str] = mapped_column(Text)


class IncidentChannelRow(Base):
    """The Slack channel made for an incident (migration 0013): its id, which also finds the
    incident from a slash command or a message sent there, and its name."""

    __tablename__ = "incident_channels"

    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SlackUserRow(Base):
    """A Slack user's name as a slash command last gave it, so messages (which carry only the
    user's id) are noted under the same name."""

    __tablename__ = "slack_users"

    user_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ActionItemRow(Base):
    """A post-mortem action item of an incident (:class:`smokejumper.postmortems.actions.
    ActionItem`); ``number`` is the n of ``ACT-n``. Its history is on the incident's timeline
    (``action_item`` events). ``reminded_for`` and ``reminders`` are the reminders'
    bookkeeping: the reminder time last reminded of, and how many were sent."""

    __tablename__ = "action_items"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    type: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    link: Mapped[str | None] = mapped_column(Text, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    tracker: Mapped[str | None] = mapped_column(String(20), nullable=True)
    tracker_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    tracker_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(200))
    reminded_for: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    reminders: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class RegistryPollRow(Base):
    """What the MLflow poller last saw of one registry (``source``: its tracking URI without
    user info): the registry's state as JSON (``None`` before the first successful poll; see
    :class:`smokejumper.changes.registry.RegistrySnapshot`) and how its polls are going, for
    ``/healthz`` and ``/metrics``."""

    __tablename__ = "registry_polls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(500), unique=True)
    state: Mapped[str | None] = mapped_column(Text, nullable=True)
    polled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    attempted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_error_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    failing_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    errors_total: Mapped[int] = mapped_column(Integer, default=0)
    changes_total: Mapped[int] = mapped_column(Integer, default=0)


class DiagnosisRow(Base):
    """One root-cause diagnosis of an incident (when it opened, or asked for): its summary
    and its document (JSON: the ranked hypotheses with their evidence; see
    :class:`smokejumper.rca.diagnosis.Diagnosis`). Each run is kept; the newest is current."""

    __tablename__ = "diagnoses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[str] = mapped_column(String(50), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    trigger: Mapped[str] = mapped_column(String(50))
    actor: Mapped[str | None] = mapped_column(String(200), nullable=True)
    summary: Mapped[str] = mapped_column(Text)
    document: Mapped[str] = mapped_column(Text)
