"""Slack's Web API, one call at a time, judged for delivery like every receiver.

A call is ``POST <api_url>/<method>`` with ``Authorization: Bearer xoxb-...`` and a JSON body
(``Content-Type: application/json; charset=utf-8``). Slack answers HTTP 200 with
``{"ok": true, ...}`` or ``{"ok": false, "error": "<code>"}``; 429 (with ``Retry-After``) when
rate limited. What an answer comes to:

============================================== ==========================================
HTTP 200, ``ok: true``                          delivered, with the answer's data
HTTP 200, ``ok: false`` and a passing error     retry (``ratelimited``, ``internal_error``,
                                                ``fatal_error``, ``service_unavailable``,
                                                ``request_timeout``)
HTTP 200, ``ok: false`` and any other error     dead, naming the error (the caller may
                                                handle some first: ``name_taken``...)
429, 408, 5xx; no answer                        retry, not before ``Retry-After``
other statuses                                  dead
============================================== ==========================================

>>> judge_answer("chat.postMessage", {"ok": False, "error": "ratelimited"}).status
'retry'
>>> judge_answer("conversations.create", {"ok": False, "error": "missing_scope",
...                                       "needed": "channels:manage"}).error
'Slack conversations.create refused: missing_scope (the app needs the scope channels:manage; \
add it under OAuth & Permissions and reinstall the app)'
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from smokejumper.delivery.base import json_bytes
from smokejumper.delivery.http import DEFAULT_TIMEOUT, cut, judge, target
from smokejumper.delivery.outcome import Outcome

#: ``ok: false`` errors that may pass: try again later.
PASSING = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
_HINTS = {
    "invalid_auth": "the bot token is not valid; check incidents.slack.bot_token",
    "not_authed": "no bot token was sent; check incidents.slack.bot_token",
    "account_inactive": "the bot token belongs to a deleted user or uninstalled app",
    "token_revoked": "the bot token was revoked; reinstall the app and give the new token",
    "channel_not_found": "the channel is gone, or the bot cannot see it",
    "is_archived": "the incident's channel was archived; unarchive it to post there",
    "not_in_channel": "the bot is not in the channel; invite it (/invite @bot)",
    "restricted_action": "a workspace setting forbids the bot this action",
}


@dataclass(frozen=True)
class SlackReply:
    """What one call came to: the delivery ``outcome`` and Slack's answer (``{}`` when there
    was none)."""

    outcome: Outcome
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def error(self) -> str | None:
        """Slack's error code (``name_taken``...), if it answered ``ok: false``."""
        found = self.data.get("error")
        return str(found) if found is not None and not self.data.get("ok") else None


def judge_answer(method: str, data: Mapping[str, Any]) -> Outcome:
    """The outcome of Slack's HTTP 200 answer ``data`` to ``method``."""
    if data.get("ok") is True:
        return Outcome.delivered()
    error = str(data.get("error") or "no error code")
    said = f"Slack {method} refused: {error}"
    if error in PASSING:
        return Outcome.retry(said)
    if error == "missing_scope" and data.get("needed"):
        return Outcome.dead(
            f"{said} (the app needs the scope {data['needed']}; add it under OAuth & "
            "Permissions and reinstall the app)"
        )
    hint = _HINTS.get(error)
    return Outcome.dead(f"{said} ({hint})" if hint else said)


def call(
    client: httpx.Client,
    api_url: str,
    token: str,
    method: str,
    body: Mapping[str, Any],
    timeout: float = DEFAULT_TIMEOUT,
) -> SlackReply:
    """Call Web API ``method`` with ``body`` once; never raises for Slack's faults."""
    url = f"{api_url.rstrip('/')}/{method}"
    where = f"{target(url)} ({method})"
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json; charset=utf-8",
    }
    try:
        answer = client.post(url, content=json_bytes(body), headers=headers, timeout=timeout)
    except httpx.TimeoutException:
        return SlackReply(Outcome.retry(f"POST {where}: no answer within {timeout:g} s"))
    except httpx.TransportError as e:
        return SlackReply(Outcome.retry(f"POST {where}: {type(e).__name__}: {e}".strip()))
    except (httpx.InvalidURL, httpx.UnsupportedProtocol):
        return SlackReply(Outcome.dead(f"POST {where}: the URL is not valid; check api_url"))
    if answer.status_code != 200:
        return SlackReply(
            judge(answer.status_code, answer.headers, answer.text, where).scrubbed([token])
        )
    try:
        data = json.loads(answer.text)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return SlackReply(
            Outcome.dead(f"POST {where} answered 200 without a JSON object: {cut(answer.text)}")
        )
    return SlackReply(judge_answer(method, data).scrubbed([token]), data)
