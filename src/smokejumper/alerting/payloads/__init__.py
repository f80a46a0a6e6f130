"""What each kind of receiver is sent, rendered from a notification: pure, no I/O.

One module per kind; each takes a :class:`~smokejumper.alerting.notifications.Notification`,
the integration item's settings (plain data, secrets already resolved by the delivery side)
and ``external_url`` (the Smokejumper server's address, for ``{external_url}`` in links), and
returns data for the wire:

================ =========================================================================
``slack``        a Slack incoming-webhook message: Block Kit blocks and a ``text`` fallback
``email``        an :class:`email.message.EmailMessage` with a plain text and an HTML part
``pagerduty``    PagerDuty Events API v2 events, one per alert
``webhook``      Alertmanager's webhook JSON, version 4
``alertmanager`` Alertmanager API v2 postable alerts
================ =========================================================================

The delivery side (:mod:`smokejumper.delivery`) sends them.
"""

from smokejumper.alerting.payloads.alertmanager import postable_alerts
from smokejumper.alerting.payloads.email import email_message
from smokejumper.alerting.payloads.pagerduty import pagerduty_events
from smokejumper.alerting.payloads.slack import slack_message
from smokejumper.alerting.payloads.webhook import webhook_payload

__all__ = [
    "email_message",
    "pagerduty_events",
    "postable_alerts",
    "slack_message",
    "webhook_payload",
]
