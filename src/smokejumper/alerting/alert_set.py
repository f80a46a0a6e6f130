"""The alerts known at one instant, and how new evaluations change them.

Each source (a monitor, an SLO) says at each pass what it sees as an :class:`Evaluation`: the
labels of its alert, the annotations, and whether the condition holds. :meth:`AlertSet.apply`
is the state transition ``(alerts, evaluations, now) -> alerts``:

================================ ===========================================================
evaluation, alert of that print  result
================================ ===========================================================
firing, none or resolved         a new firing alert from ``now`` (no acknowledgement)
firing, firing                   the same alert with the new annotations (start, ack kept)
not firing, firing               the alert resolved at ``now``
not firing, none or resolved     nothing changes
firing but ended, same episode   the alert resolved at ``now`` (if it was still firing)
================================ ===========================================================

"Firing but ended" is an episode that began and ended between two passes (see
:mod:`~smokejumper.alerting.sources`): it fires once, unless the alert of its fingerprint is
already about that episode (the same ``since`` in its context).

So the same fingerprint firing again updates its alert and never makes a second one; an alert
that fires again after it resolved starts a new episode in its place. Alerts whose source is not
among the evaluations are left as they are.

>>> from datetime import UTC, datetime, timedelta
>>> t = datetime(2026, 11, 1, 10, tzinfo=UTC)
>>> drift = {"model": "churn", "monitor": "drift"}
>>> alerts = AlertSet().apply([Evaluation(drift, True, {"summary": "2 columns"})], t)
>>> later = t + timedelta(hours=1)
>>> alerts = alerts.apply([Evaluation(drift, True, {"summary": "3 columns"})], later)
>>> [(a.annotations["summary"], a.starts_at.hour, a.state) for a in alerts]
[('3 columns', 10, 'firing')]
>>> [a.state for a in alerts.apply([Evaluation(drift, False)], t + timedelta(hours=2))]
['resolved']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from smokejumper.alerting.alert import Alert, EscalationRecord, Link, aware, fingerprint
from smokejumper.errors import UnknownAlertError


@dataclass(frozen=True)
class Evaluation:
    """What a source sees now: its alert's labels, whether it fires, and how to describe it."""

    labels: Mapping[str, str]
    firing: bool
    annotations: Mapping[str, str] = field(default_factory=dict)
    links: tuple[Link, ...] = ()
    context: Mapping[str, Any] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        """The fingerprint of the alert this evaluation is about."""
        return fingerprint(self.labels)


class AlertSet:
    """Alerts by fingerprint, one per fingerprint. Immutable: every change returns a new set.

    >>> from datetime import UTC
    >>> AlertSet().acknowledge("0123456789abcdef", "ana", datetime(2026, 1, 1, tzinfo=UTC))
    Traceback (most recent call last):
    ...
    smokejumper.errors.UnknownAlertError: no alert has fingerprint '0123456789abcdef'; \
list the alerts to find it
    """

    __slots__ = ("_alerts",)

    def __init__(self, alerts: Iterable[Alert] = ()) -> None:
        self._alerts: dict[str, Alert] = {a.fingerprint: a for a in alerts}

    def __iter__(self) -> Iterator[Alert]:
        return iter(self._alerts.values())

    def __len__(self) -> int:
        return len(self._alerts)

    def __contains__(self, fp: object) -> bool:
        return fp in self._alerts

    def __repr__(self) -> str:
        return f"AlertSet({len(self.firing())} firing, {len(self) - len(self.firing())} resolved)"

    def get(self, fp: str) -> Alert | None:
        """The alert of fingerprint ``fp``, if any."""
        return self._alerts.get(fp)

    def firing(self) -> list[Alert]:
        """The firing alerts."""
        return [a for a in self._alerts.values() if a.firing]

    def apply(self, evaluations: Iterable[Evaluation], now: datetime) -> AlertSet:
        """The alerts after ``evaluations`` seen at ``now`` (see the module docstring)."""
        aware(now, "now")
        alerts = dict(self._alerts)
        for ev in evaluations:
            fp = ev.fingerprint
            known = alerts.get(fp)
            if ev.firing and known is not None and _told(known, ev):
                alerts[fp] = known.resolve(now)
            elif ev.firing and (known is None or not known.firing):
                alerts[fp] = Alert(
                    ev.labels, ev.annotations, now, links=ev.links, context=ev.context
                )
            elif ev.firing and known is not None:
                alerts[fp] = replace(
                    known, annotations=ev.annotations, links=ev.links, context=ev.context
                )
            elif known is not None and known.firing:
                alerts[fp] = known.resolve(now)
        return _new(alerts)

    def acknowledge(self, fp: str, by: str, now: datetime) -> AlertSet:
        """The set with alert ``fp`` acknowledged by ``by`` (repeats and escalation stop)."""
        known = self._alerts.get(fp)
        if known is None:
            raise UnknownAlertError(f"no alert has fingerprint {fp!r}; list the alerts to find it")
        return _new({**self._alerts, fp: known.acknowledge(by, now)})

    def record_escalations(self, escalations: Iterable[Escalated]) -> AlertSet:
        """The set with each escalation recorded on its alert (unknown alerts are skipped)."""
        alerts = dict(self._alerts)
        for esc in escalations:
            known = alerts.get(esc.fingerprint)
            if known is not None:
                record = EscalationRecord(esc.receiver, esc.level, esc.at)
                alerts[esc.fingerprint] = replace(known, escalations=(*known.escalations, record))
        return _new(alerts)

    def forget_resolved(self, now: datetime, keep: timedelta) -> AlertSet:
        """The set without alerts resolved more than ``keep`` before ``now``."""
        return _new(
            {
                fp: a
                for fp, a in self._alerts.items()
                if a.ends_at is None or now - a.ends_at <= keep
            }
        )


def _told(known: Alert, ev: Evaluation) -> bool:
    """Whether ``ev`` is an episode that already ended (``healthy_again`` in its context) and
    that ``known`` already alerted on (the same ``since``): it resolves rather than fires."""
    since = ev.context.get("since")
    return (
        bool(ev.context.get("healthy_again"))
        and since is not None
        and (known.context.get("since") == since)
    )


class Escalated(Protocol):
    """What :meth:`AlertSet.record_escalations` reads of an escalation (see ``escalation``)."""

    @property
    def fingerprint(self) -> str:
        """The escalated alert."""

    @property
    def receiver(self) -> str:
        """Where it was sent on to."""

    @property
    def level(self) -> int:
        """The step of the route's chain (1 for the first receiver after the route's own)."""

    @property
    def at(self) -> datetime:
        """When."""


def _new(alerts: dict[str, Alert]) -> AlertSet:
    out = AlertSet()
    out._alerts = alerts
    return out
