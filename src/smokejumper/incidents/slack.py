"""A Slack channel per incident: the ``incidents: slack:`` configuration and the channel's name.

With a bot token configured, opening an incident creates a channel named after it, invites
its responders and posts its summary and every status update there; what people say there
becomes notes on the timeline, and ``/smokejumper`` commands act on the incident. This
module is the pure part: the settings as written (secrets are read by the service when it
uses them: ``bot_token_file``, ``${ENV}``) and the rules of channel names.

>>> cfg = parse_slack_config({"bot_token_file": "/run/secrets/slack-bot",
...                           "signing_secret": "${SLACK_SIGNING_SECRET}",
...                           "invite": ["U0ONCALL"]})
>>> cfg.api_url, cfg.prefix, cfg.private, cfg.invite, cfg.signed
('https://slack.com/api', 'inc', False, ('U0ONCALL',), True)
>>> parse_slack_config({"api_url": "https://slack.com/api"})
Traceback (most recent call last):
...
smokejumper.errors.IncidentConfigError: incidents.slack.bot_token: missing; give the bot's \
token (xoxb-...) as bot_token, bot_token_file or ${ENV}
>>> channel_name("INC-12", "churn drifts")
'inc-12-churn-drifts'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from smokejumper.errors import IncidentConfigError
from smokejumper.incidents.document import kind, mapping, only_keys, sequence, text
from smokejumper.incidents.responders import SLACK_USER_ID

#: Slack's Web API, unless the configuration points elsewhere (a proxy, a test's stand-in).
DEFAULT_API_URL = "https://slack.com/api"
#: The secret settings, each also as ``X_file`` (the delivery side reads them when used).
SECRET_KEYS = ("bot_token", "signing_secret")
KEYS = frozenset(
    {
        *SECRET_KEYS,
        *(f"{k}_file" for k in SECRET_KEYS),
        "api_url",
        "channel_prefix",
        "private",
        "invite",
    }
)
#: Slack's longest channel name.
MAX_NAME = 80
_PREFIX = re.compile(r"[a-z0-9][a-z0-9_-]{0,19}")
_NOT_NAME = re.compile(r"[^a-z0-9_-]+")


@dataclass(frozen=True)
class SlackConfig:
    """The checked ``incidents: slack:`` settings. ``secrets`` holds the secret settings as
    written (``bot_token`` or ``bot_token_file``, ``signing_secret`` or ``..._file``, maybe
    with ``${ENV}`` references); ``prefix`` starts every channel's name; ``private`` makes
    private channels; ``invite`` lists Slack user ids invited to every channel besides the
    responders."""

    secrets: Mapping[str, str] = field(default_factory=dict)
    api_url: str = DEFAULT_API_URL
    prefix: str = "inc"
    private: bool = False
    invite: tuple[str, ...] = ()

    @property
    def signed(self) -> bool:
        """Whether a signing secret is configured (slash commands and events need one)."""
        return any(k in self.secrets for k in ("signing_secret", "signing_secret_file"))


def parse_slack_config(data: object, path: str = "incidents.slack") -> SlackConfig:
    """The settings of ``data`` (see the module docstring); errors name the path."""
    doc = mapping(data, path)
    only_keys(doc, KEYS, path)
    secrets: dict[str, str] = {}
    for key in SECRET_KEYS:
        given = [k for k in (key, f"{key}_file") if k in doc]
        if len(given) > 1:
            raise IncidentConfigError(f"{path}.{key}", f"give either {key} or {key}_file, not both")
        for k in given:
            secrets[k] = text(doc[k], f"{path}.{k}")
    if not any(k in secrets for k in ("bot_token", "bot_token_file")):
        raise IncidentConfigError(
            f"{path}.bot_token",
            "missing; give the bot's token (xoxb-...) as bot_token, bot_token_file or ${ENV}",
        )
    api_url = text(doc.get("api_url", DEFAULT_API_URL), f"{path}.api_url").rstrip("/")
    if not api_url.startswith(("https://", "http://")):
        raise IncidentConfigError(
            f"{path}.api_url",
            f"{api_url!r} is not an http(s) URL; the default is {DEFAULT_API_URL}",
        )
    prefix = text(doc.get("channel_prefix", "inc"), f"{path}.channel_prefix")
    if not _PREFIX.fullmatch(prefix):
        raise IncidentConfigError(
            f"{path}.channel_prefix",
            f"{prefix!r} cannot start a channel name; use up to 20 lowercase letters, digits, "
            "'-' or '_', starting with a letter or digit",
        )
    private = doc.get("private", False)
    if not isinstance(private, bool):
        raise IncidentConfigError(f"{path}.private", f"expected true or false, got {kind(private)}")
    invite = []
    for i, user in enumerate(sequence(doc.get("invite", []), f"{path}.invite")):
        user_id = text(user, f"{path}.invite[{i}]")
        if not SLACK_USER_ID.fullmatch(user_id):
            raise IncidentConfigError(
                f"{path}.invite[{i}]",
                f"{user_id!r} is not a Slack user id (such as U0123ABCD; in Slack: the "
                "person's profile, More, Copy member ID)",
            )
        invite.append(user_id)
    return SlackConfig(secrets, api_url, prefix, private, tuple(dict.fromkeys(invite)))


def slug(words: str) -> str:
    """``words`` as a channel name may hold them: lowercase ASCII letters, digits, ``_``
    and single ``-`` (accents dropped, anything else a ``-``).

    >>> slug("Churn: tenure is NULL (v7.2)")
    'churn-tenure-is-null-v7-2'
    >>> slug("Fraude détectée")
    'fraude-detectee'
    """
    ascii_text = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode()
    return _NOT_NAME.sub("-", ascii_text.lower()).strip("-_")


def channel_name(incident_id: str, title: str, prefix: str = "inc", attempt: int = 1) -> str:
    """The channel's name for the incident: ``<prefix>-<number>-<title>``, at most
    :data:`MAX_NAME` characters (the title is cut at a word). ``attempt`` > 1 (the name was
    taken) adds ``-<attempt>``.

    >>> channel_name("INC-7", "churn: tenure is null", attempt=2)
    'inc-7-churn-tenure-is-null-2'
    >>> len(channel_name("INC-123456", "word " * 40)) <= MAX_NAME
    True
    """
    match = re.fullmatch(r"INC-(\d+)", incident_id, re.IGNORECASE)
    number = match.group(1) if match else slug(incident_id)
    head = f"{prefix}-{number}"
    tail = f"-{attempt}" if attempt > 1 else ""
    room = MAX_NAME - len(head) - len(tail) - 1
    words = slug(title)
    if len(words) > room:
        cut = words[: room + 1]
        words = cut[: cut.rfind("-")] if "-" in cut else words[:room]
    name = f"{head}-{words}" if words.strip("-_") else head
    return f"{name.strip('-_')}{tail}"


def summary_sections(incident: Mapping[str, Any], responders: list[str]) -> list[tuple[str, str]]:
    """The sections of the summary posted when the channel opens, from the incident's data
    (:meth:`~smokejumper.incidents.Incident.to_dict`) and the responders as lines.

    >>> summary_sections({"severity": "SEV2", "status": "triage", "models": ["churn"],
    ...                   "labels": ["data_drift"], "detected_at": "2026-11-01T03:00:00+00:00"},
    ...                  ["ML engineer: ana"])[:2]
    [('Severity', 'SEV2 (triage)'), ('Models', 'churn')]
    """
    sections = [("Severity", f"{incident['severity']} ({incident['status']})")]
    if incident.get("models"):
        sections.append(("Models", ", ".join(incident["models"])))
    if incident.get("labels"):
        sections.append(("Taxonomy", ", ".join(incident["labels"])))
    sections.append(("Detected", str(incident.get("detected_at", ""))))
    sections.append(
        ("Responders", "\n".join(responders) if responders else "none declared (schema owners:)")
    )
    sections.append(
        (
            "Commands",
            "/smokejumper ack · /smokejumper status investigating|mitigated|resolved · "
            "/smokejumper update S | B | A | R · /smokejumper resolve",
        )
    )
    return sections


#: The events posted in the incident's channel as they happen (status updates are posted
#: whole, by the service).
ANNOUNCED = frozenset({"acknowledged", "status_changed", "severity_changed", "role_assigned"})


def event_line(event: Mapping[str, Any]) -> str | None:
    """One line for the channel about a timeline event (its data, as
    :meth:`~smokejumper.incidents.TimelineEvent.to_dict` gives it), or ``None`` for the kinds
    not announced.

    >>> event_line({"incident_id": "INC-3", "kind": "status_changed", "actor": "ana",
    ...             "details": {"from": "triage", "to": "mitigated"}})
    'ana moved INC-3 from triage to *mitigated*'
    >>> event_line({"incident_id": "INC-3", "kind": "note", "actor": "ana", "details": {}})
    """
    kind = event.get("kind")
    if kind not in ANNOUNCED:
        return None
    who = _escape(event.get("actor") or "someone")
    incident_id = event.get("incident_id", "")
    details = {k: _escape(v) for k, v in (event.get("details") or {}).items()}
    if kind == "acknowledged":
        return f"{who} acknowledged {incident_id}"
    if kind == "status_changed":
        return f"{who} moved {incident_id} from {details['from']} to *{details['to']}*"
    if kind == "severity_changed":
        return (
            f"{who} changed the severity of {incident_id} from {details['from']} to "
            f"*{details['to']}*"
        )
    person = details.get("person") or "nobody"
    return f"{who} made {person} the {details['role']} of {incident_id}"


def _escape(value: object) -> object:
    """Slack's mrkdwn escapes for ``&``, ``<`` and ``>`` in text (other values as they are)."""
    if not isinstance(value, str):
        return value
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
