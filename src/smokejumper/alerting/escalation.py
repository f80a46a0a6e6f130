"""The escalation stage: unacknowledged alerts go on down their route's chain.

A route with ``escalate_after: E`` and ``escalate_to: [r1, r2, ...]`` sends a firing,
unacknowledged alert to ``r1`` once ``E`` has passed since the alert was first notified in its
group, to ``r2`` after ``2E``, and so on to the end of the chain. Each step opens the channel
(group, receiver) at once, so the step is notified in this pass, and is recorded as an
:class:`~smokejumper.alerting.notifications.Escalation`. A receiver reached this way keeps
hearing about the escalated alerts (repeats, resolution) on its own timer. Acknowledging an
alert stops its escalation; a silence or an inhibition pauses it while it lasts (the time still
counts, so an alert still unacknowledged when its silence ends goes as far down the chain as its
age says). An alert that resolves and fires again starts afresh.

>>> from datetime import UTC, datetime, timedelta
>>> from smokejumper.alerting.grouping import group_alerts, route_alerts
>>> from smokejumper.alerting.routes import parse_route
>>> root = parse_route({"receiver": "team", "escalate_after": "30m",
...                     "escalate_to": ["lead", "head"]}, {"team", "lead", "head"})
>>> t = datetime(2026, 11, 1, tzinfo=UTC)
>>> alert = Alert({"model": "churn"}, {}, t)
>>> groups = group_alerts(route_alerts([alert], root))
>>> state = PipelineState(first_notified={("route:{}", alert.fingerprint): t})
>>> done, state = escalate(groups, state, t + timedelta(minutes=65))
>>> [(e.receiver, e.level) for e in done], sorted(state.channels)
([('lead', 1), ('head', 2)], [('route:{}', 'head'), ('route:{}', 'lead')])
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from smokejumper.alerting.alert import Alert
from smokejumper.alerting.grouping import Group
from smokejumper.alerting.notifications import Escalation
from smokejumper.alerting.state import ChannelState, PipelineState


def escalate(
    groups: Mapping[str, Group], state: PipelineState, now: datetime
) -> tuple[list[Escalation], PipelineState]:
    """The escalations due at ``now``, and the state with their channels opened."""
    levels = dict(state.escalation_levels)
    channels = dict(state.channels)
    done: list[Escalation] = []
    for group in groups.values():
        route = group.route
        if route.escalate_after is None:
            continue
        for alert in group.alerts:
            if not _may_escalate(alert):
                continue
            member = (group.key, alert.fingerprint)
            since = state.first_notified.get(member)
            if since is None:
                continue
            due = min(len(route.escalate_to), (now - since) // route.escalate_after)
            reached = levels.get(member, 0)
            for level in range(reached + 1, due + 1):
                receiver = route.escalate_to[level - 1]
                done.append(Escalation(alert.fingerprint, group.key, receiver, level, now))
                if (group.key, receiver) not in channels:
                    channels[(group.key, receiver)] = ChannelState(group.key, receiver, level, now)
            if due > reached:
                levels[member] = due
    return done, replace(state, channels=channels, escalation_levels=levels)


def _may_escalate(alert: Alert) -> bool:
    return alert.firing and not alert.acknowledged
