"""What the notification pipeline remembers between passes: data the caller persists.

A **channel** is one group and one receiver: the route's own receiver (level 0) or a receiver
of its escalation chain (level 1, 2, ...). Each channel has its timer (``next_flush_at``) and its
entry of the notification log: when it last sent, and which alerts it last told the receiver
were firing and resolved. Besides the channels, the state keeps when each alert was first
notified in its group (escalation counts from there) and how far down its route's chain it has
been escalated.

:meth:`PipelineState.to_dict` and :meth:`PipelineState.from_dict` turn the state into JSON-ready
data and back, so a store can keep it in one column.

>>> from datetime import UTC, datetime
>>> t = datetime(2026, 11, 1, tzinfo=UTC)
>>> state = PipelineState(channels={("g", "team"): ChannelState("g", "team", 0, t)})
>>> PipelineState.from_dict(state.to_dict()) == state
True
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

#: A channel's key: (group key, receiver).
ChannelKey = tuple[str, str]
#: An alert in a group: (group key, fingerprint).
Membership = tuple[str, str]


@dataclass(frozen=True)
class ChannelState:
    """The timer and notification-log entry of one (group, receiver)."""

    group_key: str
    receiver: str
    level: int
    next_flush_at: datetime
    last_sent_at: datetime | None = None
    firing: frozenset[str] = frozenset()
    resolved: frozenset[str] = frozenset()

    @property
    def key(self) -> ChannelKey:
        """``(group_key, receiver)``."""
        return (self.group_key, self.receiver)


@dataclass(frozen=True)
class PipelineState:
    """Channels by key, and per alert in a group its first notification and escalation level."""

    channels: Mapping[ChannelKey, ChannelState] = field(default_factory=dict)
    first_notified: Mapping[Membership, datetime] = field(default_factory=dict)
    escalation_levels: Mapping[Membership, int] = field(default_factory=dict)

    def forget_alerts(self, firing: Collection[str]) -> PipelineState:
        """The state without the first notifications and escalation levels of alerts no longer
        in ``firing`` (fingerprints, muted ones included): a later episode of such an alert
        starts its escalation afresh, while a silence only pauses it."""
        return PipelineState(
            self.channels,
            {k: v for k, v in self.first_notified.items() if k[1] in firing},
            {k: v for k, v in self.escalation_levels.items() if k[1] in firing},
        )

    def to_dict(self) -> dict[str, Any]:
        """The state as JSON-ready data (times in ISO 8601, lists sorted)."""
        return {
            "channels": [
                {
                    "group_key": c.group_key,
                    "receiver": c.receiver,
                    "level": c.level,
                    "next_flush_at": c.next_flush_at.isoformat(),
                    "last_sent_at": c.last_sent_at.isoformat() if c.last_sent_at else None,
                    "firing": sorted(c.firing),
                    "resolved": sorted(c.resolved),
                }
                for _, c in sorted(self.channels.items())
            ],
            "alerts": [
                {
                    "group_key": group,
                    "fingerprint": fp,
                    "first_notified": at.isoformat(),
                    "escalation_level": self.escalation_levels.get((group, fp), 0),
                }
                for (group, fp), at in sorted(self.first_notified.items())
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PipelineState:
        """The state :meth:`to_dict` wrote."""
        channels = {}
        for c in data.get("channels", []):
            sent = c.get("last_sent_at")
            channel = ChannelState(
                c["group_key"],
                c["receiver"],
                int(c["level"]),
                datetime.fromisoformat(c["next_flush_at"]),
                datetime.fromisoformat(sent) if sent else None,
                frozenset(c.get("firing", [])),
                frozenset(c.get("resolved", [])),
            )
            channels[channel.key] = channel
        first, levels = {}, {}
        for a in data.get("alerts", []):
            key = (a["group_key"], a["fingerprint"])
            first[key] = datetime.fromisoformat(a["first_notified"])
            if a.get("escalation_level"):
                levels[key] = int(a["escalation_level"])
        return cls(channels, first, levels)
