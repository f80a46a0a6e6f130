"""The change log and the lineage graph in the store, read as the incident timeline reads them
(SQLite and PostgreSQL): changes between two times, pipeline runs going on in a lookback, and
the events of one run sent at the same time from many threads."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from smokejumper.changes import make_change
from smokejumper.service.lineage import receive_event
from smokejumper.store.changes import add_change, changes_between
from smokejumper.store.database import unit_of_work
from smokejumper.store.lineage import get_run, job_runs_before, runs_between

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 30, tzinfo=UTC)


def event(
    kind: str,
    run_id: str,
    at: datetime,
    *,
    job: str = "daily",
    rows: int | None = None,
    dataset: str = "features.daily",
) -> dict[str, object]:
    out: dict[str, object] = {"namespace": "pg", "name": dataset}
    if rows is not None:
        out["outputFacets"] = {"outputStatistics": {"rowCount": rows}}
    return {
        "eventType": kind,
        "eventTime": at.isoformat(),
        "producer": "https://example.com/etl",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": run_id},
        "job": {"namespace": "etl", "name": job},
        "outputs": [out],
    }


def send(sessions: sessionmaker[Session], doc: dict[str, object]) -> dict[str, object]:
    return receive_event(sessions, doc, json.dumps(doc), NOW)


def test_changes_between_takes_the_models_and_what_names_no_model(
    sessions: sessionmaker[Session],
) -> None:
    made = [
        make_change(key="a", at=T0, kind="deploy", model="churn", summary="v7"),
        make_change(
            key="b", at=T0 + timedelta(hours=1), kind="config", service="api", summary="timeout"
        ),
        make_change(
            key="c", at=T0 + timedelta(hours=2), kind="deploy", model="fraud", summary="v3"
        ),
        make_change(
            key="d", at=T0 + timedelta(hours=3), kind="flag", model="churn", summary="late"
        ),
    ]
    with unit_of_work(sessions) as session:
        for change in made:
            add_change(session, change, NOW)
    with sessions() as session:
        lookback = changes_between(session, T0, T0 + timedelta(hours=3), models=["churn"])
        only = changes_between(
            session, T0, T0 + timedelta(hours=3), models=["churn"], include_unscoped=False
        )
        every = changes_between(session, T0, T0 + timedelta(days=1), kinds=["deploy"])
    assert [c.key for c in lookback] == ["a", "b"]  # oldest first; d is at the end: left out
    assert [c.key for c in only] == ["a"]
    assert [c.key for c in every] == ["a", "c"]


def test_runs_between_and_the_pipeline_changes_before_an_onset(
    sessions: sessionmaker[Session],
) -> None:
    ids = [str(uuid.uuid4()) for _ in range(5)]
    for day, (run_id, rows) in enumerate(zip(ids, [1000, 1010, 990, 1005, 300], strict=True)):
        start = T0 + timedelta(days=day)
        send(sessions, event("START", run_id, start))
        send(sessions, event("COMPLETE", run_id, start + timedelta(minutes=20), rows=rows))
    other = str(uuid.uuid4())
    send(sessions, event("START", other, T0 + timedelta(days=4, hours=1), job="other", dataset="x"))

    onset = T0 + timedelta(days=4, hours=6)
    with sessions() as session:
        runs = runs_between(session, onset - timedelta(days=1), onset)
        of_features = runs_between(
            session, onset - timedelta(days=1), onset, datasets=[("pg", "features.daily")]
        )
        before = job_runs_before(session, "etl", "daily", T0 + timedelta(days=4), 10)
        changes = changes_between(session, onset - timedelta(days=1), onset, kinds=["pipeline"])
    assert [r.run_id for r in runs] == [ids[4], other]  # day 3 ended over a day before
    assert [r.run_id for r in of_features] == [ids[4]]
    assert of_features[0].outputs[0].row_count == 300
    assert [r.run_id for r in before] == ids[3::-1]
    assert [c.details["run_id"] for c in changes] == [ids[4], other]
    assert [f["kind"] for f in changes[0].details["flags"]] == ["row_count_low"]
    assert changes[1].details["state"] == "START"


def test_events_of_one_run_sent_at_once_leave_one_run_in_its_final_state(
    sessions: sessionmaker[Session],
) -> None:
    run_id = str(uuid.uuid4())
    docs = [event("START", run_id, T0)]
    docs += [event("RUNNING", run_id, T0 + timedelta(minutes=m)) for m in range(1, 8)]
    docs.append(event("COMPLETE", run_id, T0 + timedelta(minutes=9), rows=777))
    errors: list[BaseException] = []

    def post(doc: dict[str, object]) -> None:
        try:
            send(sessions, doc)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=post, args=(doc,)) for doc in reversed(docs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with sessions() as session:
        run = get_run(session, run_id)
        (change,) = changes_between(session, T0, T0 + timedelta(hours=1))
    assert run is not None
    assert run.state == "COMPLETE"
    assert len(run.history) == len(docs)
    assert run.started_at == T0
    assert run.ended_at == T0 + timedelta(minutes=9)
    assert run.outputs[0].row_count == 777
    assert change.details["state"] == "COMPLETE"
    assert change.at == T0 + timedelta(minutes=9)
