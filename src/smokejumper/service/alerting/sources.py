"""What the alert sources see now, read from the store: each monitor's recent observations and
each SLO's state, as :class:`~smokejumper.alerting.Evaluation` objects."""

from __future__ import annotations

import json
import logging
from collections.abc import Hashable
from datetime import datetime, timedelta

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
from smokejumper.store.observations import observation_marks, recent_observations

log = logging.getLogger(__name__)

#: Observations read per monitor beyond its ``for_windows``: enough to date the start of any
#: unhealthy run people still care about (an older start is reported as the oldest one read).
LOOKBACK = 100


def _evaluate(
    session: Session,
    monitor_id: int,
    rule: MonitorRule,
    window_seconds: int,
    seen_until: datetime | None,
) -> Evaluation:
    window = timedelta(seconds=window_seconds)
    recent = recent_observations(session, monitor_id, rule.for_windows + LOOKBACK)
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
    return monitor_evaluation(rule, verdicts, seen_until)


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


#: Each monitor's last evaluation that no later pass can see differently, by store and monitor
#: id, with what it was computed from (see :func:`source_evaluations`).
_SETTLED: dict[tuple[str, int], tuple[Hashable, Evaluation]] = {}


def source_evaluations(session: Session) -> list[Evaluation]:
    """Every monitor's and SLO's evaluation now, episodes that ended since the last pass
    included. A monitor whose alert cannot be described (labels taking reserved names, declared
    before that was checked) is skipped with a warning rather than stopping the others.

    A monitor's evaluation reads only its spec, its model's window and its newest
    observations, and the time of the last pass only for observations evaluated after it. So
    once every observation of a monitor is older than the last pass, its evaluation is kept
    (in this process) and reused for as long as its spec, window and observations (count,
    unhealthy count, newest evaluation, newest window) stay the same: a pass reads the
    observations of the monitors that changed, not of all of them.
    """
    models = models_by_id(session)
    seen_until = last_pass_at(session)
    marks = observation_marks(session)
    url = session.get_bind().engine.url
    store = (
        url.render_as_string(hide_password=True)
        if url.database not in (None, "", ":memory:")
        else ""
    )
    out: list[Evaluation] = []
    for row, spec in monitors_of(session):
        model = models.get(row.model_id)
        if model is None:
            continue
        mark = marks.get(row.id)
        basis = (row.spec_json, model.window_seconds, mark)
        kept = _SETTLED.get((store, row.id)) if store else None  # not for a store in memory
        if kept is not None and kept[0] == basis:
            out.append(kept[1])
            continue
        try:
            rule = monitor_rule(spec)
        except InvalidAlertError as err:
            log.warning("monitor %s raises no alert: %s", spec.name, err)
            continue
        evaluation = _evaluate(session, row.id, rule, model.window_seconds, seen_until)
        if store and (mark is None or (seen_until is not None and mark[2] <= seen_until)):
            _SETTLED[store, row.id] = (basis, evaluation)
        out.append(evaluation)
    for model_name, status in slo_statuses_by_model(session):
        rule_ = SloRule(model=model_name, slo=status["name"], monitor=status["monitor"])
        out.extend(slo_evaluations(rule_, status["state"], status["error_budget_remaining"]))
    return out
