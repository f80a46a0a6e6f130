"""Silences: matchers that mute the firing alerts they match from ``starts_at`` to ``ends_at``.

A silence is active at ``now`` when ``starts_at <= now < ends_at``; before it is ``pending``,
after it is ``expired``. It mutes a firing alert when every matcher matches the alert's labels.
Resolved alerts are never muted, so the people told of an alert hear that it resolved. A
silence must say who made it and why, and must end after it starts.

>>> from datetime import UTC, datetime, timedelta
>>> t = datetime(2026, 11, 1, 9, tzinfo=UTC)
>>> s = Silence.of("s1", ['model="churn"'], t, t + timedelta(hours=2), "ana", "retraining")
>>> s.state(t - timedelta(minutes=1)), s.state(t), s.state(t + timedelta(hours=2))
('pending', 'active', 'expired')
>>> drift = Alert({"model": "churn", "type": "feature_drift"}, {}, t)
>>> silenced([drift], [s], t + timedelta(hours=1)) == {drift.fingerprint: ("s1",)}
True
>>> Silence.of("s2", ['model="churn"'], t, t - timedelta(hours=1), "ana", "oops")
Traceback (most recent call last):
...
smokejumper.errors.InvalidSilenceError: silence 's2' ends at 2026-11-01 08:00:00+00:00, \
before it starts at 2026-11-01 09:00:00+00:00; give an end after the start
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from smokejumper.alerting.alert import Alert
from smokejumper.alerting.index import LabelIndex
from smokejumper.alerting.matchers import Matcher, matches_all, parse_matcher
from smokejumper.errors import AlertingConfigError, InvalidSilenceError


@dataclass(frozen=True)
class Silence:
    """Mutes the firing alerts its ``matchers`` match while active; see the module docstring."""

    id: str
    matchers: tuple[Matcher, ...]
    starts_at: datetime
    ends_at: datetime
    created_by: str
    comment: str

    def __post_init__(self) -> None:
        who = f"silence {self.id!r}"
        if not self.matchers:
            raise InvalidSilenceError(f"{who} has no matcher; it would mute every alert")
        for when in (self.starts_at, self.ends_at):
            if not isinstance(when, datetime) or when.tzinfo is None:
                raise InvalidSilenceError(f"{who}: times must be timezone-aware, got {when!r}")
        if self.ends_at <= self.starts_at:
            raise InvalidSilenceError(
                f"{who} ends at {self.ends_at}, before it starts at {self.starts_at}; "
                "give an end after the start"
            )
        for field_name in ("created_by", "comment"):
            value = getattr(self, field_name)
            if not isinstance(value, str) or not value.strip():
                raise InvalidSilenceError(f"{who} needs a {field_name.replace('_', ' ')}")
        if all(m.matches_value("") for m in self.matchers):
            raise InvalidSilenceError(
                f"{who}: every matcher also matches alerts without the label, so it would mute "
                'nearly every alert; add a matcher such as model="..."'
            )

    @classmethod
    def of(
        cls,
        id: str,
        matchers: Iterable[str],
        starts_at: datetime,
        ends_at: datetime,
        created_by: str,
        comment: str,
    ) -> Silence:
        """A silence from matchers written as text (``'model="churn"'``)."""
        try:
            parsed = tuple(parse_matcher(m, f"matchers[{i}]") for i, m in enumerate(matchers))
        except AlertingConfigError as err:
            raise InvalidSilenceError(f"silence {id!r}: {err}") from None
        return cls(id, parsed, starts_at, ends_at, created_by, comment)

    def state(self, now: datetime) -> Literal["pending", "active", "expired"]:
        """Where the silence stands at ``now``."""
        if now < self.starts_at:
            return "pending"
        return "active" if now < self.ends_at else "expired"

    def active(self, now: datetime) -> bool:
        """Whether the silence mutes alerts at ``now``."""
        return self.starts_at <= now < self.ends_at

    def mutes(self, alert: Alert, now: datetime) -> bool:
        """Whether it mutes ``alert`` at ``now``."""
        return alert.firing and self.active(now) and matches_all(self.matchers, alert.labels)


def unmatched(silence: Silence, seen: Iterable[Mapping[str, str]]) -> bool:
    """Whether ``silence``'s matchers match none of the label sets ``seen`` (the alerts known):
    likely a typo, worth a warning when the silence is made.

    >>> from datetime import UTC, datetime, timedelta
    >>> t = datetime(2026, 11, 1, tzinfo=UTC)
    >>> s = Silence.of("s", ['model="chrun"'], t, t + timedelta(hours=1), "ana", "typo")
    >>> unmatched(s, [{"model": "churn"}])
    True
    """
    return not any(matches_all(silence.matchers, labels) for labels in seen)


def is_silenced(alert: Alert, silences: Iterable[Silence], now: datetime) -> bool:
    """Whether an active silence mutes ``alert`` at ``now``."""
    return any(s.mutes(alert, now) for s in silences)


def silenced(
    alerts: Iterable[Alert], silences: Sequence[Silence], now: datetime
) -> dict[str, tuple[str, ...]]:
    """The silenced firing alerts at ``now``: fingerprint -> ids of the silences muting it.
    Alerts are found through a label index, each silence selecting its own."""
    index = LabelIndex([a for a in alerts if a.firing])
    muted: dict[str, tuple[str, ...]] = {}
    for silence in silences:
        if silence.active(now):
            for alert in index.select(silence.matchers):
                muted[alert.fingerprint] = (*muted.get(alert.fingerprint, ()), silence.id)
    return muted
