"""Delivery: the receivers that send notifications over HTTP and SMTP (Slack, email,
PagerDuty, webhooks, Alertmanager), beside the store. The pure rendering of what they send lives
in :mod:`smokejumper.alerting`; this package does the I/O. See ``docs/alerting.md``."""
