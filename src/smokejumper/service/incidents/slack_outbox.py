"""What the incident's Slack channel is to hear, written to the outbox in the caller's unit of
work: a channel is asked for if and only if its incident is stored, and a status update is
posted there if and only if it is on the timeline.

Each incident's messages share the outbox channel ``slack/<id>``, delivered one at a time in
order (:data:`smokejumper.store.outbox.IN_ORDER`): first ``create`` (the channel, named after
the incident), ``invite`` (the responders and ``incidents.slack.invite``), ``summary``, then
each ``post`` as it was written (status updates, acknowledgements, status, severity and role
changes). Keys (``slack:<id>:create``, ``slack:<id>:event:<event id>``...) make each written
once whatever retries the request or pass. The Web API calls are made by
:mod:`.slack_tasks` when the deliverer sends them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from smokejumper.alerting import Message
from smokejumper.alerting.payloads.messages import slack_blocks
from smokejumper.incidents import Incident, SlackConfig, TimelineEvent
from smokejumper.incidents.slack import event_line
from smokejumper.store import outbox

#: The ``task`` of these outbox messages (see
#: :func:`smokejumper.service.alerting.delivery.deliver_due`).
TASK = "slack"
#: The steps that open an incident's channel, in order.
OPENING = ("create", "invite", "summary")


def channel_of_outbox(incident_id: str) -> str:
    """The outbox channel of the incident's Slack messages.

    >>> channel_of_outbox("INC-4")
    'slack/INC-4'
    """
    return f"{outbox.IN_ORDER}{incident_id}"


def _enqueue(
    session: Session, incident_id: str, what: str, body: dict[str, Any], now: datetime
) -> None:
    payload = {"task": TASK, "incident": incident_id, **body}
    outbox.enqueue(
        session,
        channel_of_outbox(incident_id),
        f"slack:{incident_id}:{what}"[:255],
        json.dumps(payload),
        now,
    )


def open_channel(
    session: Session, incident: Incident, config: SlackConfig | None, now: datetime
) -> int:
    """Ask for the incident's channel, its invitations and its summary; how many messages
    (0 without Slack)."""
    if config is None:
        return 0
    for step in OPENING:
        _enqueue(session, incident.id, step, {"op": step}, now)
    return len(OPENING)


def post_message(
    session: Session,
    incident_id: str,
    what: str,
    message: Message,
    config: SlackConfig | None,
    now: datetime,
) -> int:
    """Post ``message`` in the incident's channel (``what`` names it in the key); 0 or 1."""
    if config is None:
        return 0
    body = {"op": "post", "text": message.text(), "blocks": slack_blocks(message)}
    _enqueue(session, incident_id, what, body, now)
    return 1


def announce(
    session: Session, events: Iterable[TimelineEvent], config: SlackConfig | None, now: datetime
) -> int:
    """Post a line in the channel for each event worth telling (acknowledged, status,
    severity and role changes); how many."""
    if config is None:
        return 0
    written = 0
    for event in events:
        line = event_line(event.to_dict())
        if line is None:
            continue
        body = {"op": "post", "text": line.replace("*", ""), "blocks": [_section(line)]}
        _enqueue(session, event.incident_id, f"event:{event.id}", body, now)
        written += 1
    return written


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}
