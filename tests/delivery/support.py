"""Helpers for the delivery tests: a real HTTP server on loopback that records what it is sent
and answers as told, notifications with ML context, and checks of the published formats."""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from smokejumper.alerting import Alert, Link, Notification

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


# --------------------------------------------------------------------------- loopback HTTP


@dataclass(frozen=True)
class Received:
    """One request the server got."""

    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b"ok"
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0


class Endpoint:
    """A real HTTP server on 127.0.0.1 standing in for Slack, PagerDuty, a webhook or an
    Alertmanager: it records each request and answers with the next queued reply (then the
    default one)."""

    def __init__(self, default: Reply | None = None) -> None:
        self.requests: list[Received] = []
        self.replies: deque[Reply] = deque()
        self.default = default or Reply()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once, no 40 ms stall

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                reply = endpoint._record(Received("POST", self.path, headers, body))
                if reply.delay:
                    endpoint._stop.wait(reply.delay)
                self.send_response(reply.status)
                for name, value in reply.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def _record(self, received: Received) -> Reply:
        with self._lock:
            self.requests.append(received)
            return self.replies.popleft() if self.replies else self.default

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def reply(
        self,
        status: int,
        body: str = "",
        headers: dict[str, str] | None = None,
        times: int = 1,
        delay: float = 0.0,
    ) -> None:
        """Answer the next ``times`` requests with ``status``, ``body`` and ``headers``."""
        for _ in range(times):
            self.replies.append(Reply(status, body.encode(), tuple((headers or {}).items()), delay))

    def close(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


# --------------------------------------------------------------------------- notifications

MODEL_LINK = Link("{external_url}/api/v1/models/churn/observations", "Model churn")
RUNBOOK = Link("https://runbooks.example/drift", "Runbook")


def drift_alert(column_count: int = 3, **labels: str) -> Alert:
    """A firing drift alert of model churn with ``column_count`` drifted columns."""
    columns = [
        {"column": f"feature_{i}", "effect_size": round(0.9 - i * 0.05, 3), "method": "wasserstein"}
        for i in range(column_count)
    ]
    return Alert(
        {
            "alertname": "SmokejumperMonitorUnhealthy",
            "model": "churn",
            "monitor": "drift",
            "type": "feature_drift",
            "severity": "warning",
            "team": "ml",
            **labels,
        },
        {
            "summary": f"feature_drift monitor drift of model churn is unhealthy: {column_count} "
            "columns drifted",
            "description": "Value 0.6 in the window 09:00 to 10:00.",
            "runbook_url": RUNBOOK.href,
        },
        T0,
        links=(MODEL_LINK, RUNBOOK),
        context={
            "drifted_columns": columns,
            "window_start": "2026-11-01T08:00:00+00:00",
            "window_end": "2026-11-01T09:00:00+00:00",
            "since": "2026-11-01T08:00:00+00:00",
            "value": 0.6,
        },
    )


def null_alert() -> Alert:
    """A firing null-rate alert of model churn (severity page)."""
    return Alert(
        {"model": "churn", "monitor": "nulls", "type": "null_rate", "severity": "page"},
        {"summary": "null_rate monitor nulls of model churn is unhealthy"},
        T0,
        links=(MODEL_LINK,),
        context={"null_share": {"column": "age", "share": 0.375}},
    )


def notification(
    *firing: Alert, resolved: tuple[Alert, ...] = (), receiver: str = "team", reason: str = "new"
) -> Notification:
    return Notification(
        receiver,
        'route:{}:{model="churn"}',
        {"model": "churn"},
        firing,
        resolved,
        reason,
        T0 + timedelta(seconds=30),
    )  # type: ignore[arg-type]


# --------------------------------------------------------------------------- formats


def check_block_kit(message: dict[str, Any]) -> None:
    """A Slack incoming-webhook message as Slack documents it: a string ``text`` and at most 50
    blocks of known types, each within its limits."""
    assert isinstance(message["text"], str)
    assert message["text"]
    blocks = message["blocks"]
    assert isinstance(blocks, list)
    assert 1 <= len(blocks) <= 50
    for block in blocks:
        kind = block["type"]
        if kind == "header":
            assert block["text"]["type"] == "plain_text"
            assert 0 < len(block["text"]["text"]) <= 150
        elif kind == "section":
            assert block["text"]["type"] == "mrkdwn"
            assert 0 < len(block["text"]["text"]) <= 3000
        elif kind == "context":
            assert 1 <= len(block["elements"]) <= 10
            for element in block["elements"]:
                assert element["type"] in ("mrkdwn", "plain_text")
                assert element["text"]
        elif kind == "actions":
            assert 1 <= len(block["elements"]) <= 25
            ids = [e["action_id"] for e in block["elements"]]
            assert len(set(ids)) == len(ids)
            for button in block["elements"]:
                assert button["type"] == "button"
                assert button["text"]["type"] == "plain_text"
                assert 0 < len(button["text"]["text"]) <= 75
                assert button["url"].startswith(("http://", "https://"))
        else:
            assert kind == "divider", f"unexpected block type {kind}"


PD_ACTIONS = ("trigger", "acknowledge", "resolve")
PD_SEVERITIES = ("critical", "error", "warning", "info")


def check_pagerduty_event(event: dict[str, Any]) -> None:
    """An Events API v2 event: routing_key, event_action, dedup_key (<= 255), and for a trigger
    a payload with summary (<= 1024), source and severity; links as {href, text}."""
    assert isinstance(event["routing_key"], str)
    assert event["routing_key"]
    assert event["event_action"] in PD_ACTIONS
    assert isinstance(event["dedup_key"], str)
    assert 0 < len(event["dedup_key"]) <= 255
    if event["event_action"] == "trigger":
        payload = event["payload"]
        assert isinstance(payload["summary"], str)
        assert 0 < len(payload["summary"]) <= 1024
        assert isinstance(payload["source"], str)
        assert payload["source"]
        assert payload["severity"] in PD_SEVERITIES
        datetime.fromisoformat(payload["timestamp"])
        assert isinstance(payload.get("custom_details", {}), dict)
    else:
        assert "payload" not in event
    for link in event.get("links", []):
        assert set(link) == {"href", "text"}
    assert len(json.dumps(event)) <= 512 * 1024


V4_KEYS = {
    "version",
    "groupKey",
    "truncatedAlerts",
    "status",
    "receiver",
    "groupLabels",
    "commonLabels",
    "commonAnnotations",
    "externalURL",
    "alerts",
}
V4_ALERT_KEYS = {
    "status",
    "labels",
    "annotations",
    "startsAt",
    "endsAt",
    "generatorURL",
    "fingerprint",
}


def _strings(mapping: Any) -> bool:
    return isinstance(mapping, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    )


def rfc3339(value: str) -> datetime:
    assert value.endswith("Z"), value
    return datetime.fromisoformat(value)


def check_webhook_v4(doc: dict[str, Any]) -> None:
    """Alertmanager's webhook document, version 4."""
    assert set(doc) == V4_KEYS
    assert doc["version"] == "4"
    assert isinstance(doc["groupKey"], str)
    assert isinstance(doc["truncatedAlerts"], int)
    assert doc["truncatedAlerts"] >= 0
    assert doc["status"] in ("firing", "resolved")
    assert isinstance(doc["receiver"], str)
    assert isinstance(doc["externalURL"], str)
    for key in ("groupLabels", "commonLabels", "commonAnnotations"):
        assert _strings(doc[key]), key
    for alert in doc["alerts"]:
        assert set(alert) == V4_ALERT_KEYS
        assert alert["status"] in ("firing", "resolved")
        assert _strings(alert["labels"])
        assert _strings(alert["annotations"])
        rfc3339(alert["startsAt"])
        if alert["status"] == "firing":
            assert alert["endsAt"] == "0001-01-01T00:00:00Z"
        else:
            assert rfc3339(alert["endsAt"]) >= rfc3339(alert["startsAt"])
        assert isinstance(alert["generatorURL"], str)
        assert isinstance(alert["fingerprint"], str)
        assert alert["fingerprint"]
    firing = any(a["status"] == "firing" for a in doc["alerts"])
    assert doc["status"] == ("firing" if firing else "resolved") or doc["truncatedAlerts"]


def check_postable_alerts(alerts: Any) -> None:
    """Alertmanager API v2 postable alerts: a list of {labels, annotations, startsAt, endsAt,
    generatorURL}, labels required and non-empty."""
    assert isinstance(alerts, list)
    assert alerts
    for alert in alerts:
        assert set(alert) <= {"labels", "annotations", "startsAt", "endsAt", "generatorURL"}
        assert _strings(alert["labels"])
        assert alert["labels"]
        assert _strings(alert.get("annotations", {}))
        for key in ("startsAt", "endsAt"):
            if key in alert:
                rfc3339(alert[key])
        assert isinstance(alert.get("generatorURL", ""), str)
