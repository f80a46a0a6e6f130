"""One pass of the notification pipeline: a chain of small stages, each a function of
(alerts, state, now).

    inhibit -> silence -> route -> group -> escalate -> wait -> dedup and emit -> forget

Inhibited and silenced firing alerts are taken out first (resolved alerts always go on, so a
receiver hears that what it was told of resolved). Then each alert goes to the routes that take
it and into their groups; escalations due open their channels; the wait stage says which
channels flush now; a flush sends only what the notification log says is news (or a repeat);
what the state remembers of alerts that stopped firing is forgotten.
The output is data: the notifications and escalations to record, and the state to persist
for the next pass. No clock is read: ``now`` is passed in, so tests need no sleeps.

>>> from datetime import UTC, datetime, timedelta
>>> config = parse_config({"route": {"receiver": "team", "group_by": ["model"]},
...                        "receivers": [{"name": "team"}]})
>>> t = datetime(2026, 11, 1, tzinfo=UTC)
>>> alerts = [Alert({"model": "churn", "monitor": f"drift-{i}"}, {}, t) for i in range(10)]
>>> first = run_pass(alerts, config, [], PipelineState(), t)
>>> first.notifications  # group_wait (30s) first
[]
>>> later = run_pass(alerts, config, [], first.state, t + timedelta(seconds=30))
>>> [(n.receiver, n.reason, len(n.firing)) for n in later.notifications]
[('team', 'new', 10)]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from smokejumper.alerting.alert import Alert, aware
from smokejumper.alerting.config import AlertingConfig, parse_config
from smokejumper.alerting.dispatch import flush, wait
from smokejumper.alerting.escalation import escalate
from smokejumper.alerting.grouping import Group, group_alerts, route_alerts
from smokejumper.alerting.inhibition import inhibit
from smokejumper.alerting.notifications import Escalation, Notification
from smokejumper.alerting.silences import Silence, silenced
from smokejumper.alerting.state import PipelineState

__all__ = ["PassResult", "parse_config", "run_pass"]


@dataclass(frozen=True)
class PassResult:
    """What one pass decided: notifications to send, escalations to record on their alerts,
    the state for the next pass, and why alerts were held back (inhibited: fingerprint ->
    the alert muting it; silenced: fingerprint -> silence ids)."""

    notifications: list[Notification]
    escalations: list[Escalation]
    state: PipelineState
    inhibited: Mapping[str, str]
    silenced: Mapping[str, tuple[str, ...]]
    groups: Mapping[str, Group]


def run_pass(
    alerts: Iterable[Alert],
    config: AlertingConfig,
    silences: Sequence[Silence],
    state: PipelineState,
    now: datetime,
) -> PassResult:
    """One pass of the pipeline over ``alerts`` at ``now`` (see the module docstring)."""
    aware(now, "now")
    every = list(alerts)
    inhibited = inhibit(every, config.inhibit_rules)
    muted = silenced(every, silences, now)
    kept = [a for a in every if a.fingerprint not in inhibited and a.fingerprint not in muted]
    groups = group_alerts(route_alerts(kept, config.route))
    escalations, state = escalate(groups, state, now)
    due, state = wait(groups, state, now)
    notifications, state = flush(due, groups, config.receivers, state, now)
    state = state.forget_alerts({a.fingerprint for a in every if a.firing})
    return PassResult(notifications, escalations, state, inhibited, muted, groups)
