"""Rich tables of alerts, silences and notifications (``smokejumper alert|silence|
notifications list``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.table import Table

_STATE = {
    "firing": "red",
    "resolved": "green",
    "active": "yellow",
    "pending": "cyan",
    "expired": "dim",
    "sent": "green",
    "dead": "red",
}


def _state(value: str) -> str:
    return f"[{_STATE.get(value, 'white')}]{value}[/]"


def alert_table(alerts: Sequence[Mapping[str, Any]]) -> Table:
    """Each alert: fingerprint, state, severity, model, monitor, summary, since, who acked."""
    table = Table(title="Alerts", title_justify="left")
    for column in (
        "fingerprint",
        "state",
        "severity",
        "model",
        "monitor",
        "summary",
        "since",
        "acknowledged",
    ):
        table.add_column(column)
    for a in alerts:
        labels = a["labels"]
        table.add_row(
            a["fingerprint"],
            _state(a["state"]),
            labels.get("severity", ""),
            labels.get("model", ""),
            labels.get("monitor", labels.get("alertname", "")),
            a["annotations"].get("summary", ""),
            a["starts_at"],
            a["acknowledged_by"] or "",
        )
    if not alerts:
        table.caption = "no alerts"
    return table


def silence_table(silences: Sequence[Mapping[str, Any]]) -> Table:
    """Each silence: id, state, matchers, its span, creator and comment."""
    table = Table(title="Silences", title_justify="left")
    for column in ("id", "state", "matchers", "starts", "ends", "created by", "comment"):
        table.add_column(column)
    for s in silences:
        table.add_row(
            s["id"],
            _state(s["state"]),
            ", ".join(s["matchers"]),
            s["starts_at"],
            s["ends_at"],
            s["created_by"],
            s["comment"],
        )
    if not silences:
        table.caption = "no silences"
    return table


def notification_table(messages: Sequence[Mapping[str, Any]]) -> Table:
    """Each notification message: receiver and integration, state, attempts, last error."""
    table = Table(title="Notifications", title_justify="left")
    for column in (
        "id",
        "receiver",
        "integration",
        "state",
        "reason",
        "attempts",
        "created",
        "last error",
    ):
        table.add_column(column)
    for m in messages:
        table.add_row(
            str(m["id"]),
            m["receiver"] or "",
            m["integration"],
            _state(m["status"]),
            m["reason"] or "",
            str(m["attempts"]),
            m["created_at"],
            (m["last_error"] or "")[:200],
        )
    if not messages:
        table.caption = "no notifications"
    return table
