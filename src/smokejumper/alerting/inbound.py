"""Alerts from outside: Alertmanager's webhook payload (version 4) as evaluations.

Teams that run Prometheus and Alertmanager send their infrastructure alerts (node down, GPU
memory, queue lag) to Smokejumper with a ``webhook_configs`` entry pointing at
``POST /api/v1/integrations/alertmanager``; they then join Smokejumper's own alerts: the same
routes, grouping, silences and inhibition (a node-down alert can inhibit the drift it causes).

Each alert of the payload becomes an :class:`~smokejumper.alerting.alert_set.Evaluation` for
:meth:`AlertSet.apply <smokejumper.alerting.alert_set.AlertSet.apply>`:

* **labels**: the alert's labels, plus ``source="alertmanager"`` (replacing a ``source`` label
  of the alert's own), so routes and inhibition rules can tell infrastructure alerts apart and
  no outside alert takes the fingerprint of one of Smokejumper's;
* **firing** when the alert's ``status`` is ``firing``, resolved when it is ``resolved`` (a
  resolved alert not known to Smokejumper changes nothing);
* **annotations** as sent (``summary``, ``description``, ``runbook_url``...);
* **links**: the alert's ``generatorURL`` (the Prometheus expression) and the payload's
  ``externalURL`` (the Alertmanager);
* **context**: the alert's ``startsAt`` and ``endsAt`` (ISO 8601; ``endsAt`` is ``None`` while
  it fires: Alertmanager sends ``0001-01-01T00:00:00Z`` then), Alertmanager's own
  ``fingerprint``, ``receiver`` and ``groupKey``.

As for every source, the Smokejumper alert starts and resolves at the ``now`` of the pass that
applies the evaluation (the source's times are in ``context``). Alertmanager sends a firing
alert again every ``repeat_interval`` and a resolved one once (keep ``send_resolved: true``,
the webhook's default, or its alerts never resolve here).

A payload that is not version 4, or an alert with a missing or malformed field, is refused
whole with :class:`~smokejumper.errors.InvalidAlertError` naming the field
(``alerts[2].labels.severity``).

>>> payload = {"version": "4", "status": "firing", "receiver": "smokejumper",
...     "externalURL": "http://alertmanager:9093", "alerts": [{
...         "status": "firing", "labels": {"alertname": "NodeDown", "instance": "gpu-3"},
...         "annotations": {"summary": "gpu-3 is down"},
...         "startsAt": "2026-11-01T10:00:00.123456789Z", "endsAt": "0001-01-01T00:00:00Z",
...         "generatorURL": "http://prometheus:9090/graph?g0.expr=up", "fingerprint": "a1b2"}]}
>>> [ev] = parse_alertmanager_webhook(payload)
>>> ev.firing, dict(ev.labels)
(True, {'alertname': 'NodeDown', 'instance': 'gpu-3', 'source': 'alertmanager'})
>>> ev.context["starts_at"], ev.context["ends_at"], [link.text for link in ev.links]
('2026-11-01T10:00:00.123456+00:00', None, ['Source', 'Alertmanager'])
>>> parse_alertmanager_webhook({**payload, "version": "3"})
Traceback (most recent call last):
...
smokejumper.errors.InvalidAlertError: version: '3' is not supported; send Alertmanager's \
webhook payload version "4"
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from smokejumper.alerting.alert import Link
from smokejumper.alerting.alert_set import Evaluation
from smokejumper.alerting.matchers import LABEL_NAME
from smokejumper.errors import InvalidAlertError

__all__ = ["SOURCE", "VERSION", "parse_alertmanager_webhook"]

#: The only payload version accepted (Alertmanager's webhook has sent version 4 since 0.9).
VERSION = "4"
#: The label every inbound alert gets: ``source="alertmanager"``.
SOURCE = ("source", "alertmanager")
#: Alertmanager's zero time: the ``endsAt`` of a firing alert.
_ZERO_YEAR = 1
_STATUSES = ("firing", "resolved")


def parse_alertmanager_webhook(payload: object) -> list[Evaluation]:
    """The evaluations of an Alertmanager webhook payload (see the module docstring)."""
    doc = _mapping(payload, "(payload)", "a JSON object: Alertmanager's webhook payload")
    if "version" not in doc:
        raise InvalidAlertError(
            'version: missing; Alertmanager\'s webhook payload has "version": "4"'
        )
    if doc["version"] == int(VERSION) and not isinstance(doc["version"], bool):
        raise InvalidAlertError(f'version: must be the string "{VERSION}", not a number')
    if doc["version"] != VERSION:
        raise InvalidAlertError(
            f"version: {doc['version']!r} is not supported; send Alertmanager's webhook "
            f'payload version "{VERSION}"'
        )
    if "alerts" not in doc:
        raise InvalidAlertError("alerts: missing; the payload lists its alerts under alerts")
    alerts = doc["alerts"]
    if not isinstance(alerts, list):
        raise InvalidAlertError(f"alerts: expected a list of alerts, got {_kind(alerts)}")
    links = _external_link(doc)
    about = {
        key: _optional_text(doc, key, key)
        for key in ("receiver", "groupKey")
        if doc.get(key) is not None
    }
    return [_evaluation(item, f"alerts[{i}]", links, about) for i, item in enumerate(alerts)]


def _evaluation(
    item: object, path: str, links: tuple[Link, ...], about: Mapping[str, str | None]
) -> Evaluation:
    alert = _mapping(item, path, "an alert (a JSON object)")
    status = alert.get("status")
    if status not in _STATUSES:
        raise InvalidAlertError(
            f'{path}.status: expected "firing" or "resolved", got {_kind(status)}'
        )
    labels = _labels(alert.get("labels"), f"{path}.labels")
    annotations = _strings(alert.get("annotations", {}), f"{path}.annotations")
    starts = _time(alert.get("startsAt"), f"{path}.startsAt")
    if starts is None:
        raise InvalidAlertError(f"{path}.startsAt: missing; every alert says when it started")
    ends = _time(alert.get("endsAt"), f"{path}.endsAt")
    if ends is not None and ends < starts:
        raise InvalidAlertError(
            f"{path}.endsAt: {ends.isoformat()} is before startsAt {starts.isoformat()}"
        )
    source = _optional_text(alert, "generatorURL", f"{path}.generatorURL")
    context: dict[str, Any] = {
        "source": SOURCE[1],
        "starts_at": starts.isoformat(),
        "ends_at": ends.isoformat() if ends is not None else None,
        "fingerprint": _optional_text(alert, "fingerprint", f"{path}.fingerprint"),
        "receiver": about.get("receiver"),
        "group_key": about.get("groupKey"),
    }
    own = (Link(source, "Source"),) if source else ()
    return Evaluation(labels, status == "firing", annotations, own + links, context)


def _labels(value: object, path: str) -> dict[str, str]:
    labels = _strings(value, path)
    if not labels:
        raise InvalidAlertError(f"{path}: an alert needs labels (they identify it)")
    for name in labels:
        if not LABEL_NAME.fullmatch(name):
            raise InvalidAlertError(
                f"{path}: label name {name!r} is not valid: it must match {LABEL_NAME.pattern}"
            )
    return {**labels, SOURCE[0]: SOURCE[1]}


def _strings(value: object, path: str) -> dict[str, str]:
    found = _mapping(value, path, "a JSON object of names to strings")
    for name, text in found.items():
        if not isinstance(text, str):
            raise InvalidAlertError(f"{path}.{name}: expected a string, got {_kind(text)}")
        if "\x00" in name + text:
            raise InvalidAlertError(
                f"{path}.{name}: holds the NUL character, which cannot be stored"
            )
    return dict(found)


def _time(value: object, path: str) -> datetime | None:
    """An RFC 3339 time (fractions beyond microseconds are cut); ``None`` when absent or
    Alertmanager's zero time."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidAlertError(f"{path}: expected an RFC 3339 time string, got {_kind(value)}")
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise InvalidAlertError(
            f"{path}: {value!r} is not an RFC 3339 time with its offset "
            "(such as 2026-11-01T10:00:00Z)"
        )
    return None if when.year == _ZERO_YEAR else when


def _external_link(doc: Mapping[str, Any]) -> tuple[Link, ...]:
    url = _optional_text(doc, "externalURL", "externalURL")
    return (Link(url, "Alertmanager"),) if url else ()


def _optional_text(doc: Mapping[str, Any], key: str, path: str) -> str | None:
    value = doc.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidAlertError(f"{path}: expected a string, got {_kind(value)}")
    return value


def _mapping(value: object, path: str, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise InvalidAlertError(f"{path}: expected {what}, got {_kind(value)}")
    return value


def _kind(value: object) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"
