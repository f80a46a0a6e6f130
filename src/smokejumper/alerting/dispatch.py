"""The wait and dedup stages: when each channel flushes, and whether a flush sends.

**Wait.** A group with a firing alert and no channel to its route's receiver opens one that
first flushes ``group_wait`` after its oldest firing alert started (at once if that is past),
so alerts that start together go out together, whatever the cadence of passes. After each
flush, sent or not, the channel's next flush is ``group_interval`` later: a change in the group
waits for it, and no channel ever sends twice within ``group_interval``. A channel whose group
is gone (every alert muted or forgotten) is closed at its next flush, not before; so a group
silenced for a moment is not news when it comes back, and one that comes back after its
channel closed opens afresh (flushing at once when its alerts started longer than
``group_wait`` ago, as Alertmanager does).

**Dedup** against the channel's notification-log entry, at a flush (first rule that holds):

1. never sent: send (``new``, or ``escalation`` below the route's own receiver) if anything fires;
2. an alert fires that the last notification did not list as firing: send (``changed``);
3. nothing fires any more but the receiver was told something did: send (``resolved``) —
   or, for a receiver with ``send_resolved`` off, only clear the entry;
4. an alert the receiver was told of has resolved: send (``resolved``) if the receiver wants
   resolved alerts, else clear it from the entry;
5. ``repeat_interval`` has passed since the last send and a firing alert is unacknowledged:
   send (``repeat``); acknowledged alerts do not repeat.

The notification lists every firing alert the channel covers and the resolved alerts its
receiver was told of. A channel below level 0 covers only the alerts escalated that far. A
channel closes at a flush that has nothing to say and nothing firing, never at the flush that
sent, so an alert firing again soon after its resolution waits for ``group_interval`` too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from smokejumper.alerting.alert import Alert
from smokejumper.alerting.grouping import Group
from smokejumper.alerting.notifications import Notification, Reason
from smokejumper.alerting.receivers import Receiver
from smokejumper.alerting.state import ChannelKey, ChannelState, PipelineState


def wait(
    groups: Mapping[str, Group], state: PipelineState, now: datetime
) -> tuple[list[ChannelState], PipelineState]:
    """The channels due to flush at ``now``, and the state with new groups' channels opened."""
    channels = dict(state.channels)
    for group in groups.values():
        key = (group.key, group.route.receiver)
        firing = group.firing()
        if key not in channels and firing:
            first = min(a.starts_at for a in firing) + group.route.group_wait
            channels[key] = ChannelState(group.key, group.route.receiver, 0, max(first, now))
    due = [c for _, c in sorted(channels.items()) if c.next_flush_at <= now]
    return due, replace(state, channels=channels)


def flush(
    due: list[ChannelState],
    groups: Mapping[str, Group],
    receivers: Mapping[str, Receiver],
    state: PipelineState,
    now: datetime,
) -> tuple[list[Notification], PipelineState]:
    """The notifications the due channels send at ``now`` (dedup against their log entries),
    and the state with their entries and timers moved on."""
    channels: dict[ChannelKey, ChannelState] = dict(state.channels)
    first = dict(state.first_notified)
    sent: list[Notification] = []
    for channel in due:
        group = groups.get(channel.group_key)
        if group is None:  # every alert of the group is muted or gone: close at its flush
            del channels[channel.key]
            continue
        firing, resolved = _view(channel, group, state)
        wants_resolved = receivers[channel.receiver].send_resolved
        reason = _reason(channel, firing, resolved, wants_resolved, group, now)
        after = replace(channel, next_flush_at=now + group.route.group_interval)
        if reason is not None:
            told = tuple(resolved) if wants_resolved else ()
            sent.append(
                Notification(
                    channel.receiver,
                    group.key,
                    group.labels,
                    tuple(firing),
                    told,
                    reason,
                    now,
                    channel.level,
                )
            )
            after = replace(
                after, last_sent_at=now, resolved=frozenset(a.fingerprint for a in told)
            )
            if channel.level == 0:
                for alert in firing:
                    first.setdefault((group.key, alert.fingerprint), now)
        if reason is not None or resolved:
            after = replace(after, firing=frozenset(a.fingerprint for a in firing))
        if reason is None and not firing and not after.firing:
            del channels[
                channel.key
            ]  # a flush with nothing to say: close (never right after a send)
        else:
            channels[channel.key] = after
    return sent, replace(state, channels=channels, first_notified=first)


def _view(
    channel: ChannelState, group: Group, state: PipelineState
) -> tuple[list[Alert], list[Alert]]:
    """The firing alerts the channel covers, and the resolved ones its receiver was told of."""
    firing, resolved = [], []
    for alert in group.alerts:
        if not alert.firing:
            if alert.fingerprint in channel.firing:
                resolved.append(alert)
        elif channel.level == 0 or (
            state.escalation_levels.get((group.key, alert.fingerprint), 0) >= channel.level
        ):
            firing.append(alert)
    return firing, resolved


def _reason(
    channel: ChannelState,
    firing: list[Alert],
    resolved: list[Alert],
    wants_resolved: bool,
    group: Group,
    now: datetime,
) -> Reason | None:
    if channel.last_sent_at is None:
        if not firing:
            return None
        return "new" if channel.level == 0 else "escalation"
    if any(a.fingerprint not in channel.firing for a in firing):
        return "changed"
    if resolved and wants_resolved:
        return "resolved"
    if not firing:
        return None
    repeat_due = now - channel.last_sent_at >= group.route.repeat_interval
    return "repeat" if repeat_due and any(not a.acknowledged for a in firing) else None
