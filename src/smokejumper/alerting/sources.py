"""Where alerts come from: a monitor's windows and an SLO's state, each as an Evaluation.

**Monitors.** A monitor fires when its last ``for_windows`` verdicts are unhealthy and resolves
at the first healthy one: it fires exactly while the trailing run of unhealthy windows is at
least ``for_windows`` long. Windows without a verdict (no value: no rows, no reference) are
skipped; they neither fire nor resolve. Pass the monitor's windows oldest first, at least
``for_windows`` of them with verdicts, or the alert cannot fire.

**Episodes no pass saw.** When the evaluator catches up on a backlog (a server that was down,
a replay, late data re-evaluated), a whole episode can start and end between two passes: the
trailing window is healthy again, yet the monitor was unhealthy for ``for_windows`` windows or
more. Such an episode still fires, once: given ``seen_until`` (when the previous pass ran) and
the verdicts' ``evaluated_at``, the latest ended episode whose ``for_windows``-th unhealthy
window was evaluated after ``seen_until`` (any, before a first pass) fires with
``healthy_again`` in its context; at the next pass it is seen, so the alert resolves.

**SLOs.** State ``page`` fires the SLO's page alert (severity ``page``), ``ticket`` its ticket
alert; each resolves when the state leaves it, so both are clear at ``ok``. ``no_data`` changes
nothing. Page and ticket alerts have different labels (severity), so they are two alerts.

Labels: ``alertname`` (the name the exported Prometheus rules use: ``SmokejumperMonitorUnhealthy``,
``SmokejumperSloPage``, ``SmokejumperSloTicket``), ``model``, ``version``, ``monitor``, ``type``,
``column``, ``severity``, ``team``, ``slo`` and the user's own; empty ones are left out.

>>> from datetime import UTC, datetime, timedelta
>>> t = datetime(2026, 11, 1, tzinfo=UTC)
>>> rule = MonitorRule("churn", "drift", "feature_drift", for_windows=2)
>>> hours = [WindowVerdict(t + timedelta(hours=h), t + timedelta(hours=h + 1), ok)
...          for h, ok in enumerate([True, False, False])]
>>> ev = monitor_evaluation(rule, hours)
>>> ev.firing, ev.labels["severity"], ev.context["since"]
(True, 'warning', '2026-11-01T01:00:00+00:00')
>>> monitor_evaluation(rule, hours[:2]).firing
False

An episode that ended before any pass looked (the verdicts carry when they were evaluated):

>>> from dataclasses import replace
>>> done = [replace(w, evaluated_at=t) for w in hours] + [
...     WindowVerdict(t + timedelta(hours=3), t + timedelta(hours=4), True, evaluated_at=t)]
>>> ev = monitor_evaluation(rule, done, seen_until=t - timedelta(minutes=1))
>>> ev.firing, ev.context["since"], ev.context["healthy_again"]
(True, '2026-11-01T01:00:00+00:00', '2026-11-01T03:00:00+00:00')
>>> monitor_evaluation(rule, done, seen_until=t).firing  # a pass ran after: seen
False
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from smokejumper.alerting.alert import Link, clean_labels
from smokejumper.alerting.alert_set import Evaluation
from smokejumper.alerting.context import columns_text, drifted_columns, null_share
from smokejumper.errors import InvalidAlertError

#: Label names set by Smokejumper; a monitor's own labels may not use them (``source`` marks
#: the alerts that came from outside: see :mod:`~smokejumper.alerting.inbound`).
RESERVED = frozenset(
    {
        "alertname",
        "model",
        "version",
        "monitor",
        "type",
        "column",
        "severity",
        "team",
        "slo",
        "source",
    }
)


@dataclass(frozen=True)
class WindowVerdict:
    """A monitor's observation of one window ``[start, end)``: healthy, unhealthy or ``None``
    (no verdict), with its value, details and when it was evaluated (if known)."""

    start: datetime
    end: datetime
    healthy: bool | None
    value: float | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    evaluated_at: datetime | None = None


@dataclass(frozen=True)
class MonitorRule:
    """What a monitor declares about its alert: who it is, ``severity``, ``for_windows``,
    ``team``, the user's ``labels`` and a ``runbook_url``; ``limit`` is its healthy range in
    words (for the description)."""

    model: str
    monitor: str
    type: str
    severity: str = "warning"
    for_windows: int = 1
    version: str | None = None
    column: str | None = None
    team: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    runbook_url: str | None = None
    limit: str | None = None

    def __post_init__(self) -> None:
        if type(self.for_windows) is not int or self.for_windows < 1:
            raise InvalidAlertError(
                f"monitor {self.monitor!r}: for_windows must be a whole number of windows >= 1, "
                f"got {self.for_windows!r}"
            )
        check_own_labels(self.labels, f"monitor {self.monitor!r}")

    def alert_labels(self) -> dict[str, str]:
        """The labels of this monitor's alert."""
        ours = {
            "alertname": "SmokejumperMonitorUnhealthy",
            "model": self.model,
            "version": self.version or "",
            "monitor": self.monitor,
            "type": self.type,
            "column": self.column or "",
            "severity": self.severity,
            "team": self.team or "",
        }
        return clean_labels({**self.labels, **ours})


