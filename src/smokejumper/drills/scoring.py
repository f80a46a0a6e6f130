"""Scoring a drill from what the product answered (pure: plain data in, a score out).

* **detected**: an alert (firing or resolved) of a monitor the truth names.
* **detection windows**: from the onset window to the first window, at or after it, where a
  monitor the truth names was unhealthy (0: caught in the onset window itself).
* **false alarms**: unhealthy observations, each monitor's each window, in the clean windows
  (before the onset, or all windows without a fault; a harmless fault's windows after its
  onset are not clean, its warnings are its detection). Counted per monitor and window, the
  strict way: two monitors upset by one window are two false alarms.
* **incident**: whether one opened for the model, against the truth; **label right**: the
  incident's taxonomy labels hold the truth's label (None when no incident should open).
* **rank**: where the true root-cause component comes among the incident's hypotheses (1 is
  first), None until the product answers hypotheses.

>>> from datetime import UTC, datetime
>>> from smokejumper.drills.registry import get_scenario
>>> scenario = get_scenario("volume_drop")
>>> obs = [{"monitor": "m-volume", "window_start": f"2026-11-01T{h:02d}:00:00+00:00",
...         "healthy": h < 12} for h in range(24)]
>>> alerts = [{"labels": {"monitor": "m-volume"}}]
>>> incidents = [{"id": "INC-1", "labels": ["data_quality"]}]
>>> starts = [datetime(2026, 11, 1, h, tzinfo=UTC) for h in range(24)]
>>> score = score_drill(scenario, "m", starts, 12, obs, alerts, incidents, None)
>>> score.detected, score.detection_windows, score.false_alarms, score.label_right
(True, 0, 0, True)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from smokejumper.drills.scenario import Component, Scenario


@dataclass(frozen=True)
class DrillScore:
    """How the product did on one drill run."""

    scenario: str
    seed: int
    model: str
    detected: bool | None
    detection_windows: int | None
    clean_windows: int
    false_alarms: int
    incident_expected: bool
    incident_opened: bool
    label_right: bool | None
    rank: int | None
    labels: tuple[str, ...]
    incident_id: str | None
    alerts: tuple[str, ...]
    false_alarm_monitors: tuple[tuple[str, int], ...] = ()

    @property
    def incident_right(self) -> bool:
        """Whether an incident opened exactly when the truth wants one."""
        return self.incident_opened == self.incident_expected

    @property
    def false_alarms_per_100(self) -> float | None:
        """False alarms per 100 clean windows (None without clean windows)."""
        return 100.0 * self.false_alarms / self.clean_windows if self.clean_windows else None

    def to_dict(self) -> dict[str, Any]:
        """As JSON data."""
        data = asdict(self)
        data |= {
            "incident_right": self.incident_right,
            "false_alarms_per_100": self.false_alarms_per_100,
            "labels": list(self.labels),
            "alerts": list(self.alerts),
            "false_alarm_monitors": dict(self.false_alarm_monitors),
        }
        return data


def _short(model: str, monitor: str) -> str:
    prefix = f"{model}-"
    return monitor[len(prefix) :] if monitor.startswith(prefix) else monitor


def _index(starts: Sequence[datetime]) -> dict[datetime, int]:
    return {start: i for i, start in enumerate(starts)}


def rank_of(
    hypotheses: Sequence[Mapping[str, Any]], component: Component, label: str | None = None
) -> int | None:
    """The 1-based place of the first hypothesis that names the component (its name, and its
    version when the truth has one, in what the hypothesis says the cause is: its ``key``,
    ``title`` and ``subject``, not the evidence it cites), None if none does. A change in the
    world (concept drift, a prior shift) has no part of the system to name: there the first
    hypothesis with the truth's taxonomy ``label`` names it. A segment (``column=value``) says
    where, not what: a hypothesis names it when it names the segment *and* has the truth's
    ``label`` (a data-quality cause in the same segment is not the bias it looks for).

    >>> rank_of([{"title": "drift in age"}, {"title": "job etl.x wrote few rows"}],
    ...         Component("pipeline", "etl.x"))
    2
    >>> rank_of([{"title": "drift", "label": "data_drift"},
    ...          {"title": "concept", "label": "concept_drift"}],
    ...         Component("world", "default behaviour"), "concept_drift")
    2
    >>> rank_of([{"title": "nulls in region=south", "label": "data_quality"},
    ...          {"title": "bias in region=south", "label": "fairness_bias"}],
    ...         Component("segment", "region=south"), "fairness_bias")
    2
    """
    if component.kind == "world" and label is not None:
        found = [i for i, h in enumerate(hypotheses, start=1) if h.get("label") == label]
        return found[0] if found else None
    wanted = [component.name.lower()] + ([component.version.lower()] if component.version else [])
    for place, hypothesis in enumerate(hypotheses, start=1):
        if component.kind == "segment" and label is not None and hypothesis.get("label") != label:
            continue
        named = (hypothesis.get("key"), hypothesis.get("title"), hypothesis.get("subject"))
        text = repr(named).lower()
        if all(word in text for word in wanted):
            return place
    return None


def score_drill(
    scenario: Scenario,
    model: str,
    starts: Sequence[datetime],
    onset: int | None,
    observations: Sequence[Mapping[str, Any]],
    alerts: Sequence[Mapping[str, Any]],
    incidents: Sequence[Mapping[str, Any]],
    hypotheses: Sequence[Mapping[str, Any]] | None,
    *,
    seed: int = 0,
    component: Component | None = None,
) -> DrillScore:
    """Score one run of ``scenario`` for ``model``, whose windows start at ``starts``."""
    truth = scenario.truth
    where = _index(starts)
    clean_until = len(starts) if onset is None else onset
    false_alarms, first_caught = 0, None
    noisy: Counter[str] = Counter()
    for obs in observations:
        window = where.get(datetime.fromisoformat(str(obs["window_start"])))
        if window is None or obs.get("healthy") is not False:
            continue
        if window < clean_until:
            false_alarms += 1
            noisy[_short(model, str(obs["monitor"]))] += 1
        elif onset is not None and _short(model, str(obs["monitor"])) in truth.monitors:
            delay = window - onset
            first_caught = delay if first_caught is None else min(first_caught, delay)
    fired = sorted({_short(model, str(a.get("labels", {}).get("monitor", ""))) for a in alerts})
    detected = None if scenario.fault is None else any(m in truth.monitors for m in fired)
    incident = incidents[-1] if incidents else None  # the oldest (the list is newest first)
    labels = tuple(str(label) for label in (incident or {}).get("labels", []))
    label_right = None if not truth.incident else truth.label in labels
    rank = None
    if incident is not None and hypotheses is not None:
        rank = rank_of(hypotheses, component or truth.component, truth.label)
    return DrillScore(
        scenario=scenario.name,
        seed=seed,
        model=model,
        detected=detected,
        detection_windows=first_caught,
        clean_windows=clean_until,
        false_alarms=false_alarms,
        incident_expected=truth.incident,
        incident_opened=incident is not None,
        label_right=label_right,
        rank=rank,
        labels=labels,
        incident_id=None if incident is None else str(incident["id"]),
        alerts=tuple(a for a in fired if a),
        false_alarm_monitors=tuple(sorted(noisy.items())),
    )
