"""A Slack channel per incident, through a real ``smokejumper serve`` (SQLite and
PostgreSQL) and a loopback stand-in of Slack's Web API that checks every call's form: the
channel is made (through an outage and a taken name), the responders by discipline invited,
the summary and status updates posted; signed slash commands act on the incident, signed
message events become notes; unsigned, wrongly signed and stale requests are refused."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from tests.server.slack_standin import SIGNING_SECRET, TOKEN, SlackStandIn, signed_headers
from tests.server.support import SCHEMA

from smokejumper.harness import ServerHarness

OWNERS = [
    {"name": "ana", "slack": "U01ANA", "discipline": "ml_engineer"},
    {"name": "cy", "email": "cy@example.com", "discipline": "data_engineer"},
    {"name": "dee", "slack": "U04DEE", "discipline": "product"},
    {"name": "bo", "slack": "U02BO", "email": "bo@example.com", "discipline": "data_scientist"},
]
CONFIG = """\
incidents:
  slack:
    bot_token_file: {token_file}
    signing_secret: ${{SLACK_SIGNING_SECRET}}
    api_url: {api_url}
    invite: [U0ONCALL]
"""
SBAR = {
    "situation": "Churn scores are flat for 30% of traffic",
    "background": "The features job at 02:10 wrote tenure as null",
    "assessment": "Schema change in the job; fairly sure",
    "recommendation": "Roll back to v6 & rerun the job",
    "by": "ana",
}


def wait_for(check: Callable[[], Any], timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    stand_in = SlackStandIn(users={"U01ANA", "U02BO", "U04DEE", "U0ONCALL", "U09ZED"})
    yield stand_in
    stand_in.close()


def serve(
    tmp_path: Path, slack: SlackStandIn, database_url: str | None, **env: str
) -> ServerHarness:
    token_file = tmp_path / "bot-token"
    token_file.write_text(f"{TOKEN}\n")
    config = tmp_path / "smokejumper.yaml"
    config.write_text(CONFIG.format(token_file=token_file, api_url=slack.url))
    settings = {
        "SMOKEJUMPER_EVALUATE_EVERY": "0",
        "SMOKEJUMPER_DELIVER_EVERY": "0.1",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        **env,
    }
    server = ServerHarness(
        tmp_path / "home", database_url=database_url, args=["--config", str(config)], env=settings
    )
    return server.start()


def command(
    c: httpx.Client,
    text: str,
    channel: str,
    user: str = "U01ANA",
    name: str = "ana.s",
    signed: bool = True,
) -> httpx.Response:
    form = {
        "token": "deprecated",
        "team_id": "T0001",
        "team_domain": "example",
        "channel_id": channel,
        "channel_name": "whatever",
        "user_id": user,
        "user_name": name,
        "command": "/smokejumper",
        "text": text,
        "api_app_id": "A0001",
        "response_url": "https://hooks.slack.com/commands/T0001/1/x",
        "trigger_id": "1.2.3",
    }
    body = urlencode(form).encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        **(signed_headers(body) if signed else {}),
    }
    return c.post("/api/v1/integrations/slack/commands", content=body, headers=headers)


def event(c: httpx.Client, inner: dict[str, Any], **extra: Any) -> httpx.Response:
    doc = {
        "token": "x",
        "team_id": "T0001",
        "api_app_id": "A0001",
        "type": "event_callback",
        "event_id": "Ev01",
        "event_time": int(time.time()),
        "event": inner,
        **extra,
    }
    body = json.dumps(doc).encode()
    headers = {"Content-Type": "application/json", **signed_headers(body)}
    return c.post("/api/v1/integrations/slack/events", content=body, headers=headers)


def test_a_declared_incident_gets_its_channel_and_slack_acts_on_it(
    tmp_path: Path, slack: SlackStandIn, database_url: str
) -> None:
    slack.taken.add("inc-1-churn-scores-are-flat")  # an archived channel of an earlier install
    slack.fail("conversations.create", 503, body=b"upstream down")  # Slack's outage first
    slack.fail("chat.postMessage", 429, {"Retry-After": "1"})  # then a rate limit
    server = serve(tmp_path, slack, database_url)
    try:
        with httpx.Client(
            base_url=server.url, timeout=30, headers={"Authorization": f"Bearer {server.token}"}
        ) as c:
            schema = {**SCHEMA, "owners": OWNERS}
            r = c.post("/api/v1/models", json={"name": "churn", "schema": schema})
            assert r.status_code == 201, r.text
            r = c.post(
                "/api/v1/incidents",
                json={
                    "title": "churn scores are flat",
                    "severity": "SEV2",
                    "models": ["churn"],
                    "by": "ana",
                },
            )
            assert r.status_code == 201, r.text

            # The channel: made after the outage, under the next free name; then invitations.
            [invite] = wait_for(lambda: slack.of("conversations.invite"))
            made = [c.body["name"] for c in slack.of("conversations.create")]
            assert made == ["inc-1-churn-scores-are-flat", "inc-1-churn-scores-are-flat-2"]
            [channel] = slack.channels
            assert invite.body == {"channel": channel, "users": "U01ANA,U02BO,U04DEE,U0ONCALL"}
            [summary] = wait_for(lambda: slack.posts(channel))
            assert summary["blocks"][0]["text"]["text"] == "[SEV2] INC-1: churn scores are flat"
            assert "ML engineer: ana (U01ANA)" in summary["text"]
            assert "Data engineer: cy" in summary["text"]

            shown = c.get("/api/v1/incidents/INC-1").json()
            assert shown["slack_channel"] == {"id": channel, "name": made[-1]}
            assert [(r["discipline"], r["name"]) for r in shown["responders"]] == [
                ("ml_engineer", "ana"),
                ("data_scientist", "bo"),
                ("data_engineer", "cy"),
                ("product", "dee"),
            ]
            assert shown["responders"][1] == {
                "discipline": "data_scientist",
                "name": "bo",
                "slack": "U02BO",
                "email": "bo@example.com",
                "models": ["churn"],
            }

            # A status update through the API is posted in the channel, whole.
            assert c.post("/api/v1/incidents/INC-1/updates", json=SBAR).status_code == 201
            update = wait_for(lambda: [p for p in slack.posts(channel) if "Situation" in p["text"]])
            assert "Roll back to v6 &amp; rerun the job" in json.dumps(update[0]["blocks"])

            # Slash commands from the channel, as its owners' names.
            r = command(c, "ack", channel)
            assert r.status_code == 200, r.text
            assert r.json() == {"response_type": "ephemeral", "text": "INC-1 acknowledged by ana"}
            r = command(c, "status mitigated", channel, user="U09ZED", name="zed")
            assert r.json()["text"] == "INC-1 is mitigated"
            r = command(c, "status sideways", channel)
            assert r.json()["response_type"] == "ephemeral"
            assert "unknown incident status 'sideways'" in r.json()["text"]
            r = command(c, "update " + " | ".join(v for k, v in SBAR.items() if k != "by"), channel)
            assert r.json()["text"] == "Status update of INC-1 posted by ana"
            r = command(c, "resolve", "C0ELSEWHERE")
            assert "not an incident's channel" in r.json()["text"]
            r = command(c, "resolve INC-1", "C0ELSEWHERE", user="U02BO", name="bo.s")
            assert r.json()["text"] == "INC-1 is resolved"
            r = command(c, "status investigating", channel, user="U04DEE")
            assert r.json()["text"] == "INC-1 is investigating"  # reopened by dee

            # What is said in the channel becomes notes; bots, other channels and retries not.
            ts = f"{time.time():.6f}"
            said = {
                "type": "message",
                "channel": channel,
                "user": "U09ZED",
                "text": "the 02:10 run wrote tenure as null",
                "ts": ts,
                "channel_type": "channel",
            }
            assert event(c, said).status_code == 200
            assert event(c, said).status_code == 200  # Slack's retry of the same event
            assert event(c, {**said, "text": "posted by a bot", "bot_id": "B01"}).status_code == 200
            assert (
                event(c, {**said, "channel": "C0ELSEWHERE", "text": "elsewhere"}).status_code == 200
            )
            assert (
                event(c, {**said, "subtype": "channel_join", "text": "zed joined"}).status_code
                == 200
            )
            challenge = event(c, {}, type="url_verification", challenge="3eZbrw1aBm2rZgRNFdxV")
            assert challenge.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV"}

            timeline = c.get("/api/v1/incidents/INC-1/timeline").json()
            from_slack = [(e["kind"], e["actor"]) for e in timeline if e["source"] == "slack"]
            assert from_slack == [
                ("acknowledged", "ana"),
                ("status_changed", "zed"),
                ("status_update", "ana"),
                ("status_changed", "bo"),
                ("status_changed", "dee"),
                ("reopened", "dee"),
                ("note", "zed"),
            ]
            notes = [e for e in timeline if e["kind"] == "note"]
            assert [n["details"]["text"] for n in notes] == ["the 02:10 run wrote tenure as null"]

            # Each act is told in the channel, in order, after the summary and the update.
            lines = wait_for(
                lambda: (
                    [p["text"] for p in slack.posts(channel)][2:]
                    if len(slack.posts(channel)) >= 7
                    else None
                )
            )
            assert lines[:1] == ["ana acknowledged INC-1"]
            assert lines[1] == "zed moved INC-1 from triage to mitigated"
            assert lines[2].startswith("[SEV2] INC-1: churn scores are flat (mitigated)")
            assert lines[3:] == [
                "bo moved INC-1 from mitigated to resolved",
                "dee moved INC-1 from resolved to investigating",
            ]
            wait_for(lambda: not c.get("/api/v1/notifications", params={"state": "pending"}).json())
            assert c.get("/api/v1/notifications", params={"state": "dead"}).json() == []
        assert slack.problems == []
    finally:
        server.close()


def test_unsigned_wrongly_signed_and_stale_requests_are_refused(
    tmp_path: Path, slack: SlackStandIn
) -> None:
    server = serve(tmp_path, slack, None)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as c:
            body = urlencode({"text": "ack INC-1", "user_id": "U01ANA"}).encode()
            path = "/api/v1/integrations/slack/commands"
            assert c.post(path, content=body).status_code == 401
            wrong = signed_headers(body, secret="not-the-secret")
            refused = c.post(path, content=body, headers=wrong)
            assert refused.status_code == 401
            assert "does not match" in refused.json()["detail"]
            stale = c.post(path, content=body, headers=signed_headers(body, time.time() - 600))
            assert stale.status_code == 401
            assert "at most 300 allowed" in stale.json()["detail"]
            tampered = signed_headers(body)
            r = c.post(path, content=body + b"&text=resolve", headers=tampered)
            assert r.status_code == 401
            events = "/api/v1/integrations/slack/events"
            challenge = json.dumps({"type": "url_verification", "challenge": "abc"}).encode()
            assert c.post(events, content=challenge).status_code == 401
            ok = c.post(events, content=challenge, headers=signed_headers(challenge))
            assert ok.json() == {"challenge": "abc"}
            bad = b"not json"
            assert c.post(events, content=bad, headers=signed_headers(bad)).status_code == 400
        assert slack.calls == []
    finally:
        server.close()


def test_an_incident_opened_by_alerts_gets_its_channel(tmp_path: Path, slack: SlackStandIn) -> None:
    server = serve(tmp_path, slack, None, SMOKEJUMPER_EVALUATE_EVERY="0.2")
    page = {
        "status": "firing",
        "labels": {"alertname": "ChurnDrifts", "model": "churn", "severity": "page"},
        "annotations": {"summary": "churn drifts"},
        "startsAt": "2026-11-30T10:00:00Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph",
        "fingerprint": "f1",
    }
    payload = {
        "version": "4",
        "groupKey": "{}:{}",
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "smokejumper",
        "groupLabels": {},
        "commonLabels": page["labels"],
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "alerts": [page],
    }
    try:
        with httpx.Client(
            base_url=server.url, timeout=30, headers={"Authorization": f"Bearer {server.token}"}
        ) as c:
            r = c.post("/api/v1/integrations/alertmanager", json=payload)
            assert r.status_code == 200, r.text
            [created] = wait_for(lambda: slack.of("conversations.create"))
            assert created.body == {"name": "inc-1-churn-drifts", "is_private": False}
            [channel] = slack.channels
            invite = wait_for(lambda: slack.of("conversations.invite"))
            assert invite[0].body["users"] == "U0ONCALL"  # churn is not registered: no owners
            wait_for(lambda: slack.posts(channel))
            assert c.get("/api/v1/incidents/INC-1").json()["responders"] == []
        assert slack.problems == []
    finally:
        server.close()