def monitor_evaluation(
    rule: MonitorRule, windows: Sequence[WindowVerdict], seen_until: datetime | None = None
) -> Evaluation:
    """Whether ``rule``'s alert fires after ``windows`` (oldest first), and its description;
    ``seen_until``: when the previous pass ran (see the module docstring)."""
    judged = [w for w in windows if w.healthy is not None]
    labels = rule.alert_labels()
    runs = _unhealthy_runs(judged)
    if runs and runs[-1][1] is None and len(runs[-1][0]) >= rule.for_windows:
        return _firing(rule, labels, runs[-1][0])  # the trailing run
    for run, healthy in reversed(runs):
        if (
            healthy is not None
            and len(run) >= rule.for_windows
            and _unseen(run[rule.for_windows - 1], seen_until)
        ):
            return _firing(rule, labels, run, healthy_again=healthy)
    return Evaluation(labels, False)


def _unhealthy_runs(
    judged: Sequence[WindowVerdict],
) -> list[tuple[list[WindowVerdict], WindowVerdict | None]]:
    """The maximal runs of unhealthy verdicts, oldest first, each with the healthy verdict that
    ended it (``None`` for a run still going)."""
    runs: list[tuple[list[WindowVerdict], WindowVerdict | None]] = []
    run: list[WindowVerdict] = []
    for w in judged:
        if not w.healthy:
            run.append(w)
        elif run:
            runs.append((run, w))
            run = []
    if run:
        runs.append((run, None))
    return runs


def _unseen(verdict: WindowVerdict, seen_until: datetime | None) -> bool:
    """Whether no pass can have seen ``verdict`` (evaluated after the last pass, or before any)."""
    if verdict.evaluated_at is None:
        return False
    return seen_until is None or verdict.evaluated_at > seen_until


def _firing(
    rule: MonitorRule,
    labels: dict[str, str],
    run: Sequence[WindowVerdict],
    healthy_again: WindowVerdict | None = None,
) -> Evaluation:
    first, last = run[0], run[-1]
    context: dict[str, Any] = {
        "window_start": last.start.isoformat(),
        "window_end": last.end.isoformat(),
        "since": first.start.isoformat(),
        "unhealthy_windows": len(run),
        "value": last.value,
    }
    if healthy_again is not None:
        context["healthy_again"] = healthy_again.start.isoformat()
    columns = drifted_columns(last.details)
    if columns:
        context["drifted_columns"] = columns
    nulls = null_share(last.details, last.value) if rule.type == "null_rate" else None
    if nulls is not None:
        context["null_share"] = nulls
    annotations = {
        "summary": _monitor_summary(rule, columns),
        "description": _monitor_description(rule, context, columns, nulls),
    }
    if rule.runbook_url:
        annotations["runbook_url"] = rule.runbook_url
    return Evaluation(labels, True, annotations, _links(rule.model, rule.runbook_url), context)


def _monitor_summary(rule: MonitorRule, columns: list[dict[str, Any]]) -> str:
    where = f"model {rule.model}" + (f" version {rule.version}" if rule.version else "")
    what = f"{rule.type} monitor {rule.monitor} of {where} is unhealthy"
    if columns:
        what += f": {len(columns)} column{'s' if len(columns) != 1 else ''} drifted"
    return what


def _monitor_description(
    rule: MonitorRule,
    context: Mapping[str, Any],
    columns: list[dict[str, Any]],
    nulls: Mapping[str, Any] | None,
) -> str:
    value = context["value"]
    parts = [
        f"Value {value:.4g}" if isinstance(value, float | int) else "No value",
        f"(healthy when {rule.limit})" if rule.limit else "",
        f"in the window {context['window_start']} to {context['window_end']};",
        f"unhealthy for {context['unhealthy_windows']} window(s) since {context['since']}.",
    ]
    if context.get("healthy_again"):
        parts.append(
            f"Healthy again from {context['healthy_again']}: the episode ended before a pass "
            "looked (the evaluation caught up on a backlog); this alert resolves at the next pass."
        )
    if columns:
        parts.append(f"Drifted columns: {columns_text(columns)}.")
    if nulls is not None:
        parts.append(f"Null share of {nulls['column']}: {nulls['share']:.1%}.")
    return " ".join(p for p in parts if p)


def _links(model: str, runbook_url: str | None) -> tuple[Link, ...]:
    links = [Link(f"{{external_url}}/api/v1/models/{model}/observations", f"Model {model}")]
    if runbook_url:
        links.append(Link(runbook_url, "Runbook"))
    return tuple(links)


def check_own_labels(labels: Mapping[str, str], who: str) -> None:
    """Refuse a source's own labels that are invalid or take a name of :data:`RESERVED`."""
    taken = sorted(RESERVED & set(labels))
    if taken:
        raise InvalidAlertError(
            f"{who}: labels {taken} are set by Smokejumper; choose other names for your own labels"
        )
    clean_labels(labels)
