"""Opening incidents from alerts: which alerts open one, and which join one already open.

The **policy** comes from the configuration file::

    incidents:
      open_on: ['severity="page"']        # matchers, all must hold (Alertmanager's syntax)
      join_window: 2h                     # default 2h
      severity_from_alert: {critical: SEV1, page: SEV2, ticket: SEV3}
      default_severity: SEV3              # for alert severities not in the mapping

Given the firing alerts of a pass and the incidents, :func:`decide` says for each alert:

* :class:`Join` an open incident of the same model (its ``model`` label among the incident's
  models) whose newest alert started at most ``join_window`` before this one, the most recent
  such incident if several. Joining does not need ``open_on``: a warning about a model already
  in an incident is part of that incident's story. An alert already attached joins again only
  for a new episode (a later ``starts_at``), so the same firing alert is recorded once.
* :class:`Open` a new incident if the alert matches ``open_on``. Alerts of one pass for the
  same model within the window share one new incident. Its title is the first alert's
  ``summary`` annotation (or its name and model), its severity the worst of its alerts'
  (``severity_from_alert``), its taxonomy labels guessed from the monitor type
  (:func:`guess_labels`), its detection time the first alert's start.
* :class:`Skip` it otherwise, saying why; an alert whose episode is already attached to any
  incident (even a resolved one: people decided it is over while it still fires) is skipped.

**Matchers.** This package may not import :mod:`smokejumper.alerting` (domain packages are
independent), and matchers must mean the same everywhere in the file. So the policy holds
matcher *objects* (anything with ``matches(labels) -> bool``, :class:`LabelMatcher`), and
:func:`parse_policy` takes the parser as an argument: the service passes alerting's
``parse_matcher``, whose errors already name the path (``incidents.open_on[0]``). One syntax,
one parser, no dependency between siblings, and the policy stays a plain value to test.

>>> from datetime import UTC, datetime, timedelta
>>> from smokejumper.alerting import parse_matcher
>>> policy = parse_policy({"open_on": ['severity="page"'], "join_window": "1h"}, parse_matcher)
>>> t = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
>>> drift = FiringAlert("a1", {"model": "churn", "type": "feature_drift", "severity": "page"}, t)
>>> nulls = FiringAlert("a2", {"model": "churn", "type": "null_rate", "severity": "warning"},
...                     t + timedelta(minutes=10))
>>> [opened] = decide([drift, nulls], [], policy)
>>> opened.title, opened.severity.value, opened.labels, len(opened.alerts)
('feature_drift on model churn', 'SEV2', ('data_drift', 'data_quality'), 2)
>>> incident, events = opened.apply("INC-1", t + timedelta(minutes=11))
>>> later = FiringAlert("a3", {"model": "churn", "type": "latency"}, t + timedelta(minutes=50))
>>> skip, join = decide([later, drift], [incident], policy)
>>> skip.reason
'already attached to incident INC-1'
>>> join.incident_id, join.alert.fingerprint, join.labels
('INC-1', 'a3', ('serving_infrastructure',))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from smokejumper.errors import IncidentConfigError, IncidentError
from smokejumper.incidents.checks import aware, name
from smokejumper.incidents.document import duration, mapping, only_keys, sequence, text
from smokejumper.incidents.incident import Changed, Incident
from smokejumper.incidents.severity import Severity, parse_severity
from smokejumper.incidents.taxonomy import taxonomy_slugs


class LabelMatcher(Protocol):
    """A condition on an alert's labels (alerting's ``Matcher`` is one)."""

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether ``labels`` satisfy the condition."""
        ...


#: Makes a matcher of its text; the second argument is the path to name in an error.
MatcherParser = Callable[[str, str], LabelMatcher]


class AlertLike(Protocol):
    """What opening reads of an alert (alerting's ``Alert`` is one; so is
    :class:`FiringAlert`)."""

    @property
    def fingerprint(self) -> str: ...

    @property
    def labels(self) -> Mapping[str, str]: ...

    @property
    def annotations(self) -> Mapping[str, str]: ...

    @property
    def starts_at(self) -> datetime: ...


