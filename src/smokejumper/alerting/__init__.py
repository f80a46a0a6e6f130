"""Alerting, pure: alerts from monitors and SLOs, their configuration in Alertmanager's syntax,
routing, silences, inhibition, grouping and the notification pipeline.

Nothing here does I/O or reads the clock: every function takes ``now``. The store keeps the
alerts, silences and the pipeline's state; the service runs :func:`run_pass` and writes its
notifications to the outbox; the delivery side sends them. See ``docs/alerting.md``.

>>> from datetime import UTC, datetime
>>> config = parse_config({"route": {"receiver": "team"}, "receivers": [{"name": "team"}]})
>>> config.receivers_for({"model": "churn"})
['team']
"""

from smokejumper.alerting.alert import Alert, EscalationRecord, Link, fingerprint
from smokejumper.alerting.alert_set import AlertSet, Evaluation
from smokejumper.alerting.config import AlertingConfig, parse_config
from smokejumper.alerting.durations import format_duration, parse_duration
from smokejumper.alerting.grouping import Group
from smokejumper.alerting.inbound import parse_alertmanager_webhook
from smokejumper.alerting.inhibition import DEFAULT_INHIBIT_RULES, InhibitRule, inhibit
from smokejumper.alerting.matchers import Matcher, parse_matcher
from smokejumper.alerting.notifications import Escalation, Message, Notification
from smokejumper.alerting.pipeline import PassResult, run_pass
from smokejumper.alerting.receivers import Receiver
from smokejumper.alerting.routes import Route, match_routes
from smokejumper.alerting.silences import Silence, is_silenced, silenced, unmatched
from smokejumper.alerting.slo_source import SloRule, slo_evaluations
from smokejumper.alerting.sources import MonitorRule, WindowVerdict, monitor_evaluation
from smokejumper.alerting.state import ChannelState, PipelineState

__all__ = [
    "DEFAULT_INHIBIT_RULES",
    "Alert",
    "AlertSet",
    "AlertingConfig",
    "ChannelState",
    "Escalation",
    "EscalationRecord",
    "Evaluation",
    "Group",
    "InhibitRule",
    "Link",
    "Matcher",
    "Message",
    "MonitorRule",
    "Notification",
    "PassResult",
    "PipelineState",
    "Receiver",
    "Route",
    "Silence",
    "SloRule",
    "WindowVerdict",
    "fingerprint",
    "format_duration",
    "inhibit",
    "is_silenced",
    "match_routes",
    "monitor_evaluation",
    "parse_alertmanager_webhook",
    "parse_config",
    "parse_duration",
    "parse_matcher",
    "run_pass",
    "silenced",
    "slo_evaluations",
    "unmatched",
]
