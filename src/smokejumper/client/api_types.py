"""The JSON answers of the server's HTTP API, as typed dictionaries (what
:class:`~smokejumper.client.admin.AdminClient` returns), and the content types it takes.

Each mirrors what a route returns today; the server is the authority, these only name the
keys callers read (and let mypy check them):

>>> answer: EvaluationSummary = {"windows": 2, "observations": 10, "unhealthy": [],
...                               "alerts": 0, "notifications": 0}
>>> sorted(EvaluationSummary.__required_keys__)
['alerts', 'notifications', 'observations', 'unhealthy', 'windows']
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

#: Content types of a reference upload (a Smokejumper profile file is sent as octet-stream:
#: the server knows it by its first bytes).
PARQUET = "application/vnd.apache.parquet"
CSV = "text/csv"
OCTET_STREAM = "application/octet-stream"


class Health(TypedDict):
    """``GET /healthz``: the server is up and its store answers; ``details`` reports the
    background integrations when configured (``mlflow``: how the registry's polls go)."""

    status: str
    version: str
    details: NotRequired[dict[str, dict[str, Any]]]


class ModelInfo(TypedDict):
    """A registered model (``id`` names its folder in the raw log)."""

    id: int
    name: str
    schema: dict[str, Any]
    window_seconds: int
    created_at: str
    has_reference: bool


class ReferenceInfo(TypedDict):
    """The answer to setting a model's reference: only the model's features are kept
    (``columns``); ``ignored_columns`` are the data's other columns, ``missing_features`` the
    features it lacks; ``phases`` the hours of the week (UTC) its rows cover, from its
    ``time_column`` (0 when it carries no time: seasonal monitors then have no value)."""

    model: str
    rows: int
    columns: list[str]
    source: str
    reprofiled_batches: int
    ignored_columns: list[str]
    missing_features: list[str]
    phases: int
    time_column: str | None
    time_note: str | None


class RegisteredModel(ModelInfo):
    """The answer to registering a model: the model, and the reference this request set
    (None when none was given, or when an existing model's reference was kept)."""

    reference: ReferenceInfo | None


class EvaluationSummary(TypedDict):
    """The answer to ``POST /api/v1/evaluate``: what one evaluation pass did (``unhealthy``
    names each unhealthy observation as ``monitor@window start``), then the alerting pass
    that followed it (``alerts`` firing after it, ``notifications`` it queued)."""

    windows: int
    observations: int
    unhealthy: list[str]
    alerts: int
    notifications: int


class ColumnDrift(TypedDict):
    """One column's drift in a window against the model's reference."""

    name: str
    method: str
    effect_size: float
    drift: bool


class WindowDrift(TypedDict):
    """A window's drift against the model's reference."""

    dataset_drift: bool
    drifted_columns: int
    columns: list[ColumnDrift]


class WindowSummary(TypedDict):
    """One window of a model's predictions: rows, rows per version, nulls per column and
    drift (None without a reference)."""

    start: str
    end: str
    rows: int
    versions: dict[str, int]
    nulls: dict[str, int] | None
    drift: WindowDrift | None


class Observation(TypedDict):
    """A monitor's verdict on one window (``healthy`` None when it had nothing to judge)."""

    monitor: str
    window_start: str
    window_end: str
    value: float | None
    healthy: bool | None
    details: dict[str, Any]
    evaluated_at: str


class BurnCondition(TypedDict):
    """One multi-window burn-rate alert condition of an SLO, and how fast it burns."""

    severity: str
    long_window_seconds: float
    short_window_seconds: float
    threshold: float
    long_burn_rate: float | None
    short_burn_rate: float | None
    firing: bool


class SloStatus(TypedDict):
    """An SLO's state, error budget left and burn rates."""

    name: str
    monitor: str
    objective: float
    period_days: float
    as_of: str
    state: str  # ok, ticket, page or no_data
    windows: int
    unhealthy_windows: int
    error_budget_remaining: float
    conditions: list[BurnCondition]


class ConfigApplied(TypedDict):
    """How many monitors and SLOs :meth:`AdminClient.apply_config` declared."""

    monitors: int
    slos: int
