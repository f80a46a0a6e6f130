"""What a diagnosis reads, gathered by the service from the store: per model its monitors'
observations, traffic, refused batches, window profiles around the onset, reference and the
raw rows around the onset; and the changes, pipeline runs (judged) and alerts of the span.

All of it is plain data, so every collector is a pure function of it and tests build it by
hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pyarrow as pa

from smokejumper.alerting import Alert
from smokejumper.changes import Change, Flag
from smokejumper.changes.runs import PipelineRun
from smokejumper.stats.dataset import DatasetProfile

#: A window part's count: ``(window start, version, segment, rows)``.
Traffic = tuple[datetime, str, str, int]
#: A pipeline run with its flags against its job's earlier runs.
Judged = tuple[PipelineRun, Sequence[Flag]]


@dataclass(frozen=True)
class Observed:
    """One observation: monitor ``monitor`` (of type ``type``, on ``column`` if it names one)
    of model ``model`` on the window starting at ``window_start``; ``id`` is the stored
    observation's id."""

    model: str
    monitor: str
    type: str
    window_start: datetime
    value: float | None
    healthy: bool | None
    details: Mapping[str, Any] = field(default_factory=dict)
    id: str = ""
    column: str | None = None


@dataclass(frozen=True)
class ModelFacts:
    """What is known of one model of the incident. ``rows`` holds the raw log's rows around
    the onset (the columns the slices need, see :mod:`smokejumper.rca.slicing`); ``profiles``
    the merged window profiles of some windows before and after the onset; ``labelled`` the
    labels logged for some of those rows (``timestamp``, ``prediction``, ``label`` as text; see
    :mod:`smokejumper.rca.labelling`)."""

    name: str
    window: timedelta
    features: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    inputs: frozenset[tuple[str, str]] = frozenset()
    observations: tuple[Observed, ...] = ()
    traffic: tuple[Traffic, ...] = ()
    refusals: tuple[datetime, ...] = ()
    profiles: tuple[tuple[datetime, DatasetProfile], ...] = ()
    reference: DatasetProfile | None = None
    rows: pa.Table | None = None
    labelled: pa.Table | None = None

    def monitors_of(self, *types: str) -> dict[str, list[Observed]]:
        """Observations by monitor, of the monitors of ``types``, oldest first."""
        found: dict[str, list[Observed]] = {}
        for o in sorted(self.observations, key=lambda o: o.window_start):
            if o.type in types:
                found.setdefault(o.monitor, []).append(o)
        return found


@dataclass(frozen=True)
class DiagnosisInputs:
    """Everything a diagnosis reads. ``onset`` is the incident's reference time (its onset,
    or its detection); ``since`` = ``onset - lookback``; ``fired`` the monitors that fired
    for the incident."""

    incident_id: str
    onset: datetime
    now: datetime
    lookback: timedelta
    models: Mapping[str, ModelFacts]
    changes: tuple[Change, ...] = ()
    runs: tuple[Judged, ...] = ()
    alerts: tuple[Alert, ...] = ()
    fired: frozenset[str] = frozenset()
    claimed: frozenset[tuple[str, str]] = frozenset()

    @property
    def since(self) -> datetime:
        """The start of the lookback."""
        return self.onset - self.lookback

    @property
    def window(self) -> timedelta:
        """The shortest window of the incident's models (an hour when none)."""
        return min((m.window for m in self.models.values()), default=timedelta(hours=1))

    @property
    def model_inputs(self) -> frozenset[tuple[str, str]]:
        """The datasets the incident's models declare they read."""
        return frozenset(d for m in self.models.values() for d in m.inputs)
