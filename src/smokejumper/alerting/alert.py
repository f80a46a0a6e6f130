"""The alert: a firing condition with labels, a fingerprint, annotations and its times.

The **fingerprint** identifies an alert across evaluations, processes and machines: the first
16 hex digits (64 bits) of the SHA-256 of the labels as canonical JSON, that is keys sorted,
no spaces (``separators=(",", ":")``), non-ASCII kept as UTF-8. Labels with an empty value
are dropped first, as Prometheus treats them as absent. The same labels in any order give the
same fingerprint; any change of a label's value gives another alert.

>>> from datetime import UTC, datetime
>>> fingerprint({"model": "churn", "monitor": "drift"})
'317a192b3cfdcdfa'
>>> fingerprint({"monitor": "drift", "model": "churn", "team": ""})
'317a192b3cfdcdfa'
>>> a = Alert({"model": "churn", "severity": "page"}, {"summary": "churn drifts"},
...           starts_at=datetime(2026, 11, 1, 10, tzinfo=UTC))
>>> a.fingerprint, a.state, a.firing
('c2658a06309998da', 'firing', True)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from smokejumper.alerting.matchers import LABEL_NAME
from smokejumper.errors import InvalidAlertError

State = Literal["firing", "resolved"]


def clean_labels(labels: Mapping[str, str]) -> dict[str, str]:
    """The labels checked (names as Prometheus allows, string values) and without empty values.

    >>> clean_labels({"model": "churn", "column": ""})
    {'model': 'churn'}
    >>> clean_labels({"model": 3})
    Traceback (most recent call last):
    ...
    smokejumper.errors.InvalidAlertError: label 'model' must have a string value, got int 3
    """
    for name, value in labels.items():
        if not isinstance(name, str) or not LABEL_NAME.fullmatch(name):
            raise InvalidAlertError(
                f"label name {name!r} is not valid: it must match {LABEL_NAME.pattern}"
            )
        if not isinstance(value, str):
            raise InvalidAlertError(
                f"label {name!r} must have a string value, got {type(value).__name__} {value!r}"
            )
    return {k: v for k, v in labels.items() if v}


def fingerprint(labels: Mapping[str, str]) -> str:
    """The alert identity of ``labels`` (see the module docstring for the exact recipe)."""
    canonical = json.dumps(
        clean_labels(labels), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def aware(value: datetime, what: str) -> datetime:
    """``value``, refused if it has no time zone (alert times are compared across sources)."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidAlertError(
            f"{what} must be a timezone-aware datetime (UTC), got {value!r}; "
            "use datetime.now(UTC) or datetime(..., tzinfo=UTC)"
        )
    return value


@dataclass(frozen=True)
class Link:
    """A link for the people paged. ``href`` may hold ``{external_url}``, the Smokejumper
    server's address, which the delivery side fills in (:meth:`resolved`).

    >>> Link("{external_url}/models/churn", "Model churn").resolved("https://sj.example")
    Link(href='https://sj.example/models/churn', text='Model churn')
    """

    href: str
    text: str

    def resolved(self, external_url: str) -> Link:
        """The link with ``{external_url}`` replaced."""
        return Link(self.href.replace("{external_url}", external_url.rstrip("/")), self.text)


@dataclass(frozen=True)
class EscalationRecord:
    """The alert was sent on to ``receiver`` (step ``level`` of its route's chain) at ``at``."""

    receiver: str
    level: int
    at: datetime


@dataclass(frozen=True)
class Alert:
    """One alert. ``labels`` identify it (and give its :attr:`fingerprint`); ``annotations``
    describe it (``summary``, ``description``, ``runbook_url``, strings as in Alertmanager);
    ``links`` and ``context`` (structured ML facts: drifted columns with effect sizes, the
    null share, the window) are for receivers to render.

    An alert fires from ``starts_at``; once resolved, ``ends_at`` says when. Do not mutate the
    mappings: build a new alert with :func:`dataclasses.replace` or through
    :class:`~smokejumper.alerting.alert_set.AlertSet`.
    """

    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    starts_at: datetime
    ends_at: datetime | None = None
    links: tuple[Link, ...] = ()
    context: Mapping[str, Any] = field(default_factory=dict)
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    escalations: tuple[EscalationRecord, ...] = ()
    fingerprint: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", clean_labels(self.labels))
        for name, value in self.annotations.items():
            if not isinstance(value, str):
                raise InvalidAlertError(
                    f"annotation {name!r} must be a string, got {type(value).__name__} {value!r}"
                )
        aware(self.starts_at, "starts_at")
        if self.ends_at is not None and aware(self.ends_at, "ends_at") < self.starts_at:
            raise InvalidAlertError(
                f"alert {dict(self.labels)} ends at {self.ends_at}, before it starts at "
                f"{self.starts_at}; an alert resolves after it fires"
            )
        object.__setattr__(self, "fingerprint", fingerprint(self.labels))

    @property
    def state(self) -> State:
        """``firing`` until it has an end, then ``resolved``."""
        return "firing" if self.ends_at is None else "resolved"

    @property
    def firing(self) -> bool:
        """Whether the alert is firing."""
        return self.ends_at is None

    @property
    def acknowledged(self) -> bool:
        """Whether someone acknowledged the alert (which stops repeats and escalation)."""
        return self.acknowledged_by is not None

    def resolve(self, now: datetime) -> Alert:
        """The alert resolved at ``now`` (itself if already resolved)."""
        return self if self.ends_at is not None else replace(self, ends_at=max(now, self.starts_at))

    def acknowledge(self, by: str, now: datetime) -> Alert:
        """The alert acknowledged by ``by`` at ``now``.

        >>> from datetime import UTC, datetime
        >>> t = datetime(2026, 11, 1, tzinfo=UTC)
        >>> Alert({"model": "m"}, {}, t).acknowledge("ana", t).acknowledged_by
        'ana'
        """
        if not isinstance(by, str) or not by.strip():
            raise InvalidAlertError("say who acknowledges the alert (a non-empty name)")
        return replace(self, acknowledged_by=by, acknowledged_at=aware(now, "now"))
