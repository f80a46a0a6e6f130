"""Alertmanager's webhook payload (version 4) in, evaluations out; every bad field named."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from smokejumper.alerting import AlertSet, parse_alertmanager_webhook, parse_config
from smokejumper.errors import InvalidAlertError

T = datetime(2026, 11, 1, 10, tzinfo=UTC)


def _alert(status: str = "firing", **more: Any) -> dict[str, Any]:
    """One alert as Alertmanager's webhook sends it (every field of version 4)."""
    return {
        "status": status,
        "labels": {"alertname": "GpuMemoryHigh", "instance": "gpu-3", "severity": "page"},
        "annotations": {"summary": "GPU memory above 95%", "runbook_url": "https://rb/gpu"},
        "startsAt": "2026-11-01T09:58:00.123456789Z",
        "endsAt": "0001-01-01T00:00:00Z" if status == "firing" else "2026-11-01T10:30:00Z",
        "generatorURL": "http://prometheus:9090/graph?g0.expr=gpu_mem",
        "fingerprint": "5f1c0a2e9b7d3c41",
        **more,
    }


def _payload(*alerts: dict[str, Any], **more: Any) -> dict[str, Any]:
    """A whole payload with every top-level field of version 4."""
    listed = list(alerts) or [_alert()]
    return {
        "version": "4",
        "groupKey": '{}:{alertname="GpuMemoryHigh"}',
        "truncatedAlerts": 0,
        "status": "firing" if any(a["status"] == "firing" for a in listed) else "resolved",
        "receiver": "smokejumper",
        "groupLabels": {"alertname": "GpuMemoryHigh"},
        "commonLabels": {"alertname": "GpuMemoryHigh"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "alerts": listed,
        **more,
    }


def test_a_firing_alert_becomes_a_firing_evaluation_with_its_source() -> None:
    [ev] = parse_alertmanager_webhook(_payload())
    assert ev.firing
    assert dict(ev.labels) == {
        "alertname": "GpuMemoryHigh",
        "instance": "gpu-3",
        "severity": "page",
        "source": "alertmanager",
    }
    assert dict(ev.annotations) == {
        "summary": "GPU memory above 95%",
        "runbook_url": "https://rb/gpu",
    }
    assert [(link.href, link.text) for link in ev.links] == [
        ("http://prometheus:9090/graph?g0.expr=gpu_mem", "Source"),
        ("http://alertmanager:9093", "Alertmanager"),
    ]
    assert ev.context == {
        "source": "alertmanager",
        "starts_at": "2026-11-01T09:58:00.123456+00:00",
        "ends_at": None,
        "fingerprint": "5f1c0a2e9b7d3c41",
        "receiver": "smokejumper",
        "group_key": '{}:{alertname="GpuMemoryHigh"}',
    }


def test_a_resolved_alert_resolves_the_one_that_fired_and_the_fingerprint_holds() -> None:
    fired = parse_alertmanager_webhook(_payload(_alert()))
    alerts = AlertSet().apply(fired, T)
    again = AlertSet(alerts).apply(
        parse_alertmanager_webhook(_payload(_alert())), T + timedelta(minutes=5)
    )
    assert len(again) == 1
    assert again.firing()[0].starts_at == T
    resolved = parse_alertmanager_webhook(_payload(_alert("resolved")))
    assert not resolved[0].firing
    assert resolved[0].context["ends_at"] == "2026-11-01T10:30:00+00:00"
    assert resolved[0].fingerprint == fired[0].fingerprint
    [alert] = again.apply(resolved, T + timedelta(minutes=30))
    assert alert.state == "resolved"
    assert alert.ends_at == T + timedelta(minutes=30)


def test_a_source_label_of_the_alert_is_replaced_so_routes_can_tell_them_apart() -> None:
    labels = {"alertname": "QueueLag", "source": "kafka"}
    [ev] = parse_alertmanager_webhook(_payload(_alert(labels=labels)))
    assert ev.labels["source"] == "alertmanager"
    config = parse_config(
        {
            "route": {
                "receiver": "ml",
                "routes": [{"receiver": "infra", "matchers": ['source="alertmanager"']}],
            },
            "receivers": [{"name": "ml"}, {"name": "infra"}],
        }
    )
    assert config.receivers_for(ev.labels) == ["infra"]


def test_an_empty_group_the_optional_fields_and_many_alerts() -> None:
    assert parse_alertmanager_webhook(_payload(alerts=[])) == []
    bare = {
        "status": "firing",
        "labels": {"alertname": "Up"},
        "startsAt": "2026-11-01T10:00:00+02:00",
    }
    [ev] = parse_alertmanager_webhook({"version": "4", "alerts": [bare]})
    assert ev.links == ()
    assert dict(ev.annotations) == {}
    assert ev.context["starts_at"] == "2026-11-01T10:00:00+02:00"
    assert ev.context["receiver"] is None
    many = [_alert(labels={"alertname": "Down", "instance": f"n{i}"}) for i in range(300)]
    evs = parse_alertmanager_webhook(_payload(*many))
    assert len({ev.fingerprint for ev in evs}) == 300


def _broken(change: str) -> object:
    payload = _payload(_alert(), _alert(labels={"alertname": "Other"}))
    alert: dict[str, Any] = payload["alerts"][1]
    match change:
        case "not an object":
            return ["version", "4"]
        case "no version":
            del payload["version"]
        case "version 3":
            payload["version"] = "3"
        case "version as a number":
            payload["version"] = 4
        case "no alerts":
            del payload["alerts"]
        case "alerts not a list":
            payload["alerts"] = {"status": "firing"}
        case "alert not an object":
            payload["alerts"][1] = "firing"
        case "unknown status":
            alert["status"] = "pending"
        case "no labels":
            del alert["labels"]
        case "empty labels":
            alert["labels"] = {}
        case "label not a string":
            alert["labels"] = {"alertname": "x", "severity": 3}
        case "bad label name":
            alert["labels"] = {"alertname": "x", "gpu-id": "3"}
        case "NUL in a label":
            alert["labels"] = {"alertname": "x\x00"}
        case "annotation not a string":
            alert["annotations"] = {"value": 0.97}
        case "no startsAt":
            del alert["startsAt"]
        case "startsAt without offset":
            alert["startsAt"] = "2026-11-01T10:00:00"
        case "startsAt not a time":
            alert["startsAt"] = "yesterday"
        case "startsAt a number":
            alert["startsAt"] = 1761991200
        case "ends before it starts":
            alert["status"], alert["endsAt"] = "resolved", "2026-11-01T09:00:00Z"
        case "generatorURL not a string":
            alert["generatorURL"] = ["http://x"]
    return payload


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (
            "not an object",
            "(payload): expected a JSON object: Alertmanager's webhook payload, got a list",
        ),
        ("no version", 'version: missing; Alertmanager\'s webhook payload has "version": "4"'),
        ("version 3", "version: '3' is not supported; send Alertmanager's webhook payload version"),
        ("version as a number", 'version: must be the string "4", not a number'),
        ("no alerts", "alerts: missing"),
        ("alerts not a list", "alerts: expected a list of alerts, got an object"),
        ("alert not an object", "alerts[1]: expected an alert (a JSON object), got str 'firing'"),
        (
            "unknown status",
            'alerts[1].status: expected "firing" or "resolved", got str \'pending\'',
        ),
        ("no labels", "alerts[1].labels: expected a JSON object of names to strings, got nothing"),
        ("empty labels", "alerts[1].labels: an alert needs labels"),
        ("label not a string", "alerts[1].labels.severity: expected a string, got int 3"),
        ("bad label name", "alerts[1].labels: label name 'gpu-id' is not valid"),
        ("NUL in a label", "alerts[1].labels.alertname: holds the NUL character"),
        ("annotation not a string", "alerts[1].annotations.value: expected a string, got float"),
        ("no startsAt", "alerts[1].startsAt: missing"),
        ("startsAt without offset", "alerts[1].startsAt: '2026-11-01T10:00:00' is not an RFC 3339"),
        ("startsAt not a time", "alerts[1].startsAt: 'yesterday' is not an RFC 3339 time"),
        ("startsAt a number", "alerts[1].startsAt: expected an RFC 3339 time string, got int"),
        ("ends before it starts", "alerts[1].endsAt: 2026-11-01T09:00:00+00:00 is before startsAt"),
        ("generatorURL not a string", "alerts[1].generatorURL: expected a string, got a list"),
    ],
)
def test_a_bad_payload_is_refused_naming_the_field(change: str, says: str) -> None:
    payload = _broken(change)
    before = copy.deepcopy(payload)
    with pytest.raises(InvalidAlertError) as refused:
        parse_alertmanager_webhook(payload)
    assert says in str(refused.value)
    assert payload == before  # the caller's payload is left as it was
