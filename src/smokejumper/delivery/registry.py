"""From a receiver's configuration to the integrations that send to it: the entry points of the
delivery worker.

:func:`integrations_for` makes one :class:`~smokejumper.delivery.base.Integration` per item of a
receiver, in the order the configuration lists them (kinds in the order of
:data:`~smokejumper.alerting.receivers.KINDS`); :func:`send` sends one notification through one
item given by kind and settings (what the outbox keeps); :func:`check` tells whether an
item's settings and secrets can be used, for ``alerting check`` and start-up.

Alertmanager's ``global`` settings give defaults to the items that do not set them:
``smtp_from``, ``smtp_smarthost``, ``smtp_hello``, ``smtp_require_tls``, ``smtp_auth_username``,
``smtp_auth_password`` (and ``_file``) for email, ``slack_api_url`` (and ``_file``) for Slack,
``pagerduty_url`` for PagerDuty.

>>> from smokejumper.alerting.receivers import Receiver
>>> team = Receiver("team", {"slack_configs": ({"api_url": "https://hooks.example/x"},),
...                          "webhook_configs": ({"url": "https://a"}, {"url": "https://b"})})
>>> [(kind, i, type(it).__name__) for kind, i, it in integrations_for(team, "https://sj")]
[('slack_configs', 0, 'SlackIntegration'), ('webhook_configs', 0, 'WebhookIntegration'), \
('webhook_configs', 1, 'WebhookIntegration')]
>>> with_globals("email_configs", {"to": "a@example.com"}, {"smtp_smarthost": "mx:25"})
{'to': 'a@example.com', 'smarthost': 'mx:25'}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx

from smokejumper.alerting.notifications import Notification
from smokejumper.alerting.receivers import KINDS, Receiver
from smokejumper.delivery.alertmanager import AlertmanagerIntegration
from smokejumper.delivery.base import Integration, Item
from smokejumper.delivery.email import EmailIntegration, smarthost, tls_context
from smokejumper.delivery.outcome import Outcome
from smokejumper.delivery.pagerduty import PagerDutyIntegration
from smokejumper.delivery.slack import SlackIntegration
from smokejumper.delivery.webhook import WebhookIntegration
from smokejumper.errors import ReceiverSettingsError

#: The integration of each kind.
FACTORIES: dict[str, Callable[[Item], Integration]] = {
    "slack_configs": SlackIntegration,
    "email_configs": EmailIntegration,
    "pagerduty_configs": PagerDutyIntegration,
    "webhook_configs": WebhookIntegration,
    "alertmanager_configs": AlertmanagerIntegration,
}

#: Alertmanager's ``global`` keys and the item setting each gives a default to, by kind.
GLOBALS: dict[str, dict[str, str]] = {
    "email_configs": {
        "smtp_from": "from",
        "smtp_smarthost": "smarthost",
        "smtp_hello": "hello",
        "smtp_require_tls": "require_tls",
        "smtp_auth_username": "auth_username",
        "smtp_auth_password": "auth_password",
        "smtp_auth_password_file": "auth_password_file",
    },
    "slack_configs": {"slack_api_url": "api_url", "slack_api_url_file": "api_url_file"},
    "pagerduty_configs": {"pagerduty_url": "url"},
}


def kind_of(kind: str) -> str:
    """The configuration's name of a kind; ``slack`` is accepted for ``slack_configs``."""
    name = kind if kind.endswith("_configs") else f"{kind}_configs"
    if name not in FACTORIES:
        raise ReceiverSettingsError(
            kind, f"unknown kind of integration; expected one of {', '.join(KINDS)}"
        )
    return name


def with_globals(
    kind: str, settings: Mapping[str, Any], global_settings: Mapping[str, Any] | None
) -> dict[str, Any]:
    """``settings`` with defaults from ``global`` for what the item sets neither directly nor
    as a ``_file``."""
    out = dict(settings)
    for key, setting in GLOBALS.get(kind, {}).items():
        base = setting.removesuffix("_file")
        if (global_settings or {}).get(key) is not None and not (
            base in out or f"{base}_file" in out
        ):
            out[setting] = global_settings[key]  # type: ignore[index]
    return out


def integration(
    kind: str,
    settings: Mapping[str, Any],
    external_url: str,
    *,
    where: str | None = None,
    client: httpx.Client | None = None,
    global_settings: Mapping[str, Any] | None = None,
) -> Integration:
    """The integration of one item: ``kind`` (``slack_configs`` or ``slack``...) and its
    ``settings`` as configured. Without ``client``, sends use the process's shared HTTP client
    (:func:`~smokejumper.delivery.http.shared_client`)."""
    name = kind_of(kind)
    item = Item(
        kind=name,
        settings=with_globals(name, settings, global_settings),
        where=where or f"{name}[0]",
        external_url=external_url,
        client=client,
    )
    return FACTORIES[name](item)


def integrations_for(
    receiver: Receiver,
    external_url: str,
    *,
    client: httpx.Client | None = None,
    global_settings: Mapping[str, Any] | None = None,
) -> list[tuple[str, int, Integration]]:
    """``(kind, index, integration)`` for every item of ``receiver`` (none for a receiver
    without integrations: it drops what reaches it)."""
    out = []
    for kind in KINDS:
        for index, settings in enumerate(receiver.integrations.get(kind, ())):
            where = f"{receiver.name}.{kind}[{index}]"
            made = integration(
                kind,
                settings,
                external_url,
                where=where,
                client=client,
                global_settings=global_settings,
            )
            out.append((kind, index, made))
    return out


def send(
    kind: str,
    settings: Mapping[str, Any],
    notification: Notification,
    external_url: str,
    *,
    client: httpx.Client | None = None,
    global_settings: Mapping[str, Any] | None = None,
) -> Outcome:
    """Send ``notification`` once through the item ``kind`` with ``settings``. An unknown kind
    is a dead outcome; nothing raises for the receiver's or the settings' faults."""
    try:
        made = integration(
            kind, settings, external_url, client=client, global_settings=global_settings
        )
    except ReceiverSettingsError as e:
        return Outcome.dead(str(e))
    return made.send(notification)


def check(
    kind: str,
    settings: Mapping[str, Any],
    where: str,
    global_settings: Mapping[str, Any] | None = None,
) -> None:
    """Raise :class:`~smokejumper.errors.ReceiverSettingsError` (or its
    :class:`~smokejumper.errors.SecretError`) if the item cannot send: an unknown kind, a
    required setting missing, a secret that cannot be read. Sends nothing.

    >>> check("webhook_configs", {"url_file": "/nonexistent/hook"}, "team.webhook_configs[0]")
    Traceback (most recent call last):
    ...
    smokejumper.errors.SecretError: team.webhook_configs[0].url_file: cannot read \
/nonexistent/hook: no such file
    """
    name = kind_of(kind)
    item = Item(name, with_globals(name, settings, global_settings), where, "")
    resolved = item.resolved()
    item.check_required(resolved)
    item.timeout(resolved)
    if name == "email_configs":
        smarthost(str(resolved["smarthost"]), where)
        tls_context(resolved.get("tls_config"), where)
