"""Repository of the Slack side of incidents: the channel made for each incident, and the
names of Slack users as slash commands gave them. Nothing here commits: the caller's unit of
work does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from smokejumper.store.tables import IncidentChannelRow, SlackUserRow
from smokejumper.store.upsert import upsert


@dataclass(frozen=True)
class Channel:
    """An incident's Slack channel: its id and name."""

    incident_id: str
    channel_id: str
    name: str


def save_channel(
    session: Session, incident_id: str, channel_id: str, name: str, at: datetime
) -> None:
    """Record that ``channel_id`` (called ``name``) is the incident's channel."""
    upsert(
        session,
        IncidentChannelRow,
        [{"incident_id": incident_id, "channel_id": channel_id, "name": name, "created_at": at}],
        ["incident_id"],
    )


def channel_of(session: Session, incident_id: str) -> Channel | None:
    """The incident's channel, if one was made."""
    row = session.get(IncidentChannelRow, incident_id)
    return Channel(row.incident_id, row.channel_id, row.name) if row is not None else None


def incident_of_channel(session: Session, channel_id: str) -> str | None:
    """The id of the incident whose channel is ``channel_id``, if any."""
    return session.scalar(
        select(IncidentChannelRow.incident_id).where(IncidentChannelRow.channel_id == channel_id)
    )


def remember_user(session: Session, user_id: str, name: str, at: datetime) -> None:
    """Keep ``name`` as what Slack user ``user_id`` is called."""
    upsert(session, SlackUserRow, [{"user_id": user_id, "name": name, "seen_at": at}], ["user_id"])


def user_name(session: Session, user_id: str) -> str | None:
    """The name last seen for Slack user ``user_id``, if any."""
    row = session.get(SlackUserRow, user_id)
    return row.name if row is not None else None
