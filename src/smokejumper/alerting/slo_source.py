"""Alerts from an SLO's state: ``page`` and ``ticket`` fire, ``ok`` resolves both.

The state is the one :mod:`smokejumper.monitoring.slo_status` reports (``ok``, ``ticket``,
``page``, ``no_data``); the caller passes it with the error budget left, as plain data, so this
package needs nothing of the monitoring package. ``no_data`` gives no evaluation: what fired
keeps firing until data says otherwise.

>>> rule = SloRule("churn", "latency-slo", "p99")
>>> [(e.labels["severity"], e.firing) for e in slo_evaluations(rule, "page", 0.4)]
[('page', True), ('ticket', False)]
>>> slo_evaluations(rule, "page", 0.4)[0].annotations["summary"]
'SLO latency-slo of model churn is burning its error budget fast: 40.0% left'
>>> [e.firing for e in slo_evaluations(rule, "ok", 0.4)], slo_evaluations(rule, "no_data", None)
([False, False], ())
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from smokejumper.alerting.alert import Link, clean_labels
from smokejumper.alerting.alert_set import Evaluation
from smokejumper.alerting.sources import check_own_labels
from smokejumper.errors import InvalidAlertError

_STATES = ("ok", "ticket", "page", "no_data")
_ALERTNAME = {"page": "SmokejumperSloPage", "ticket": "SmokejumperSloTicket"}
_PACE = {"page": "fast", "ticket": "faster than it allows"}


@dataclass(frozen=True)
class SloRule:
    """An SLO whose state may page: its ``model``, name ``slo``, the ``monitor`` it is built
    on, ``team``, the user's ``labels`` and a ``runbook_url``."""

    model: str
    slo: str
    monitor: str
    team: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    runbook_url: str | None = None

    def __post_init__(self) -> None:
        check_own_labels(self.labels, f"SLO {self.slo!r}")

    def alert_labels(self, severity: str) -> dict[str, str]:
        """The labels of this SLO's alert at ``severity`` (``page`` or ``ticket``)."""
        ours = {
            "alertname": _ALERTNAME[severity],
            "model": self.model,
            "monitor": self.monitor,
            "slo": self.slo,
            "type": "slo",
            "severity": severity,
            "team": self.team or "",
        }
        return clean_labels({**self.labels, **ours})


def slo_evaluations(
    rule: SloRule, state: str, budget_remaining: float | None
) -> tuple[Evaluation, ...]:
    """The page and ticket evaluations for ``state`` (none at ``no_data``)."""
    if state not in _STATES:
        raise InvalidAlertError(
            f"SLO {rule.slo!r}: unknown state {state!r}; expected one of {', '.join(_STATES)}"
        )
    if state == "no_data":
        return ()
    return tuple(_evaluation(rule, sev, state == sev, budget_remaining) for sev in _ALERTNAME)


def _evaluation(
    rule: SloRule, severity: str, firing: bool, budget_remaining: float | None
) -> Evaluation:
    labels = rule.alert_labels(severity)
    if not firing:
        return Evaluation(labels, False)
    left = "" if budget_remaining is None else f": {budget_remaining:.1%} left"
    annotations = {
        "summary": f"SLO {rule.slo} of model {rule.model} is burning its error budget "
        f"{_PACE[severity]}{left}",
        "description": f"The SLO {rule.slo} on monitor {rule.monitor} is in state {severity}: "
        "the burn rate reached the threshold over both its long and short windows. "
        + (
            f"Error budget left over the period: {budget_remaining:.1%}."
            if budget_remaining is not None
            else "No error budget figure was given."
        ),
    }
    links = [Link(f"{{external_url}}/api/v1/models/{rule.model}/slos", f"SLOs of {rule.model}")]
    if rule.runbook_url:
        annotations["runbook_url"] = rule.runbook_url
        links.append(Link(rule.runbook_url, "Runbook"))
    context = {"slo": rule.slo, "state": severity, "budget_remaining": budget_remaining}
    return Evaluation(labels, True, annotations, tuple(links), context)
