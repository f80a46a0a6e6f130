"""Prometheus alerting rules and a Grafana dashboard over the ``/metrics`` names.

>>> rules = prometheus_rules()
>>> [r["alert"] for r in rules["groups"][0]["rules"]][:2]
['SmokejumperSloPage', 'SmokejumperSloTicket']
>>> dashboard = grafana_dashboard()
>>> dashboard["title"], len(dashboard["panels"]) > 4
('Smokejumper', True)
"""

from __future__ import annotations

from typing import Any

_MODEL = 'model=~"$model"'


def prometheus_rules() -> dict[str, Any]:
    """Alerting rules (the Prometheus rule-file layout) on Smokejumper's metrics."""
    return {
        "groups": [
            {
                "name": "smokejumper",
                "rules": [
                    {
                        "alert": "SmokejumperSloPage",
                        "expr": 'smokejumper_slo_state{state="page"} == 1',
                        "labels": {"severity": "page"},
                        "annotations": {
                            "summary": "SLO {{ $labels.slo }} is burning its error budget fast",
                            "description": "A page burn-rate condition fires on both its long "
                            "and short window (SRE workbook, multi-window multi-burn-rate).",
                        },
                    },
                    {
                        "alert": "SmokejumperSloTicket",
                        "expr": 'smokejumper_slo_state{state="ticket"} == 1',
                        "labels": {"severity": "ticket"},
                        "annotations": {
                            "summary": "SLO {{ $labels.slo }} is spending its error budget "
                            "faster than the period allows",
                        },
                    },
                    {
                        "alert": "SmokejumperMonitorUnhealthy",
                        "expr": "smokejumper_observation_healthy == 0",
                        "labels": {"severity": "warning"},
                        "annotations": {
                            "summary": "{{ $labels.type }} monitor {{ $labels.monitor }} of "
                            "model {{ $labels.model }} is outside its limits",
                            "description": "Latest value: {{ $value }}. See GET "
                            "/api/v1/models/{{ $labels.model }}/observations.",
                        },
                    },
                    {
                        "alert": "SmokejumperIngestStalled",
                        "expr": "sum by (model) "
                        "(rate(smokejumper_ingested_predictions_total[30m])) == 0",
                        "for": "30m",
                        "labels": {"severity": "warning"},
                        "annotations": {
                            "summary": "No predictions from model {{ $labels.model }} for 30 "
                            "minutes: the model or its logging may be down",
                        },
                    },
                ],
            }
        ]
    }


def _panel(
    panel_id: int,
    title: str,
    kind: str,
    expr: str,
    legend: str,
    x: int,
    y: int,
    w: int = 12,
    unit: str | None = None,
) -> dict[str, Any]:
    panel: dict[str, Any] = {
        "id": panel_id,
        "type": kind,
        "title": title,
        "datasource": {"type": "prometheus", "uid": "${datasource}"},
        "gridPos": {"x": x, "y": y, "w": w, "h": 8},
        "targets": [{"refId": "A", "expr": expr, "legendFormat": legend}],
    }
    if unit is not None:
        panel["fieldConfig"] = {"defaults": {"unit": unit}, "overrides": []}
    return panel


def grafana_dashboard() -> dict[str, Any]:
    """A Grafana dashboard (JSON model, schema 39) over Smokejumper's metrics."""
    panels = [
        _panel(
            1,
            "Predictions ingested per second",
            "timeseries",
            f"sum by (model) (rate(smokejumper_ingested_predictions_total{{{_MODEL}}}[5m]))",
            "{{model}}",
            0,
            0,
            unit="reqps",
        ),
        _panel(
            2,
            "Unhealthy monitors",
            "stat",
            f"count(smokejumper_observation_healthy{{{_MODEL}}} == 0) or vector(0)",
            "unhealthy",
            12,
            0,
        ),
        _panel(
            3,
            "Monitor values (latest window)",
            "timeseries",
            f"smokejumper_observation_value{{{_MODEL}}}",
            "{{model}} {{monitor}}",
            0,
            8,
        ),
        _panel(
            4,
            "Drift effect size per column",
            "bargauge",
            f"smokejumper_column_drift_effect_size{{{_MODEL}}}",
            "{{model}} {{column}}",
            12,
            8,
        ),
        _panel(
            5,
            "SLO error budget remaining",
            "gauge",
            "smokejumper_slo_error_budget_remaining",
            "{{slo}}",
            0,
            16,
            unit="percentunit",
        ),
        _panel(
            6,
            "SLO burn rates",
            "timeseries",
            "smokejumper_slo_burn_rate",
            "{{slo}} {{severity}} {{window_seconds}}s",
            12,
            16,
        ),
    ]
    return {
        "title": "Smokejumper",
        "uid": "smokejumper-overview",
        "schemaVersion": 39,
        "version": 1,
        "editable": True,
        "time": {"from": "now-24h", "to": "now"},
        "refresh": "1m",
        "tags": ["smokejumper", "ml-monitoring"],
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "type": "datasource",
                    "query": "prometheus",
                    "label": "Data source",
                },
                {
                    "name": "model",
                    "type": "query",
                    "label": "Model",
                    "datasource": {"type": "prometheus", "uid": "${datasource}"},
                    "query": "label_values(smokejumper_ingested_predictions_total, model)",
                    "includeAll": True,
                    "multi": True,
                    "current": {"text": "All", "value": "$__all"},
                },
            ]
        },
        "panels": panels,
    }
