"""Slack's side of the conversation, pure: request signatures and the ``/smokejumper`` command.

**Signatures.** Slack signs each request (slash commands, events) with the app's signing
secret: ``X-Slack-Signature: v0=<hex>``, the HMAC-SHA256 of ``v0:<timestamp>:<raw body>``
with ``X-Slack-Request-Timestamp``. A request more than five minutes from now is refused,
so a recorded one cannot be replayed later.

**The command.** ``/smokejumper ack``, ``status <status>``, ``update <S | B | A | R>``,
``resolve`` and ``help``; an incident id after the action (``ack INC-3``) names the
incident, else it is the one whose channel the command was sent from.

>>> parse_command("status INC-3 mitigated")
SlashCommand(action='status', incident_id='INC-3', argument='mitigated')
>>> parse_command("update flat scores | job at 02:10 | schema change | roll back").argument
'flat scores | job at 02:10 | schema change | roll back'
>>> parse_command("restart")
Traceback (most recent call last):
...
smokejumper.errors.IncidentError: unknown command 'restart'; use /smokejumper ack | status \
<status> | update <situation> | <background> | <assessment> | <recommendation> | resolve \
(add an incident id such as INC-3 after the command outside its channel)
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime

from smokejumper.errors import IncidentError, SlackSignatureError
from smokejumper.incidents.lifecycle import parse_status
from smokejumper.incidents.updates import StatusUpdate

#: How far a request's timestamp may be from now (Slack's advice: five minutes).
REPLAY_WINDOW_SECONDS = 300
ACTIONS = ("ack", "status", "update", "resolve", "help")
USAGE = (
    "/smokejumper ack | status <status> | update <situation> | <background> | <assessment> | "
    "<recommendation> | resolve (add an incident id such as INC-3 after the command outside "
    "its channel)"
)
_ID = re.compile(r"INC-\d+", re.IGNORECASE)
_PARTS = ("situation", "background", "assessment", "recommendation")
_LABELLED = re.compile(r"\b(situation|background|assessment|recommendation)\s*:", re.IGNORECASE)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's ``v0`` signature of ``body`` sent at ``timestamp`` (what Slack sends in
    ``X-Slack-Signature``).

    >>> signature("8f742231b10e8888abcd99yyyzzz85a5", "1531420618",
    ...           b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J")[:15]
    'v0=bca5eef5dd73'
    """
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str, timestamp: str | None, body: bytes, given: str | None, now: datetime
) -> None:
    """Raise :class:`~smokejumper.errors.SlackSignatureError` unless ``given`` is the
    signature of ``body`` at ``timestamp`` and ``timestamp`` is within
    :data:`REPLAY_WINDOW_SECONDS` of ``now``; compared in constant time.

    >>> from datetime import UTC, datetime
    >>> now = datetime.fromtimestamp(1531420618, UTC)
    >>> verify_signature("s", "1531420618", b"x", signature("s", "1531420618", b"x"), now)
    >>> verify_signature("s", "1531420000", b"x", signature("s", "1531420000", b"x"), now)
    Traceback (most recent call last):
    ...
    smokejumper.errors.SlackSignatureError: the request's timestamp is 618 s from now (at most \
300 allowed); a replayed or delayed request is refused
    """
    if not timestamp or not given:
        raise SlackSignatureError(
            "the request lacks X-Slack-Request-Timestamp or X-Slack-Signature; only Slack, "
            "signing with the app's signing secret, may call this endpoint"
        )
    try:
        sent = int(timestamp.strip())
    except ValueError:
        raise SlackSignatureError(
            f"X-Slack-Request-Timestamp {timestamp[:40]!r} is not a Unix time in seconds"
        ) from None
    skew = abs(now.timestamp() - sent)
    if skew > REPLAY_WINDOW_SECONDS:
        raise SlackSignatureError(
            f"the request's timestamp is {skew:.0f} s from now (at most "
            f"{REPLAY_WINDOW_SECONDS} allowed); a replayed or delayed request is refused"
        )
    if not hmac.compare_digest(signature(secret, str(sent), body), given.strip()):
        raise SlackSignatureError(
            "X-Slack-Signature does not match the body; check the app's signing secret "
            "(incidents.slack.signing_secret)"
        )


@dataclass(frozen=True)
class SlashCommand:
    """A ``/smokejumper`` command: the ``action``, the incident it names (``None``: the
    channel's) and the rest of its text."""

    action: str
    incident_id: str | None = None
    argument: str = ""


def parse_command(text: str) -> SlashCommand:
    """The command in the text typed after ``/smokejumper`` (empty: ``help``)."""
    words = text.strip().split(maxsplit=1)
    if not words:
        return SlashCommand("help")
    action = words[0].lower()
    rest = words[1].strip() if len(words) > 1 else ""
    if action not in ACTIONS:
        raise IncidentError(f"unknown command {words[0]!r}; use {USAGE}")
    incident_id = None
    first = rest.split(maxsplit=1)
    if first and _ID.fullmatch(first[0]):
        incident_id = first[0].upper()
        rest = first[1].strip() if len(first) > 1 else ""
    if action == "status":
        if not rest:
            raise IncidentError(
                "status needs the new status: /smokejumper status investigating|mitigated|resolved"
            )
        rest = parse_status(rest).value
    if action == "update" and not rest:
        raise IncidentError(f"update needs its four parts: {USAGE}")
    return SlashCommand(action, incident_id, rest)


def parse_sbar(text: str) -> StatusUpdate:
    """A status update from one line: four parts separated by ``|`` in SBAR order, or
    labelled (``situation: ... background: ... assessment: ... recommendation: ...``).

    >>> parse_sbar("Situation: scores flat. Background: job at 02:10. "
    ...            "Assessment: schema change. Recommendation: roll back").assessment
    'schema change.'
    >>> parse_sbar("scores flat | job at 02:10")
    Traceback (most recent call last):
    ...
    smokejumper.errors.IncidentError: a status update has four parts (situation, background, \
assessment, recommendation); write them separated by | in that order, or each after its \
name and a colon; got 2 parts
    """
    found = list(_LABELLED.finditer(text))
    if len(found) == len(_PARTS) and {m.group(1).lower() for m in found} == set(_PARTS):
        parts: dict[str, str] = {}
        for i, match in enumerate(found):
            end = found[i + 1].start() if i + 1 < len(found) else len(text)
            parts[match.group(1).lower()] = text[match.end() : end].strip()
        values = [parts[p] for p in _PARTS]
    else:
        values = [p.strip() for p in text.split("|")]
        values = [
            _LABELLED.sub("", v, count=1).strip() if _LABELLED.match(v) else v for v in values
        ]
    if len(values) != len(_PARTS) or not all(values):
        got = len([v for v in values if v])
        raise IncidentError(
            "a status update has four parts (situation, background, assessment, "
            "recommendation); write them separated by | in that order, or each after its "
            f"name and a colon; got {got} parts"
        )
    return StatusUpdate(*values)
