"""The one interface of every receiver integration, and what they share.

An :class:`Integration` sends one notification and says how it went as an
:class:`~smokejumper.delivery.outcome.Outcome`; it never raises for a failure of the receiver
or of its own settings (a setting that is missing or a secret that cannot be read is a dead
outcome naming the setting). :class:`Item` is what each integration is made of: its kind,
its settings as configured (secrets unresolved), where it is in the configuration, the
server's external URL and the HTTP client to use.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from smokejumper.alerting.durations import parse_duration
from smokejumper.alerting.notifications import Notification
from smokejumper.alerting.payloads.common import wanted
from smokejumper.delivery.http import DEFAULT_TIMEOUT, post, shared_client
from smokejumper.delivery.outcome import Outcome
from smokejumper.delivery.secrets import resolve, secret_values
from smokejumper.errors import AlertingConfigError, ReceiverSettingsError, SmokejumperError

#: The settings each kind cannot do without, and how to give them.
REQUIRED: dict[str, tuple[tuple[str, str], ...]] = {
    "slack_configs": (("api_url", "give the incoming webhook's URL (api_url or api_url_file)"),),
    "email_configs": (
        ("to", "give one address or more"),
        ("from", "give the sender's address"),
        ("smarthost", "give host:port"),
    ),
    "pagerduty_configs": (
        ("routing_key", "give the integration's key (routing_key or routing_key_file)"),
    ),
    "webhook_configs": (("url", "give the webhook's URL (url or url_file)"),),
    "alertmanager_configs": (("url", "give the Alertmanager's base URL (url or url_file)"),),
}


class Integration(Protocol):
    """Sends notifications to one integration item of a receiver."""

    @property
    def kind(self) -> str:
        """The item's kind as the configuration names it (``slack_configs``...)."""
        ...

    def send(self, notification: Notification) -> Outcome:
        """Send ``notification`` once; never raises for the receiver's or the settings' faults."""
        ...


@dataclass(frozen=True)
class Item:
    """An integration item: ``kind``, ``settings`` as configured, ``where`` it is
    (``team.slack_configs[0]``), the server's ``external_url`` and the ``client``."""

    kind: str
    settings: Mapping[str, Any]
    where: str
    external_url: str
    client: httpx.Client | None = None

    def resolved(self) -> dict[str, Any]:
        """The settings with secrets read (raises :class:`~smokejumper.errors.SecretError`)."""
        return resolve(self.kind, self.settings, self.where)

    def secrets(self, resolved: Mapping[str, Any]) -> list[str]:
        """The secret values of ``resolved``, to scrub from outcomes."""
        return secret_values(self.kind, resolved)

    def check_required(self, resolved: Mapping[str, Any]) -> None:
        """Raise :class:`ReceiverSettingsError` for the first required setting of the kind
        (:data:`REQUIRED`) that is missing or empty."""
        for name, hint in REQUIRED.get(self.kind, ()):
            value = resolved.get(name)
            if name == "to" and isinstance(value, list) and value:
                continue
            self.required(resolved, name, hint)

    def required(self, resolved: Mapping[str, Any], name: str, hint: str = "") -> str:
        """The string setting ``name``; a :class:`ReceiverSettingsError` saying ``hint`` if
        it is missing or empty."""
        hint = hint or dict(REQUIRED.get(self.kind, ())).get(name, "give it")
        value = resolved.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ReceiverSettingsError(f"{self.where}.{name}", f"missing; {hint}")
        if not isinstance(value, str):
            raise ReceiverSettingsError(
                f"{self.where}.{name}", f"must be a string, got {type(value).__name__}"
            )
        return value.strip()

    def timeout(self, resolved: Mapping[str, Any]) -> float:
        """The item's ``timeout`` (seconds, or a duration such as ``30s``), else the default."""
        value = resolved.get("timeout")
        if value is None:
            return DEFAULT_TIMEOUT
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            return float(value)
        try:
            seconds = parse_duration(str(value), f"{self.where}.timeout").total_seconds()
        except AlertingConfigError as e:
            raise ReceiverSettingsError(e.path, e.reason) from None
        if seconds <= 0:
            raise ReceiverSettingsError(f"{self.where}.timeout", "must be more than 0")
        return seconds


def nothing_to_send() -> Outcome:
    """The outcome when an item wants none of the notification's alerts (``send_resolved:
    false`` and only resolved alerts)."""
    return Outcome.delivered("nothing to send: send_resolved is false and no alert fires")


@dataclass(frozen=True)
class Request:
    """One POST to make: ``url``, the exact ``body`` bytes and extra ``headers``."""

    url: str
    body: bytes
    headers: Mapping[str, str]


def json_bytes(data: Any) -> bytes:
    """``data`` as compact UTF-8 JSON: the exact bytes sent (and signed).

    >>> json_bytes({"a": "é", "b": [1, 2]})
    b'{"a":"\\xc3\\xa9","b":[1,2]}'
    """
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def idempotency_key(notification: Notification) -> str:
    """A header-safe key of the notification: the same on every resend of it."""
    return hashlib.sha256(notification.key.encode("utf-8")).hexdigest()[:32]


def deliver(
    item: Item,
    notification: Notification,
    prepare: Callable[[dict[str, Any]], Sequence[Request]],
) -> Outcome:
    """Resolve ``item``'s secrets, ``prepare`` its requests from the resolved settings, POST
    them in order and judge: the first ``retry`` stops and is the outcome (a resend repeats
    the requests already made, which receivers with dedup keys fold); a ``dead`` request
    does not stop the others, and the outcome is dead if any was. A settings error is dead."""
    try:
        settings = item.resolved()
        item.check_required(settings)
        timeout = item.timeout(settings)
        if notification.message is None and not wanted(notification, settings):
            return nothing_to_send()  # a message (a status update) has no alerts to want
        requests = prepare(settings)
    except SmokejumperError as e:
        return Outcome.dead(str(e))
    secrets = item.secrets(settings)
    client = item.client or shared_client()
    dead: list[str] = []
    for request in requests:
        outcome = post(client, request.url, request.body, request.headers, timeout)
        if outcome.status == "retry":
            return outcome.scrubbed(secrets)
        if outcome.status == "dead":
            dead.append(outcome.error)
    if dead:
        more = f" (and {len(dead) - 1} more refused)" if len(dead) > 1 else ""
        return Outcome.dead(dead[0] + more).scrubbed(secrets)
    return Outcome.delivered()
