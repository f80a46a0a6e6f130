"""A kill -9 of the server in the middle of deliveries: after the restart every notification
arrives, and a receiver that folds by the notification's key (as PagerDuty does by its dedup
key) gets each exactly once."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from tests.delivery.support import Endpoint, Reply

from smokejumper.harness import ServerHarness

ALERTS = 120
CONFIG = """\
route:
  receiver: hook
  group_by: ['...']        # every alert alone: one notification each
  group_wait: 0s
receivers:
  - name: hook
    webhook_configs: [{{url: "{url}/hook", secret: "s3cret"}}]
"""


def payload(n: int) -> dict[str, object]:
    """Alertmanager's webhook payload with ``n`` firing alerts about serving nodes."""
    alerts = [
        {
            "status": "firing",
            "labels": {"alertname": "NodeDown", "instance": f"gpu-{i}", "severity": "page"},
            "annotations": {"summary": f"gpu-{i} is down"},
            "startsAt": "2026-11-30T10:00:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus:9090/graph",
            "fingerprint": f"{i:016x}",
        }
        for i in range(n)
    ]
    return {
        "version": "4",
        "groupKey": "{}:{}",
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "smokejumper",
        "groupLabels": {},
        "commonLabels": {"alertname": "NodeDown"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "alerts": alerts,
    }


def keys(hook: Endpoint) -> Counter[str]:
    return Counter(r.headers["idempotency-key"] for r in list(hook.requests))


def wait_until(check, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.slow
def test_kill_9_during_deliveries_loses_none_and_doubles_none_after_dedup(tmp_path: Path) -> None:
    hook = Endpoint(default=Reply(delay=0.02))  # a receiver that takes 20 ms per message
    config = tmp_path / "alerting.yaml"
    config.write_text(CONFIG.format(url=hook.url))
    env = {"SMOKEJUMPER_EVALUATE_EVERY": "0.2", "SMOKEJUMPER_DELIVER_EVERY": "0.1"}
    server = ServerHarness(tmp_path / "home", args=["--config", str(config)], env=env)
    try:
        server.start()
        headers = {"Authorization": f"Bearer {server.token}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as c:
            r = c.post("/api/v1/integrations/alertmanager", json=payload(ALERTS))
            assert r.json() == {"firing": ALERTS, "resolved": 0}
        assert wait_until(lambda: len(hook.requests) >= 20, 60), "no delivery started"
        server.kill()  # kill -9, in the middle of the deliveries
        before = len(keys(hook))
        assert before < ALERTS, "every notification went out before the kill; slow the hook"

        server.start()
        assert wait_until(lambda: len(keys(hook)) == ALERTS, 120), (
            f"{len(keys(hook))} of {ALERTS} notifications arrived after the restart"
        )
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as c:
            assert wait_until(
                lambda: not c.get("/api/v1/notifications", params={"state": "pending"}).json(), 30
            )
            sent = c.get("/api/v1/notifications", params={"state": "sent", "limit": 1000}).json()
        assert len(sent) == ALERTS
        assert {r.json()["alerts"][0]["labels"]["instance"] for r in hook.requests} == {
            f"gpu-{i}" for i in range(ALERTS)
        }
        # Sent twice at most: those sent by the killed process whose marks it never wrote.
        twice = [key for key, n in keys(hook).items() if n > 1]
        assert all(n <= 2 for n in keys(hook).values())
        assert len(twice) <= before
        time.sleep(1)  # nothing more comes: every message is marked sent
        assert sum(keys(hook).values()) == len(hook.requests)
        assert len(hook.requests) == ALERTS + len(twice)
    finally:
        server.close()
        hook.close()
