"""Serving: latency or error spikes from the onset, several versions serving at once, and
infrastructure alerts that came in from Alertmanager around the onset.

Weights: a latency or error spike is a symptom worth :data:`SPIKE_WEIGHT` supporting a
serving-infrastructure cause; an Alertmanager alert starting in the lookback is a candidate
(``infra:<alertname>``) worth :data:`ALERT_WEIGHT` times its proximity (``tau``
:data:`TAU`); spikes with no such alert make a candidate of their own (``serving:<model>``,
:data:`SERVING_WEIGHT`); a version mix is a symptom worth :data:`MIX_WEIGHT`.
"""

from __future__ import annotations

from datetime import timedelta

from smokejumper.rca.collectors.base import register
from smokejumper.rca.evidence import Cause, Evidence, Ref, proximity
from smokejumper.rca.inputs import DiagnosisInputs
from smokejumper.rca.series import own_onset

SPIKE_WEIGHT = 1.0
ALERT_WEIGHT = 1.5
SERVING_WEIGHT = 1.0
MIX_WEIGHT = 0.3
TAU = timedelta(hours=1)
MITIGATION = "shift traffic to healthy replicas or scale out; roll back the serving change"


@register
class Serving:
    """Latency, errors, version mix and infrastructure alerts."""

    name = "serving"

    def collect(self, inputs: DiagnosisInputs) -> list[Evidence]:
        """Spikes per model, alerts from Alertmanager, and the version mix."""
        out: list[Evidence] = []
        infra = [
            a
            for a in inputs.alerts
            if a.labels.get("source") == "alertmanager"
            and (near := proximity(a.starts_at, inputs.onset, TAU, inputs.window)) > 0.05
            and a.starts_at >= inputs.since
        ]
        for alert in infra:
            name = alert.labels.get("alertname") or alert.fingerprint
            near = proximity(alert.starts_at, inputs.onset, TAU, inputs.window)
            summary = alert.annotations.get("summary") or name
            out.append(
                Evidence(
                    self.name,
                    "infrastructure_alert",
                    f"Alertmanager alert {name} from {alert.starts_at:%Y-%m-%d %H:%M}: {summary}",
                    round(near, 6),
                    ALERT_WEIGHT,
                    cause=Cause(
                        f"infra:{name}",
                        "serving_infrastructure",
                        "infrastructure",
                        f"serving infrastructure: {name} ({summary})",
                        next_step=f"check the infrastructure behind alert {name} (its runbook, the "
                        "nodes and queues it names) against the onset",
                        mitigation=MITIGATION,
                        subject={"alertname": name, "labels": dict(alert.labels)},
                    ),
                    refs=(Ref("alert", alert.fingerprint, name),),
                    at=alert.starts_at,
                    details={"labels": dict(alert.labels)},
                )
            )
        for model in inputs.models.values():
            spikes = []
            for monitor, rows in model.monitors_of("latency", "error_rate").items():
                began = own_onset(
                    [(o.window_start, o.healthy is False) for o in rows],
                    inputs.onset - model.window,
                )
                if began is None:
                    continue
                first = next(o for o in rows if o.window_start == began)
                spikes.append(
                    Evidence(
                        self.name,
                        f"{first.type}_spike",
                        f"{model.name}: {monitor} ({first.type}) at {first.value} from "
                        f"{began:%Y-%m-%d %H:%M}",
                        1.0,
                        SPIKE_WEIGHT,
                        supports=("serving_infrastructure",),
                        refs=(Ref("observation", first.id, monitor),),
                        at=began,
                        details={"model": model.name, "monitor": monitor, "value": first.value},
                    )
                )
            out += spikes
            if spikes and not infra:
                out.append(
                    Evidence(
                        self.name,
                        "serving_degraded",
                        f"{model.name}: serving degraded with no infrastructure alert received",
                        1.0,
                        SERVING_WEIGHT,
                        cause=Cause(
                            f"serving:{model.name}",
                            "serving_infrastructure",
                            "infrastructure",
                            f"the model server of {model.name} (serving infrastructure): "
                            + ", ".join(
                                f"{e.details['monitor']} at {e.details['value']:.3g}"
                                if isinstance(e.details.get("value"), (int, float))
                                else str(e.details["monitor"])
                                for e in spikes
                            ),
                            next_step="read the serving hosts' metrics and logs for the onset "
                            "window (CPU, memory, GPU, dependencies' latency)",
                            mitigation=MITIGATION,
                            subject={"model": model.name, "component": "model server"},
                        ),
                        refs=spikes[0].refs,
                        at=spikes[0].at,
                        details={"model": model.name},
                    )
                )
            versions = {v for start, v, _, n in model.traffic if start >= inputs.onset and n}
            if len(versions) > 1:
                out.append(
                    Evidence(
                        self.name,
                        "version_mix",
                        f"{model.name}: {len(versions)} versions served since the onset "
                        f"({', '.join(sorted(v or '(none)' for v in versions))})",
                        0.5,
                        MIX_WEIGHT,
                        supports=("model_regression", "serving_infrastructure"),
                        refs=(Ref("window", inputs.onset.isoformat(), "versions"),),
                        at=inputs.onset,
                        details={"model": model.name, "versions": sorted(versions)},
                    )
                )
        return out
