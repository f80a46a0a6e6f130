"""Incidents, pure: the incident and its lifecycle, severities, the ML taxonomy, the
append-only timeline, SBAR status updates, opening from alerts, merging and response metrics.

Nothing here does I/O or reads the clock: every function takes ``now``. Every change returns
the new incident and the timeline events it implies; the store keeps both, the service runs
:func:`decide` on each alerting pass and sends status updates through the receivers. See
``docs/incidents.md``.

>>> from datetime import UTC, datetime
>>> t = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
>>> incident, events = Incident.open("INC-1", "churn drifts", "SEV2", t, source="user",
...                                  actor="ana")
>>> incident.transition("closed", t, actor="ana")
Traceback (most recent call last):
...
smokejumper.errors.IllegalTransitionError: cannot move an incident from triage to closed; \
from triage it may move to: investigating, mitigated, resolved
"""

from smokejumper.incidents.config import IncidentsConfig, parse_incidents_config
from smokejumper.incidents.incident import Changed, Incident
from smokejumper.incidents.lifecycle import (
    TRANSITIONS,
    Status,
    allowed_transitions,
    check_transition,
    parse_status,
)
from smokejumper.incidents.merge import Merged, merge, merged_timeline
from smokejumper.incidents.metrics import (
    ResponseTimes,
    Stat,
    aggregate,
    percentile,
    response_times,
)
from smokejumper.incidents.opening import (
    AlertLike,
    Decision,
    FiringAlert,
    Join,
    LabelMatcher,
    Open,
    OpeningPolicy,
    Skip,
    decide,
    guess_labels,
    parse_policy,
)
from smokejumper.incidents.responders import (
    Discipline,
    Responder,
    assemble_responders,
    parse_discipline,
    slack_ids,
)
from smokejumper.incidents.roles import Role, parse_role
from smokejumper.incidents.search import query_words, searchable_text
from smokejumper.incidents.severity import (
    DEFAULT_SEVERITIES,
    Severity,
    SeverityDefinition,
    SeverityTable,
    parse_severities,
    parse_severity,
)
from smokejumper.incidents.slack import SlackConfig, channel_name, parse_slack_config
from smokejumper.incidents.slash import SlashCommand, parse_command, parse_sbar, verify_signature
from smokejumper.incidents.taxonomy import TAXONOMY, TaxonomyLabel, taxonomy_label, taxonomy_slugs
from smokejumper.incidents.timeline import (
    CHANGE_KINDS,
    EventKind,
    Timeline,
    TimelineEvent,
    action,
    change,
    correction,
    diagnosed,
    note,
    onset_event,
    pin,
    unpin,
)
from smokejumper.incidents.updates import (
    StatusUpdate,
    last_update_at,
    next_update_due,
    post_update,
    update_overdue,
)

__all__ = [
    "CHANGE_KINDS",
    "DEFAULT_SEVERITIES",
    "TAXONOMY",
    "TRANSITIONS",
    "AlertLike",
    "Changed",
    "Decision",
    "Discipline",
    "EventKind",
    "FiringAlert",
    "Incident",
    "IncidentsConfig",
    "Join",
    "LabelMatcher",
    "Merged",
    "Open",
    "OpeningPolicy",
    "Responder",
    "ResponseTimes",
    "Role",
    "Severity",
    "SeverityDefinition",
    "SeverityTable",
    "Skip",
    "SlackConfig",
    "SlashCommand",
    "Stat",
    "Status",
    "StatusUpdate",
    "TaxonomyLabel",
    "Timeline",
    "TimelineEvent",
    "action",
    "aggregate",
    "allowed_transitions",
    "assemble_responders",
    "change",
    "channel_name",
    "check_transition",
    "correction",
    "decide",
    "diagnosed",
    "guess_labels",
    "last_update_at",
    "merge",
    "merged_timeline",
    "next_update_due",
    "note",
    "onset_event",
    "parse_command",
    "parse_discipline",
    "parse_incidents_config",
    "parse_policy",
    "parse_role",
    "parse_sbar",
    "parse_severities",
    "parse_severity",
    "parse_slack_config",
    "parse_status",
    "percentile",
    "pin",
    "post_update",
    "query_words",
    "response_times",
    "searchable_text",
    "slack_ids",
    "taxonomy_label",
    "taxonomy_slugs",
    "unpin",
    "update_overdue",
    "verify_signature",
]
