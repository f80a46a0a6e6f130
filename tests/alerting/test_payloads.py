"""What each receiver is sent, rendered purely from notifications: checked against the published
formats, with the ML facts (drifted columns with effect sizes, null share, window, links)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from tests.delivery.support import (
    T0,
    check_block_kit,
    check_pagerduty_event,
    check_postable_alerts,
    check_webhook_v4,
    drift_alert,
    notification,
    null_alert,
)

from smokejumper.alerting import Alert, MonitorRule, WindowVerdict, monitor_evaluation
from smokejumper.alerting.codec import notification_from_dict, notification_to_dict
from smokejumper.alerting.payloads import (
    email_message,
    pagerduty_events,
    postable_alerts,
    slack_message,
    webhook_payload,
)
from smokejumper.alerting.payloads.common import rfc3339
from smokejumper.errors import AlertingConfigError

EXTERNAL = "https://sj.example"


def monitor_alert() -> Alert:
    """An alert as a real drift monitor describes it."""
    rule = MonitorRule("churn", "drift", "feature_drift", team="ml", runbook_url="https://rb/x")
    details = {
        "columns": {
            "age": {"effect_size": 0.42, "drift": True, "method": "wasserstein"},
            "plan": {"effect_size": 0.31, "drift": True, "method": "jensenshannon"},
            "tenure": {"effect_size": 0.01, "drift": False, "method": "wasserstein"},
        }
    }
    window = WindowVerdict(T0, T0 + timedelta(hours=1), False, 0.42, details)
    ev = monitor_evaluation(rule, [window])
    return Alert(ev.labels, ev.annotations, T0, links=ev.links, context=ev.context)


# --------------------------------------------------------------------------- Slack


def test_slack_shows_what_a_monitor_found() -> None:
    n = notification(monitor_alert())
    message = slack_message(n, {}, EXTERNAL)
    check_block_kit(message)
    text = json.dumps(message)
    assert "age: wasserstein 0.42" in text
    assert "plan: jensenshannon 0.31" in text
    assert "tenure" not in text  # not drifted
    assert f"{EXTERNAL}/api/v1/models/churn/observations" in text
    assert "window 2026-11-01T09:00:00+00:00 to 2026-11-01T10:00:00+00:00" in text


def test_slack_many_alerts_stay_within_50_blocks() -> None:
    alerts = [drift_alert(20, column=f"c{i}") for i in range(40)]
    message = slack_message(notification(*alerts), {}, EXTERNAL)
    check_block_kit(message)
    assert "and 32 more alerts in this group" in json.dumps(message)
    assert "and 10 more drifted columns" in json.dumps(message)


def test_slack_escapes_mrkdwn_and_cuts_the_header() -> None:
    alert = Alert({"model": "m"}, {"summary": "<!channel> a & b"}, T0)
    message = slack_message(notification(alert), {"title": "x" * 400}, "")
    check_block_kit(message)
    assert len(message["blocks"][0]["text"]["text"]) == 150
    assert "&lt;!channel&gt; a &amp; b" in json.dumps(message)
    assert "actions" not in [b["type"] for b in message["blocks"]]  # no links without a server


def test_slack_resolved() -> None:
    gone = null_alert().resolve(T0 + timedelta(minutes=5))
    message = slack_message(notification(resolved=(gone,), reason="resolved"), {}, EXTERNAL)
    check_block_kit(message)
    assert message["blocks"][0]["text"]["text"].startswith("[RESOLVED]")
    assert ":large_green_circle:" in json.dumps(message)


# --------------------------------------------------------------------------- email


def test_email_escapes_html_and_takes_headers() -> None:
    alert = Alert({"model": "m"}, {"summary": "<b>bold</b> & co"}, T0)
    settings = {"to": ["a@x", "b@x"], "from": "s@x", "headers": {"Subject": "Custom"}}
    msg = email_message(notification(alert), settings, "")
    assert msg["Subject"] == "Custom"
    assert msg["To"] == "a@x, b@x"
    html = msg.get_body(("html",))
    assert html is not None
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html.get_content()
    assert "<b>bold</b>" not in html.get_content()


def test_email_message_id_is_per_notification_and_recipients() -> None:
    n = notification(drift_alert())
    one = email_message(n, {"to": "a@x", "from": "s@x"}, "")["Message-ID"]
    assert one == email_message(n, {"to": "a@x", "from": "s@x"}, "")["Message-ID"]
    assert one != email_message(n, {"to": "b@x", "from": "s@x"}, "")["Message-ID"]


# --------------------------------------------------------------------------- PagerDuty


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("page", "critical"),
        ("ticket", "error"),
        ("warning", "warning"),
        ("info", "info"),
        ("critical", "warning"),
        ("", "warning"),
    ],
)
def test_pagerduty_severity_mapping(label: str, expected: str) -> None:
    alert = Alert({"model": "m", "severity": label}, {}, T0)
    [event] = pagerduty_events(notification(alert), {"routing_key": "k"}, "")
    check_pagerduty_event(event)
    assert event["payload"]["severity"] == expected


def test_pagerduty_setting_overrides_severity_and_source() -> None:
    settings = {"routing_key": "k", "severity": "info", "source": "prod-cluster"}
    [event] = pagerduty_events(notification(null_alert()), settings, "")
    assert event["payload"]["severity"] == "info"
    assert event["payload"]["source"] == "prod-cluster"


def test_pagerduty_summary_is_cut_to_1024() -> None:
    alert = Alert({"model": "m"}, {"summary": "s" * 5000}, T0)
    [event] = pagerduty_events(notification(alert), {"routing_key": "k"}, "")
    check_pagerduty_event(event)
    assert len(event["payload"]["summary"]) == 1024


def test_pagerduty_trigger_carries_the_ml_facts() -> None:
    [event] = pagerduty_events(notification(monitor_alert()), {"routing_key": "k"}, EXTERNAL)
    check_pagerduty_event(event)
    details = event["payload"]["custom_details"]
    assert [c["column"] for c in details["drifted_columns"]] == ["age", "plan"]
    assert details["labels"]["monitor"] == "drift"
    assert event["payload"]["component"] == "drift"
    assert event["payload"]["class"] == "feature_drift"
    assert event["payload"]["group"] == "ml"
    assert event["links"][1] == {"href": "https://rb/x", "text": "Runbook"}
    assert event["client_url"] == EXTERNAL


def test_pagerduty_acknowledge_and_resolve_are_bare() -> None:
    acked = drift_alert().acknowledge("ana", T0)
    n = notification(acked, resolved=(null_alert().resolve(T0),))
    events = pagerduty_events(n, {"routing_key": "k"}, EXTERNAL)
    for event in events:
        check_pagerduty_event(event)
        assert set(event) == {"routing_key", "event_action", "dedup_key"}
    assert [e["event_action"] for e in events] == ["acknowledge", "resolve"]


# --------------------------------------------------------------------------- webhook v4


def test_webhook_v4_resolved_only() -> None:
    gone = drift_alert().resolve(T0 + timedelta(minutes=3))
    doc = webhook_payload(notification(resolved=(gone,)), {}, EXTERNAL)
    check_webhook_v4(doc)
    assert doc["status"] == "resolved"
    assert doc["alerts"][0]["endsAt"] == "2026-11-01T09:03:00Z"
    assert doc["commonAnnotations"] == dict(gone.annotations)


def test_webhook_survives_the_outbox_round_trip() -> None:
    n = notification(monitor_alert(), null_alert())
    again = notification_from_dict(json.loads(json.dumps(notification_to_dict(n))))
    assert webhook_payload(again, {}, EXTERNAL) == webhook_payload(n, {}, EXTERNAL)
    check_webhook_v4(webhook_payload(again, {}, EXTERNAL))


def test_rfc3339_in_utc() -> None:
    assert rfc3339(datetime(2026, 11, 1, 10, 0, 0, 250_000, tzinfo=UTC)) == (
        "2026-11-01T10:00:00.250000Z"
    )
    local = datetime(2026, 11, 1, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    assert rfc3339(local) == "2026-11-01T09:00:00Z"


# --------------------------------------------------------------------------- Alertmanager push


def test_postable_alerts() -> None:
    n = notification(drift_alert(), resolved=(null_alert().resolve(T0),))
    alerts = postable_alerts(n, {}, EXTERNAL)
    check_postable_alerts(alerts)
    assert "endsAt" not in alerts[0]
    assert alerts[1]["endsAt"] == "2026-11-01T09:00:00Z"


def test_postable_alerts_bad_ends_after() -> None:
    with pytest.raises(AlertingConfigError, match="ends_after: '5 hours' is not a duration"):
        postable_alerts(notification(drift_alert()), {"ends_after": "5 hours"}, EXTERNAL)
