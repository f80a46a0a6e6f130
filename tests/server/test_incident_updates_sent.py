"""SBAR status updates and their reminders through the real API, store (SQLite, PostgreSQL),
outbox and receivers: a loopback Slack and webhook, a real SMTP server (aiosmtpd). An update
goes where the incident's alert was routed (or to ``incidents: updates_to``), to Slack, email
and the webhook but not PagerDuty; a reminder goes once per due time."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.delivery.support import Endpoint
from tests.delivery.test_email import Mailbox, start
from tests.server.support import client
from tests.support import RunningServer

from smokejumper.alerting import AlertingConfig, parse_config, parse_matcher
from smokejumper.incidents import IncidentsConfig, parse_incidents_config
from smokejumper.server.app import create_app
from smokejumper.service.alerting.delivery import deliver_due
from smokejumper.service.alerting.passes import alert_pass
from smokejumper.service.alerting.senders import sender
from smokejumper.settings import Settings
from smokejumper.store.tables import OutboxMessage

EXTERNAL = "https://sj.example"


@dataclass
class Setup:
    server: RunningServer
    config: AlertingConfig
    incidents: IncidentsConfig | None
    endpoint: Endpoint
    mailbox: Mailbox
    sessions: sessionmaker[Session]


def alerting_config(url: str, smtp_port: int) -> AlertingConfig:
    return parse_config(
        {
            "route": {
                "receiver": "team",
                "group_wait": "0s",
                "routes": [{"receiver": "on-call", "matchers": ['severity="page"']}],
            },
            "receivers": [
                {"name": "team", "webhook_configs": [{"url": f"{url}/team-hook"}]},
                {
                    "name": "on-call",
                    "slack_configs": [{"api_url": f"{url}/slack", "channel": "#incidents"}],
                    "email_configs": [
                        {
                            "to": "oncall@example.com",
                            "from": "sj@example.com",
                            "smarthost": f"127.0.0.1:{smtp_port}",
                            "require_tls": False,
                        }
                    ],
                    "webhook_configs": [{"url": f"{url}/hook"}],
                    "pagerduty_configs": [{"routing_key": "k" * 32, "url": f"{url}/pd"}],
                },
                {"name": "leads", "webhook_configs": [{"url": f"{url}/leads"}]},
            ],
        }
    )


def _serve(
    database_url: str, home: Path, config: AlertingConfig, incidents: IncidentsConfig | None
) -> tuple[uvicorn.Server, threading.Thread, RunningServer]:
    settings = Settings(home=home, database_url=database_url, evaluate_every=0, deliver_every=0)
    app = create_app(settings, alerting=config, incidents=incidents)
    uv = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    port = uv.servers[0].sockets[0].getsockname()[1]
    running = RunningServer(f"http://127.0.0.1:{port}", settings, "")
    running.admin = running.token("admin")
    return uv, thread, running


@pytest.fixture(params=[False, True], ids=["routed", "updates_to"])
def setup(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Iterator[Setup]:
    endpoint, mailbox = Endpoint(), Mailbox()
    smtp = start(mailbox)
    config = alerting_config(endpoint.url, smtp.port)
    incidents = (
        parse_incidents_config({"updates_to": ["leads"]}, parse_matcher) if request.param else None
    )
    uv, thread, running = _serve(database_url, tmp_path / "home", config, incidents)
    app_state = uv.config.app.state.smokejumper  # type: ignore[attr-defined]
    try:
        yield Setup(running, config, incidents, endpoint, mailbox, app_state.sessions)
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        app_state.engine.dispose()
        smtp.stop()
        endpoint.close()


def _page_alert(starts: datetime) -> dict[str, object]:
    alert = {
        "status": "firing",
        "labels": {"alertname": "ScoresFlat", "model": "churn", "severity": "page"},
        "annotations": {"summary": "churn scores are flat"},
        "startsAt": starts.isoformat().replace("+00:00", "Z"),
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph",
        "fingerprint": "f1",
    }
    return {
        "version": "4",
        "groupKey": "{}:{}",
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "smokejumper",
        "groupLabels": {},
        "commonLabels": alert["labels"],
        "commonAnnotations": alert["annotations"],
        "externalURL": "http://alertmanager:9093",
        "alerts": [alert],
    }


SBAR = {
    "situation": "Churn scores are flat for 30% of traffic",
    "background": "The features job at 02:10 wrote tenure as null",
    "assessment": "Schema change in the job; fairly sure",
    "recommendation": "Roll back to v6 <now> & rerun the job",
    "by": "ana",
}


def _deliver(s: Setup, now: datetime) -> None:
    with httpx.Client(timeout=10) as http:
        done = deliver_due(s.sessions, sender(s.config, EXTERNAL, http), now)
    assert (done.dead, done.retried) == (0, 0), done


def _keys(s: Setup) -> list[str]:
    with s.sessions() as session:
        return sorted(session.scalars(select(OutboxMessage.key)))


def test_an_update_reaches_the_receivers_and_a_reminder_follows_once(setup: Setup) -> None:
    s = setup
    now = datetime.now(UTC).replace(microsecond=0)
    with client(s.server) as c:
        assert c.post("/api/v1/integrations/alertmanager", json=_page_alert(now)).status_code == 200
        assert c.post("/api/v1/evaluate").status_code == 200
        (incident,) = c.get("/api/v1/incidents").json()
        iid = incident["id"]
        _deliver(s, datetime.now(UTC))  # the alert's own notification, to on-call
        s.endpoint.requests.clear()
        s.mailbox.messages.clear()

        posted = c.post(f"/api/v1/incidents/{iid}/updates", json=SBAR)
        assert posted.status_code == 201, posted.text
        # on-call: Slack, email, webhook (PagerDuty hears of alerts only); or the leads' webhook
        expected = 1 if s.incidents else 3
        assert posted.json()["notifications"] == expected
    _deliver(s, datetime.now(UTC))
    if s.incidents:
        (hook,) = s.endpoint.requests
        assert hook.path == "/leads"
    else:
        paths = sorted(r.path for r in s.endpoint.requests)
        assert paths == ["/hook", "/slack"]
        slack = next(r for r in s.endpoint.requests if r.path == "/slack").json()
        assert slack["channel"] == "#incidents"
        assert slack["blocks"][0]["text"]["text"] == (
            f"[SEV2] {iid}: churn scores are flat (triage)"
        )
        texts = [b["text"]["text"] for b in slack["blocks"] if b["type"] == "section"]
        assert texts[0] == "*Situation*\nChurn scores are flat for 30% of traffic"
        assert texts[3] == "*Recommendation*\nRoll back to v6 &lt;now&gt; &amp; rerun the job"
        assert "Status update by ana" in slack["blocks"][-1]["elements"][0]["text"]
        assert "Situation: Churn scores are flat" in slack["text"]
        ((envelope, mail),) = s.mailbox.messages
        assert envelope.rcpt_tos == ["oncall@example.com"]
        assert mail["Subject"] == f"[SEV2] {iid}: churn scores are flat (triage)"
        plain = mail.get_body(("plain",)).get_content()
        assert "Assessment: Schema change in the job; fairly sure" in plain
        html = mail.get_body(("html",)).get_content()
        assert "Roll back to v6 &lt;now&gt; &amp; rerun the job" in html
    hook_body = next(r for r in s.endpoint.requests if r.path in ("/hook", "/leads")).json()
    assert (hook_body["version"], hook_body["status"], hook_body["alerts"]) == ("4", "firing", [])
    assert hook_body["groupLabels"]["incident"] == iid
    assert hook_body["message"]["kind"] == "status_update"
    assert hook_body["message"]["sections"][2] == {
        "heading": "Assessment",
        "text": "Schema change in the job; fairly sure",
    }
    assert "Background: The features job" in hook_body["commonAnnotations"]["description"]

    # Reminders: SEV2 wants an update every hour. Before that, none; after, one per receiver
    # integration, and passes after it add none until the next due time.
    config, incidents = s.config, s.incidents
    sessions = s.sessions
    assert alert_pass(sessions, config, now + timedelta(minutes=30), incidents=incidents)
    before = _keys(s)
    assert not [k for k in before if k.startswith("update-due:")]
    late = datetime.now(UTC) + timedelta(hours=1, minutes=1)
    assert alert_pass(sessions, config, late, incidents=incidents).messages >= expected
    reminders = [k for k in _keys(s) if k.startswith("update-due:")]
    assert len(reminders) == expected
    alert_pass(sessions, config, late + timedelta(minutes=20), incidents=incidents)
    assert [k for k in _keys(s) if k.startswith("update-due:")] == reminders  # the same due time
    assert all(k.startswith(f"update-due:{iid}:") for k in reminders)
    s.endpoint.requests.clear()
    s.mailbox.messages.clear()
    _deliver(s, late)
    said = [r.json() for r in s.endpoint.requests if r.path in ("/hook", "/leads")]
    assert said
    assert said[0]["message"]["kind"] == "update_due"
    assert said[0]["message"]["title"].endswith("a status update is due")

    # once resolved, no update is owed
    with client(s.server) as c:
        done = c.patch(f"/api/v1/incidents/{iid}", json={"status": "resolved", "by": "ana"})
        assert done.status_code == 200, done.text
    alert_pass(sessions, config, late + timedelta(hours=5), incidents=incidents)
    assert len([k for k in _keys(s) if k.startswith("update-due:")]) == expected


def test_an_incident_without_alerts_updates_the_route_of_its_model(setup: Setup) -> None:
    s = setup
    with client(s.server) as c:
        made = c.post(
            "/api/v1/incidents", json={"title": "ranking slow", "models": ["ranking"], "by": "bo"}
        )
        assert made.status_code == 201, made.text
        iid = made.json()["id"]
        posted = c.post(f"/api/v1/incidents/{iid}/updates", json=SBAR)
        assert posted.json()["notifications"] == 1  # team's webhook (or the leads')
    _deliver(s, datetime.now(UTC))
    (hook,) = s.endpoint.requests
    assert hook.path == ("/leads" if s.incidents else "/team-hook")
