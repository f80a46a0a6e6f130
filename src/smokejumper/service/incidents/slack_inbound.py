"""What Slack sends: ``/smokejumper`` slash commands and Events API callbacks, each verified
against the app's signing secret before anything is read.

A command acts on the incident whose channel it was sent from, or on the one it names
(``/smokejumper ack INC-3``), as the person who typed it, with ``source="slack"``; the answer
is an ephemeral message (only they see it), while the act itself is posted in the channel
through the outbox like any other. A ``message`` event in an incident's channel becomes a
note on its timeline (at the message's time, under its author); messages of bots (our own
posts included), edits, joins and other subtypes are left out, and so are channels that are
not an incident's. Slack retries an event it thinks lost; the note is the same event (same
text, time and author), which the timeline keeps once.

Who people are: the name the model's owners give a Slack user id, else the name Slack sent
with the person's last slash command (kept in ``slack_users``), else ``slack:<user id>``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from smokejumper.alerting import AlertingConfig
from smokejumper.delivery.secrets import resolve
from smokejumper.errors import (
    InputError,
    NotFoundError,
    SecretError,
    SlackNotConfiguredError,
)
from smokejumper.incidents import (
    IncidentsConfig,
    SlackConfig,
    parse_command,
    parse_sbar,
    verify_signature,
)
from smokejumper.incidents.responders import by_slack_id
from smokejumper.incidents.slash import USAGE
from smokejumper.service.incidents import actions
from smokejumper.service.incidents.responders import responders_of
from smokejumper.store.database import unit_of_work
from smokejumper.store.incidents import load_incident
from smokejumper.store.slack import incident_of_channel, remember_user, user_name

#: Message subtypes that are people speaking (the rest: joins, edits, bots...).
SPOKEN = frozenset({None, "thread_broadcast", "file_share", "me_message"})


def verify(
    config: IncidentsConfig | None,
    timestamp: str | None,
    body: bytes,
    given: str | None,
    now: datetime,
) -> SlackConfig:
    """The Slack settings, once the request is shown to be Slack's (else
    :class:`~smokejumper.errors.SlackSignatureError`, or
    :class:`~smokejumper.errors.SlackNotConfiguredError` without a signing secret)."""
    slack = config.slack if config is not None else None
    if slack is None or not slack.signed:
        raise SlackNotConfiguredError(
            "Slack is not configured here: give incidents.slack with bot_token and "
            "signing_secret in the serve --config file"
        )
    try:
        secret = str(resolve("slack_app", slack.secrets, "incidents.slack")["signing_secret"])
    except SecretError as e:
        raise SlackNotConfiguredError(f"the signing secret cannot be read: {e}") from None
    verify_signature(secret, timestamp, body, given, now)
    return slack


def _actor(session: Session, user_id: str, models: tuple[str, ...], said: str | None) -> str:
    owner = by_slack_id(responders_of(session, models), user_id) if user_id else None
    if owner is not None and owner.name:
        return owner.name
    return said or (user_name(session, user_id) if user_id else None) or f"slack:{user_id}"


def _ephemeral(text: str) -> dict[str, Any]:
    return {"response_type": "ephemeral", "text": text}


def slash_command(
    sessions: sessionmaker[Session],
    form: Mapping[str, str],
    now: datetime,
    alerting: AlertingConfig | None,
    incidents: IncidentsConfig | None,
) -> dict[str, Any]:
    """Carry out a verified slash command; Slack's answer (an ephemeral message)."""
    user_id, said = form.get("user_id", ""), form.get("user_name") or None
    if user_id and said:
        with unit_of_work(sessions) as session:
            remember_user(session, user_id, said, now)
    try:
        command = parse_command(form.get("text", ""))
        if command.action == "help":
            return _ephemeral(f"Usage: {USAGE}")
        with sessions() as session:
            incident_id = command.incident_id or incident_of_channel(
                session, form.get("channel_id", "")
            )
            if incident_id is None:
                return _ephemeral(
                    "This channel is not an incident's channel; name the incident: "
                    f"/smokejumper {command.action} INC-3 ..."
                )
            incident = load_incident(session, incident_id)
            actor = _actor(session, user_id, incident.models, said)
        done = _act(
            sessions, incident_id, command.action, command.argument, actor, now, alerting, incidents
        )
    except (InputError, NotFoundError) as e:
        return _ephemeral(f"Nothing done: {e}")
    return _ephemeral(done)


def _act(
    sessions: sessionmaker[Session],
    incident_id: str,
    action: str,
    argument: str,
    actor: str,
    now: datetime,
    alerting: AlertingConfig | None,
    incidents: IncidentsConfig | None,
) -> str:
    if action == "ack":
        actions.change(
            sessions,
            incident_id,
            now,
            lambda i: i.acknowledge(now, actor=actor, source="slack"),
            incidents=incidents,
        )
        return f"{incident_id} acknowledged by {actor}"
    if action == "update":
        sbar = parse_sbar(argument)
        actions.add_update(
            sessions,
            incident_id,
            sbar.to_dict(),
            now,
            actor,
            alerting=alerting,
            incidents=incidents,
            source="slack",
        )
        return f"Status update of {incident_id} posted by {actor}"
    to = "resolved" if action == "resolve" else argument
    shown = actions.change(
        sessions,
        incident_id,
        now,
        lambda i: i.transition(to, now, actor=actor, source="slack"),
        incidents=incidents,
    )
    return f"{incident_id} is {shown['status']}"


def event(
    sessions: sessionmaker[Session], doc: Mapping[str, Any], incidents: IncidentsConfig | None
) -> dict[str, Any]:
    """Take a verified Events API request: the answer to ``url_verification``, or ``{}``
    once a message event is noted (or left out)."""
    if doc.get("type") == "url_verification":
        return {"challenge": str(doc.get("challenge", ""))}
    found = doc.get("event")
    if doc.get("type") != "event_callback" or not isinstance(found, Mapping):
        return {}
    if (
        found.get("type") != "message"
        or found.get("subtype") not in SPOKEN
        or found.get("bot_id")
        or not str(found.get("text") or "").strip()
    ):
        return {}
    try:
        at = datetime.fromtimestamp(float(found["ts"]), UTC)
    except (KeyError, TypeError, ValueError):
        return {}
    with sessions() as session:
        incident_id = incident_of_channel(session, str(found.get("channel", "")))
        if incident_id is None:
            return {}
        incident = load_incident(session, incident_id)
        actor = _actor(session, str(found.get("user", "")), incident.models, None)
    text = str(found["text"]).strip()
    with contextlib.suppress(InputError):  # a merged incident takes no notes; Slack must
        actions.change(  # still hear 200, or it retries and at last turns the events off
            sessions,
            incident_id,
            at,
            lambda i: i.note(text, at, actor=actor, source="slack"),
            incidents=incidents,
        )
    return {}
