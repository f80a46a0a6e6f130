"""Incident search on a store of many incidents: the cost of keeping the index in step (a note
stored) and of a search, on SQLite (FTS5) and PostgreSQL (GIN expression index).

What it measures
----------------
``--incidents`` incidents (default 5,000) are stored through the repository, each with two
notes and one status update; one in a hundred mentions ``tenure``. Then, timed over
``--rounds`` rounds each: storing one more note on an existing incident (its own unit of work:
the SQLite FTS row is rewritten, the PostgreSQL index follows the row), and a search for
``tenure null`` (about 50 matches), the median in milliseconds.

How to run (from the repository root)
-------------------------------------
    .venv/bin/python benchmarks/incident_search.py            # SQLite, and PostgreSQL if up
    .venv/bin/python benchmarks/incident_search.py --incidents 500 --rounds 20
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from smokejumper.incidents import Incident, StatusUpdate, note, post_update
from smokejumper.store.database import make_engine, session_factory, unit_of_work, upgrade
from smokejumper.store.incidents import append_events, find_incidents, save_incident

POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _fill(url: str, n: int) -> float:
    engine = make_engine(url)
    upgrade(engine)
    sessions = session_factory(engine)
    started = time.perf_counter()
    with unit_of_work(sessions) as session:
        for i in range(n):
            at = T0 + timedelta(minutes=i)
            word = "tenure is null" if i % 100 == 0 else "latency is high"
            incident, events = Incident.open(f"INC-{i + 1}", f"model {i} {word}", "SEV3", at,
                                             source="user")  # fmt: skip
            update = StatusUpdate("scores flat", "a job ran", "schema change", "roll back")
            _, posted = post_update(incident, update, at, actor="ana")
            notes = [note(incident.id, f"note {k} about {word}", at, actor="bo") for k in (1, 2)]
            save_incident(session, incident)
            append_events(session, [*events, *notes, *posted])
    filled = time.perf_counter() - started
    engine.dispose()
    return filled


def _measure(url: str, n: int, rounds: int) -> dict[str, float]:
    filled = _fill(url, n)
    engine = make_engine(url)
    sessions = session_factory(engine)
    noting, searching = [], []
    found = 0
    for r in range(rounds):
        started = time.perf_counter()
        with unit_of_work(sessions) as session:
            said = note(f"INC-{(r * 37) % n + 1}", f"round {r} checked", T0, actor="cy")
            append_events(session, [said])
        noting.append(time.perf_counter() - started)
        started = time.perf_counter()
        with sessions() as session:
            found = len(find_incidents(session, words=["tenure", "null"]))
        searching.append(time.perf_counter() - started)
    engine.dispose()
    return {
        "fill_s": filled,
        "note_ms": statistics.median(noting) * 1000,
        "search_ms": statistics.median(searching) * 1000,
        "found": found,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = {"sqlite": _measure(f"sqlite:///{Path(tmp) / 's.db'}", args.incidents,
                                      args.rounds)}  # fmt: skip
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"sj_bench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as err:
        print(f"PostgreSQL skipped: {err.__class__.__name__}")
    else:
        try:
            url = admin.url.set(database=name).render_as_string(hide_password=False)
            results["postgresql"] = _measure(url, args.incidents, args.rounds)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
    print(f"{args.incidents} incidents (3 texts each), median of {args.rounds} rounds")
    print(f"{'store':<12}{'fill s':>9}{'note ms':>10}{'search ms':>11}{'matches':>9}")
    for store, r in results.items():
        print(
            f"{store:<12}{r['fill_s']:>9.1f}{r['note_ms']:>10.2f}{r['search_ms']:>11.2f}"
            f"{r['found']:>9.0f}"
        )


if __name__ == "__main__":
    main()
