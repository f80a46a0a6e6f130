"""What the alert sources see now, read from the store: each monitor's recent observations and
each SLO's state, as :class:`~smokejumper.alerting.Evaluation` objects."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from sqlalchemy.orm import Session

from smokejumper.alerting import (
    Evaluation,
    MonitorRule,
    SloRule,
    WindowVerdict,
    monitor_evaluation,
    slo_evaluations,
)
from smokejumper.errors import InvalidAlertError
from smokejumper.monitoring.monitors import MonitorSpec
from smokejumper.service.slos import slo_statuses_by_model
from smokejumper.store.alerting_state import last_pass_at
from smokejumper.store.database import as_utc
from smokejumper.store.models import models_by_id
from smokejumper.store.monitors import monitors_of
from smokejumper.store.observations import recent_observations

log = logging.getLogger(__name__)

#: Observations read per monitor beyond its ``for_windows``: enough to date the start of any
#: unhealthy run people still care about (an older start is reported as the oldest one read).
LOOKBACK = 100


def monitor_rule(spec: MonitorSpec) -> MonitorRule:
    """What ``spec`` declares about its alert."""
    return MonitorRule(
        model=spec.model,
        monitor=spec.name,
        type=spec.type,
        severity=getattr(spec, "severity", "warning"),
        for_windows=getattr(spec, "for_windows", 1),
        column=getattr(spec, "column", None),
        team=getattr(spec, "team", None),
        labels=getattr(spec, "labels", None) or {},
        runbook_url=getattr(spec, "runbook_url", None),
        limit=spec.limit_text(),
    )


def source_evaluations(session: Session) -> list[Evaluation]:
    """Every monitor's and SLO's evaluation now, episodes that ended since the last pass
    included. A monitor whose alert cannot be described (labels taking reserved names, declared
    before that was checked) is skipped with a warning rather than stopping the others."""
    models = models_by_id(session)
    seen_until = last_pass_at(session)
    out: list[Evaluation] = []
    for row, spec in monitors_of(session):
        model = models.get(row.model_id)
        if model is None:
            continue
        try:
            rule = monitor_rule(spec)
        except InvalidAlertError as err:
            log.warning("monitor %s raises no alert: %s", spec.name, err)
            continue
        window = timedelta(seconds=model.window_seconds)
        recent = recent_observations(session, row.id, rule.for_windows + LOOKBACK)
        verdicts = [
            WindowVerdict(
                as_utc(o.window_start),
                as_utc(o.window_start) + window,
                o.healthy,
                o.value,
                json.loads(o.details) if o.details else {},
                as_utc(o.evaluated_at),
            )
            for o in reversed(recent)
        ]
        out.append(monitor_evaluation(rule, verdicts, seen_until))
    for model_name, status in slo_statuses_by_model(session):
        rule_ = SloRule(model=model_name, slo=status["name"], monitor=status["monitor"])
        out.extend(slo_evaluations(rule_, status["state"], status["error_budget_remaining"]))
    return out
