"""Carrying out the Slack messages of the outbox (see :mod:`.slack_outbox`): the Web API calls
that make the incident's channel, invite its responders and post there.

The deliverer hands each message here (:func:`slack_task`); the outcome says delivered, retry
(Slack down, rate limited: the outbox tries again after the backoff, at least Slack's
``Retry-After``) or dead. The bot token is read from the configuration when a call is made
(``bot_token_file`` and ``${ENV}`` as for the receivers), never stored with the message.

* ``create``: ``conversations.create`` with the name of
  :func:`~smokejumper.incidents.channel_name`; a name already taken (``name_taken``: an
  archived channel of an earlier install, say) is tried again with ``-2``, ``-3``... The
  channel's id is stored with the incident at once, so a retried step never makes a second
  channel. (A crash between Slack's answer and that write would: the retry finds the name
  taken and makes ``-2``.)
* ``invite``: ``conversations.invite`` with the responders' Slack ids and
  ``incidents.slack.invite``, comma-separated; when Slack refuses some users (not found,
  deactivated) the others are invited one by one and the outcome's note names the refused.
* ``summary`` and ``post``: ``chat.postMessage`` with ``text`` and ``blocks``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from smokejumper.alerting import Message
from smokejumper.alerting.payloads.messages import slack_blocks
from smokejumper.delivery.outcome import Outcome
from smokejumper.delivery.secrets import resolve
from smokejumper.delivery.slack_api import SlackReply, call
from smokejumper.errors import SmokejumperError
from smokejumper.incidents import Incident, SlackConfig, channel_name, slack_ids
from smokejumper.incidents.slack import summary_sections
from smokejumper.service.alerting.delivery import Task
from smokejumper.service.incidents.responders import responders_of
from smokejumper.store.database import unit_of_work
from smokejumper.store.incidents import load_incident
from smokejumper.store.slack import Channel, channel_of, save_channel

#: How many names ``create`` tries (``-2`` ... ``-9``) before it gives up.
NAME_ATTEMPTS = 9
#: Slack's answers to an invitation that concern some of the users, not the call.
USER_ERRORS = frozenset(
    {
        "user_not_found",
        "cant_invite",
        "cant_invite_self",
        "user_is_restricted",
        "user_is_ultra_restricted",
        "ura_max_channels",
        "already_in_channel",
        "user_disabled",
    }
)

Sessions = sessionmaker[Session]


def slack_task(
    sessions: Sessions,
    config: SlackConfig | None,
    client: httpx.Client,
    external_url: str,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Task:
    """The task that carries out ``slack`` outbox messages with ``client``; links in the
    summary use ``external_url``."""

    def run(doc: Mapping[str, Any]) -> Outcome:
        if config is None:
            return Outcome.dead(
                "incidents.slack is no longer in the configuration file; the message was "
                "written before it was removed"
            )
        try:
            token = str(resolve("slack_app", config.secrets, "incidents.slack")["bot_token"])
            incident_id, op = str(doc["incident"]), str(doc["op"])
            with sessions() as session:
                incident = load_incident(session, incident_id)
                channel = channel_of(session, incident_id)
                invitees = (
                    (*slack_ids(responders_of(session, incident.models)), *config.invite)
                    if op == "invite"
                    else ()
                )
        except SmokejumperError as e:
            return Outcome.dead(str(e))
        except KeyError as e:
            return Outcome.dead(f"unreadable Slack message: {e} is missing")

        def api(method: str, body: Mapping[str, Any]) -> SlackReply:
            return call(client, config.api_url, token, method, body)

        if op == "create":
            return _create(sessions, api, config, incident, channel, clock())
        if channel is None:
            return Outcome.dead(
                f"{incident_id} has no Slack channel: making it failed for good (see the "
                "dead message before this one)"
            )
        if op == "invite":
            return _invite(api, channel, tuple(dict.fromkeys(invitees)))
        if op == "summary":
            message = _summary(sessions, incident, external_url)
            body = {"text": message.text(), "blocks": slack_blocks(message)}
        elif op == "post":
            body = {"text": str(doc.get("text", "")), "blocks": doc.get("blocks") or []}
        else:
            return Outcome.dead(f"unknown Slack step {op!r}")
        return api("chat.postMessage", {"channel": channel.channel_id, **body}).outcome

    return run


Api = Callable[[str, Mapping[str, Any]], SlackReply]


def _create(
    sessions: Sessions,
    api: Api,
    config: SlackConfig,
    incident: Incident,
    channel: Channel | None,
    now: datetime,
) -> Outcome:
    if channel is not None:
        return Outcome.delivered(f"the channel exists already: #{channel.name}")
    taken: list[str] = []
    for attempt in range(1, NAME_ATTEMPTS + 1):
        name = channel_name(incident.id, incident.title, config.prefix, attempt)
        reply = api("conversations.create", {"name": name, "is_private": config.private})
        if reply.error == "name_taken":
            taken.append(name)
            continue
        if not reply.outcome.ok:
            return reply.outcome
        made = reply.data.get("channel")
        if not isinstance(made, Mapping) or not made.get("id"):
            return Outcome.dead("Slack conversations.create answered ok without a channel id")
        with unit_of_work(sessions) as session:
            save_channel(session, incident.id, str(made["id"]), name, now)
        return Outcome.delivered(f"#{name}")
    return Outcome.dead(f"every channel name tried is taken: {', '.join(taken)}")


def _invite(api: Api, channel: Channel, users: tuple[str, ...]) -> Outcome:
    if not users:
        return Outcome.delivered("nobody to invite: the models declare no owners with slack ids")
    reply = api("conversations.invite", {"channel": channel.channel_id, "users": ",".join(users)})
    if reply.outcome.ok or reply.error == "already_in_channel":
        return Outcome.delivered()
    if reply.error not in USER_ERRORS:
        return reply.outcome
    refused = []
    for user in users:  # one by one: invite those Slack takes, name those it refuses
        one = api("conversations.invite", {"channel": channel.channel_id, "users": user})
        if one.outcome.status == "retry":
            return one.outcome
        if not one.outcome.ok and one.error != "already_in_channel":
            refused.append(f"{user} ({one.error})")
    note = f"not invited: {', '.join(refused)}" if refused else ""
    return Outcome.delivered(note)


def _summary(sessions: Sessions, incident: Incident, external_url: str) -> Message:
    with sessions() as session:
        responders = responders_of(session, incident.models)
    lines = [
        f"{r.discipline.title}: {r.label}" + (f" ({r.slack})" if r.slack and r.name else "")
        for r in responders
    ]
    heading = f"[{incident.severity.value}] {incident.id}: {incident.title}"
    return Message(
        heading,
        tuple(summary_sections(incident.to_dict(), lines)),
        footer="Incident summary; say what you find here: it goes on the timeline",
        labels={"incident": incident.id},
        link=f"{external_url.rstrip('/')}/api/v1/incidents/{incident.id}",
    )
