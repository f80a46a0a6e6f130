"""Full-text search over incidents through the real API (SQLite FTS5 and PostgreSQL full
text): titles, notes and status updates, every word stemmed, FTS5 syntax taken as words; and
migration 0011 indexing the incidents stored before it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import text
from tests.server.support import client
from tests.support import RunningServer

from smokejumper.incidents import Incident, note
from smokejumper.store.database import make_engine, session_factory, unit_of_work
from smokejumper.store.incidents import find_incidents


def _ids(c: httpx.Client, **params: str) -> list[str]:
    r = c.get("/api/v1/incidents", params=params)
    assert r.status_code == 200, r.text
    return [i["id"] for i in r.json()]


def test_search_reads_titles_notes_and_updates(server: RunningServer) -> None:
    with client(server) as c:
        for title in ("churn scores flat", "fraud latency spike", "ranking nulls in tenure"):
            r = c.post("/api/v1/incidents", json={"title": title, "by": "ana"})
            assert r.status_code == 201, r.text
        note_body = {"text": "The upstream join dropped rows; rolling back", "by": "bo"}
        assert c.post("/api/v1/incidents/INC-1/notes", json=note_body).status_code == 201
        sbar = {
            "situation": "p99 above 900 ms",
            "background": "autoscaler misconfigured",
            "assessment": "capacity",
            "recommendation": "raise the replica floor",
            "by": "ana",
        }
        assert c.post("/api/v1/incidents/INC-2/updates", json=sbar).status_code == 201

        assert _ids(c, q="churn") == ["INC-1"]  # the title
        assert _ids(c, q="upstream") == ["INC-1"]  # a note
        assert _ids(c, q="autoscaler") == ["INC-2"]  # an update's background
        assert _ids(c, q="replica floor") == ["INC-2"]  # every word, one incident
        assert _ids(c, q="rolled") == ["INC-1"]  # stemmed: "rolling" in the note
        assert _ids(c, q="CHURN upstream") == ["INC-1"]  # title and note together, any case
        assert _ids(c, q="churn autoscaler") == []  # words of two incidents: none has both
        assert _ids(c, q='tenure" OR "churn') == []  # quotes and OR are words, not syntax
        assert _ids(c, q="tenure*") == ["INC-3"]
        assert _ids(c, q="churn", status="resolved") == []
        assert _ids(c, q="churn", status="triage") == ["INC-1"]

        empty = c.get("/api/v1/incidents", params={"q": "  ?! "})
        assert empty.status_code == 422
        assert "has no words" in empty.json()["detail"]
        long = c.get("/api/v1/incidents", params={"q": "a " * 400})
        assert long.status_code == 422

        # a merged duplicate stays findable by its own text
        merged = c.post("/api/v1/incidents/INC-1/merge", json={"duplicate": "INC-3", "by": "ana"})
        assert merged.status_code == 200, merged.text
        assert _ids(c, q="tenure") == ["INC-3"]


def test_the_index_follows_every_stored_event_once(server: RunningServer) -> None:
    engine = make_engine(server.settings.database_url)
    sessions = session_factory(engine)
    t = datetime(2026, 11, 1, 3, tzinfo=UTC)
    try:
        from smokejumper.store.incidents import append_events, save_incident

        with unit_of_work(sessions) as session:
            incident, events = Incident.open("INC-9", "scores flat", "SEV3", t, source="user")
            save_incident(session, incident)
            said = note(
                "INC-9", "feature store snapshot stale", t + timedelta(minutes=1), actor="bo"
            )
            append_events(session, [*events, said, said])
            append_events(session, [said])  # stored already: nothing added
        with sessions() as session:
            stored = session.execute(
                text("SELECT search_text FROM incidents WHERE id = 'INC-9'")
            ).scalar_one()
            assert stored == "feature store snapshot stale"
            assert [i.id for i in find_incidents(session, words=["snapshot", "scores"])] == [
                "INC-9"
            ]
            if engine.dialect.name == "sqlite":
                rows = session.execute(
                    text("SELECT count(*) FROM incident_search WHERE incident_id = 'INC-9'")
                ).scalar_one()
                assert rows == 1
            else:  # the expression index is the one the search uses
                session.execute(text("SET enable_seqscan = off"))
                plan = session.execute(
                    text(
                        "EXPLAIN SELECT id FROM incidents WHERE to_tsvector('english', "
                        "incidents.title || ' ' || incidents.search_text) @@ "
                        "plainto_tsquery('english', 'snapshot')"
                    )
                ).scalars()
                assert "ix_incidents_search" in "\n".join(plan)
    finally:
        engine.dispose()


def test_migration_0011_indexes_the_incidents_stored_before_it(database_url: str) -> None:
    from alembic import command

    from smokejumper.store.database import _alembic_config

    engine = make_engine(database_url)
    try:
        command.upgrade(_alembic_config(engine), "0010")
        t = datetime(2026, 11, 1, 3, tzinfo=UTC)
        incident, events = Incident.open("INC-1", "churn drift", "SEV2", t, source="user")
        said = note("INC-1", "schema changed upstream", t, actor="bo")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO incidents (id, number, title, status, severity, model, "
                    "detected_at, document) VALUES ('INC-1', 1, 'churn drift', 'triage', "
                    "'SEV2', '', :t, :doc)"
                ),
                {"t": t, "doc": json.dumps(incident.to_dict())},
            )
            for event in (*events, said):
                connection.execute(
                    text(
                        "INSERT INTO incident_events (incident_id, event_id, kind, at, "
                        "document) VALUES ('INC-1', :e, :k, :t, :doc)"
                    ),
                    {
                        "e": event.id,
                        "k": event.kind.value,
                        "t": t,
                        "doc": json.dumps(event.to_dict()),
                    },
                )
        command.upgrade(_alembic_config(engine), "0011")
        with session_factory(engine)() as session:
            assert [i.id for i in find_incidents(session, words=["schema", "drift"])] == ["INC-1"]
        command.downgrade(_alembic_config(engine), "0010")
        command.upgrade(_alembic_config(engine), "0011")
        with session_factory(engine)() as session:
            assert [i.id for i in find_incidents(session, words=["upstream"])] == ["INC-1"]
    finally:
        engine.dispose()