@dataclass(frozen=True)
class FiringAlert:
    """A firing alert as plain data: its fingerprint, labels, start and annotations."""

    fingerprint: str
    labels: Mapping[str, str]
    starts_at: datetime
    annotations: Mapping[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        name(self.fingerprint, "an alert's fingerprint")
        aware(self.starts_at, "an alert's starts_at")


#: The default mapping of an alert's ``severity`` label to an incident severity.
DEFAULT_SEVERITY_FROM_ALERT: dict[str, Severity] = {
    "critical": Severity.SEV1,
    "page": Severity.SEV2,
    "error": Severity.SEV2,
    "ticket": Severity.SEV3,
    "warning": Severity.SEV4,
    "info": Severity.SEV4,
}

#: The taxonomy label each monitor type suggests.
LABEL_BY_MONITOR_TYPE: dict[str, str] = {
    "feature_drift": "data_drift",
    "prediction_drift": "data_drift",
    "null_rate": "data_quality",
    "out_of_range": "data_quality",
    "unseen_categories": "data_quality",
    "rejected_batches": "data_quality",
    "volume": "data_quality",
    "data_quality": "data_quality",
    "performance": "model_regression",
    "latency": "serving_infrastructure",
    "error_rate": "serving_infrastructure",
    "fairness": "fairness_bias",
}


def guess_labels(labels: Mapping[str, str]) -> tuple[str, ...]:
    """The taxonomy labels an alert suggests: by its monitor ``type``; an alert from
    Alertmanager (``source="alertmanager"``, say a node or a pod down) suggests serving
    infrastructure. A guess for people to correct, not a diagnosis.

    >>> guess_labels({"type": "volume"}), guess_labels({"alertname": "PodCrashLooping",
    ...                                                  "source": "alertmanager"})
    (('data_quality',), ('serving_infrastructure',))
    """
    by_type = LABEL_BY_MONITOR_TYPE.get(labels.get("type", ""))
    if by_type:
        return (by_type,)
    if labels.get("source") == "alertmanager" and labels.get("alertname"):
        return ("serving_infrastructure",)
    return ()


def alert_title(alert: AlertLike) -> str:
    """A title for an incident opened by ``alert``: its summary, else its name and model."""
    summary = (alert.annotations.get("summary") or "").strip()
    if summary:
        return summary
    labels = alert.labels
    what = labels.get("alertname") or labels.get("type") or "alert"
    where = labels.get("model")
    if where:
        return f"{what} on model {where}"
    other = labels.get("service") or labels.get("instance") or labels.get("job")
    return f"{what} on {other}" if other else what


@dataclass(frozen=True)
class OpeningPolicy:
    """When alerts open incidents, how long one keeps taking alerts, and at what severity.
    An empty ``open_on`` opens nothing by itself (incidents are declared by hand)."""

    open_on: tuple[LabelMatcher, ...]
    join_window: timedelta = timedelta(hours=2)
    severity_from_alert: Mapping[str, Severity] = field(
        default_factory=lambda: dict(DEFAULT_SEVERITY_FROM_ALERT)
    )
    default_severity: Severity = Severity.SEV3

    def opens(self, labels: Mapping[str, str]) -> bool:
        """Whether an alert with ``labels`` opens an incident."""
        return bool(self.open_on) and all(m.matches(labels) for m in self.open_on)

    def severity_for(self, labels: Mapping[str, str]) -> Severity:
        """The incident severity for an alert with ``labels``."""
        return self.severity_from_alert.get(labels.get("severity", ""), self.default_severity)


_KEYS = ("open_on", "join_window", "severity_from_alert", "default_severity")


def parse_policy(
    data: object, parse_matcher: MatcherParser, path: str = "incidents"
) -> OpeningPolicy:
    """The policy of ``data`` (the keys of the module docstring; ``open_on`` defaults to
    ``['severity="page"']``). ``parse_matcher(text, path)`` makes each matcher.

    >>> from smokejumper.alerting import parse_matcher
    >>> parse_policy({"severity_from_alert": {"page": "SEV5"}}, parse_matcher)
    Traceback (most recent call last):
    ...
    smokejumper.errors.IncidentConfigError: incidents.severity_from_alert.page: severity must \
be one of SEV1, SEV2, SEV3, SEV4 (SEV1 the worst), got 'SEV5'
    """
    doc = mapping(data if data is not None else {}, path)
    only_keys(doc, _KEYS, path)
    texts = [
        text(item, f"{path}.open_on[{i}]")
        for i, item in enumerate(
            sequence(doc.get("open_on", ['severity="page"']), f"{path}.open_on")
        )
    ]
    matchers = tuple(parse_matcher(t, f"{path}.open_on[{i}]") for i, t in enumerate(texts))
    window = duration(doc.get("join_window", "2h"), f"{path}.join_window")
    mapped = dict(DEFAULT_SEVERITY_FROM_ALERT)
    given = mapping(doc.get("severity_from_alert", {}), f"{path}.severity_from_alert")
    for key, value in given.items():
        mapped[key] = _severity(value, f"{path}.severity_from_alert.{key}")
    default = _severity(doc.get("default_severity", "SEV3"), f"{path}.default_severity")
    return OpeningPolicy(matchers, window, mapped, default)


def _severity(value: object, path: str) -> Severity:
    try:
        return parse_severity(value)
    except IncidentError as err:
        raise IncidentConfigError(path, str(err)) from None


@dataclass(frozen=True)
class Open:
    """Open one incident for ``alerts`` (the first one opened it)."""

    alerts: tuple[AlertLike, ...]
    title: str
    severity: Severity
    labels: tuple[str, ...]

    @property
    def detected_at(self) -> datetime:
        """When the first of its alerts started."""
        return min(a.starts_at for a in self.alerts)

    def apply(self, incident_id: str, now: datetime) -> Changed:
        """The new incident ``incident_id`` with its alerts attached, and its events."""
        incident, events = Incident.open(
            incident_id,
            self.title,
            self.severity,
            now,
            source="alerting",
            detected_at=self.detected_at,
            labels=self.labels,
        )
        all_events = list(events)
        for alert in self.alerts:
            incident, more = _attach(incident, alert, now)
            all_events.extend(more)
        return Changed(incident, tuple(all_events))


@dataclass(frozen=True)
class Join:
    """Attach ``alert`` to the open incident ``incident_id`` (adding the taxonomy
    ``labels`` it suggests)."""

    alert: AlertLike
    incident_id: str
    labels: tuple[str, ...]

    def apply(self, incident: Incident, now: datetime) -> Changed:
        """The incident with the alert attached, and its events."""
        if incident.id != self.incident_id:
            raise IncidentError(f"this alert joins incident {self.incident_id}, not {incident.id}")
        incident, events = _attach(incident, self.alert, now)
        incident, more = incident.relabel(now, add=self.labels, actor=None, source="alerting")
        return Changed(incident, (*events, *more))


@dataclass(frozen=True)
class Skip:
    """Nothing to do for ``alert``; ``reason`` says why."""

    alert: AlertLike
    reason: str


Decision = Open | Join | Skip


def _attach(incident: Incident, alert: AlertLike, now: datetime) -> Changed:
    return incident.attach_alert(
        alert.fingerprint,
        alert.starts_at,
        now,
        labels=alert.labels,
        summary=alert.annotations.get("summary") or None,
    )


def decide(
    alerts: Iterable[AlertLike],
    incidents: Sequence[Incident],
    policy: OpeningPolicy,
) -> list[Decision]:
    """What to do with each firing alert (see the module docstring): one :class:`Join` or
    :class:`Skip` per alert, and one :class:`Open` per new incident, in order of the alerts'
    starts."""
    live = [i for i in incidents if i.is_open]
    last = {i.id: i.last_alert_at or i.detected_at for i in live}
    seen = {i.id: dict(i.alerts) for i in live}
    done = {fp: (i.id, at) for i in incidents if not i.is_open for fp, at in i.alerts.items()}
    pending: list[list[AlertLike]] = []
    out: list[Decision | list[AlertLike]] = []

    # Among alerts that start together, those that open incidents go first, so the others of
    # their model join the incident they open rather than being skipped.
    def order(a: AlertLike) -> tuple[datetime, bool, str]:
        return aware(a.starts_at, "starts_at"), not policy.opens(a.labels), a.fingerprint

    for alert in sorted(alerts, key=order):
        model = alert.labels.get("model")
        if any(alert.fingerprint == a.fingerprint for g in pending for a in g):
            out.append(Skip(alert, "given twice; the first opens the incident"))
            continue
        holder = next((i for i in live if alert.fingerprint in seen[i.id]), None)
        if holder is not None and alert.starts_at <= seen[holder.id][alert.fingerprint]:
            out.append(Skip(alert, f"already attached to incident {holder.id}"))
            continue
        closed = done.get(alert.fingerprint)
        if holder is None and closed is not None and alert.starts_at <= closed[1]:
            out.append(Skip(alert, f"already attached to incident {closed[0]}, no longer open"))
            continue
        target = holder or _joinable(live, last, model, alert.starts_at, policy.join_window)
        if target is not None:
            seen[target.id][alert.fingerprint] = alert.starts_at
            last[target.id] = max(last[target.id], alert.starts_at)
            out.append(Join(alert, target.id, guess_labels(alert.labels)))
            continue
        group = next(
            (
                g
                for g in pending
                if model
                and g[0].labels.get("model") == model
                and alert.starts_at - g[-1].starts_at <= policy.join_window
            ),
            None,
        )
        if group is not None:
            group.append(alert)
        elif policy.opens(alert.labels):
            group = [alert]
            pending.append(group)
            out.append(group)
        else:
            where = f" of model {model}" if model else ""
            out.append(Skip(alert, f"does not match open_on and no open incident{where} takes it"))
    return [_opening(item, policy) if isinstance(item, list) else item for item in out]


def _joinable(
    live: Sequence[Incident],
    last: Mapping[str, datetime],
    model: str | None,
    starts_at: datetime,
    window: timedelta,
) -> Incident | None:
    if not model:
        return None
    fits = [i for i in live if model in i.models and starts_at - last[i.id] <= window]
    return max(fits, key=lambda i: (last[i.id], i.id), default=None)


def _opening(alerts: list[AlertLike], policy: OpeningPolicy) -> Open:
    severity = min((policy.severity_for(a.labels) for a in alerts), key=lambda s: s.rank)
    labels = taxonomy_slugs(label for alert in alerts for label in guess_labels(alert.labels))
    return Open(tuple(alerts), alert_title(alerts[0]), severity, labels)
