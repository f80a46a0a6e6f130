"""Outbox delivery: notifications per second from the store to a loopback webhook.

What it measures
----------------
In one process: a fresh store (a SQLite file in a temporary folder; a fresh PostgreSQL database,
created and dropped, when a server answers at ``--postgres-admin``), ``--notifications``
notifications (default 2,000, each with 3 firing drift alerts carrying their drifted columns,
effect sizes, window and links) enqueued with ``enqueue_notification`` for a receiver with one
``webhook_configs`` item, signed with a secret, pointing to a loopback HTTP server in this
process. The server (``ThreadingHTTPServer``, HTTP/1.1 keep-alive, Nagle off) checks nothing:
it counts requests and distinct ``Idempotency-Key`` headers and answers 200.

Then ``deliver_due`` runs in a loop, ``--limit`` messages a round (the deliverer's 100 by
default), with the deliverer's sender (``senders.sender`` over ``delivery.http.new_client``),
until a round finds nothing due. The time from the first round to the empty one is the
delivery time: reading the due messages, decoding them, building and signing each webhook
document, the HTTP round trips and the marks committed. Enqueuing is timed apart and not in
the rate. Each round of the benchmark checks that every notification arrived once: requests =
distinct keys = notifications, no duplicates, every message ``sent`` with one attempt.

The figure is the median of ``--rounds`` rounds (3), each on a fresh store; the time spent
inside the sender (payload, signature and HTTP) is reported apart from the rest (the store and
decoding). One more round on SQLite runs under cProfile and its top functions are listed.

How to run (from the repository root)
-------------------------------------
    .venv/bin/python benchmarks/outbox_delivery.py                # ~1 minute
    .venv/bin/python benchmarks/outbox_delivery.py --quick        # 500 notifications
    .venv/bin/python benchmarks/outbox_delivery.py --database-url postgresql://...  # that store

``--database-url`` (repeatable) benchmarks the given stores instead of the temporary ones: the
store is migrated, its outbox must be empty, and the benchmark's messages are deleted after
each round. The full run writes ``benchmarks/results/outbox_delivery.md``; ``--quick`` writes
``benchmarks/.data/outbox_delivery-quick.md`` unless ``--output`` says otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import pstats
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, delete, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from _common import (
    Target,
    command_line,
    fmt,
    git_state,
    log,
    machine_lines,
    md_table,
    results_paths,
    short_function,
    target_lines,
    text_table,
)
from smokejumper.alerting import Alert, AlertingConfig, Link, Notification, parse_config
from smokejumper.delivery.http import new_client
from smokejumper.delivery.outcome import Outcome
from smokejumper.service.alerting.delivery import Send, deliver_due
from smokejumper.service.alerting.outbox import enqueue_notification
from smokejumper.service.alerting.senders import sender
from smokejumper.store.database import (
    make_engine,
    normalise_url,
    session_factory,
    unit_of_work,
    upgrade,
)
from smokejumper.store.tables import OutboxMessage

TARGET_PER_S = 200.0
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SECRET = "bench-webhook-secret"
EXTERNAL_URL = "https://smokejumper.example"


# --------------------------------------------------------------------------- the loopback webhook


class Webhook:
    """A loopback HTTP server that counts requests and distinct ``Idempotency-Key`` headers."""

    def __init__(self) -> None:
        self.requests = 0
        self.keys: set[str] = set()
        self._lock = threading.Lock()
        webhook = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: the client reuses its connection
            disable_nagle_algorithm = True  # without it each answer waits ~40 ms for an ACK

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                webhook.count(self.headers.get("Idempotency-Key", ""))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def count(self, key: str) -> None:
        with self._lock:
            self.requests += 1
            self.keys.add(key)

    def reset(self) -> None:
        with self._lock:
            self.requests, self.keys = 0, set()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


# --------------------------------------------------------------------------- inputs


def config_for(url: str) -> AlertingConfig:
    """One receiver with one signed webhook."""
    return parse_config(
        {
            "route": {"receiver": "hook", "group_by": ["model"]},
            "receivers": [{"name": "hook", "webhook_configs": [{"url": url, "secret": SECRET}]}],
        }
    )


def drift_alert(model: str, monitor: int, columns: int = 3) -> Alert:
    """A firing feature-drift alert of ``model`` with ``columns`` drifted columns."""
    drifted = [
        {"column": f"feature_{c}", "effect_size": round(0.9 - c * 0.07, 3), "method": "wasserstein"}
        for c in range(columns)
    ]
    return Alert(
        {
            "alertname": "SmokejumperMonitorUnhealthy",
            "model": model,
            "version": "3",
            "monitor": f"drift-{monitor}",
            "type": "feature_drift",
            "severity": "warning",
            "team": "ml",
        },
        {
            "summary": f"feature_drift monitor drift-{monitor} of model {model} is unhealthy: "
            f"{columns} columns drifted",
            "description": "Value 0.62 in the window 08:00 to 09:00.",
            "runbook_url": "https://runbooks.example/drift",
        },
        T0,
        links=(
            Link(f"{{external_url}}/api/v1/models/{model}/observations", f"Model {model}"),
            Link("https://runbooks.example/drift", "Runbook"),
        ),
        context={
            "drifted_columns": drifted,
            "window_start": "2026-11-01T08:00:00+00:00",
            "window_end": "2026-11-01T09:00:00+00:00",
            "since": "2026-11-01T08:00:00+00:00",
            "value": 0.62,
        },
    )


def make_notifications(count: int, round_no: int) -> list[Notification]:
    """``count`` notifications of distinct models, 3 drift alerts each; their keys differ per
    round (the instant moves), so rounds on one store never collide."""
    at = T0 + timedelta(minutes=1 + round_no)
    out = []
    for i in range(count):
        model = f"model-{i:05}"
        alerts = tuple(drift_alert(model, m) for m in range(3))
        group = f'{{}}:{{model="{model}"}}'
        out.append(Notification("hook", group, {"model": model}, alerts, (), "new", at))
    return out


# --------------------------------------------------------------------------- stores


@dataclass
class Store:
    """Where a round runs: a name for the tables and a context manager giving a store's URL."""

    name: str
    fresh: Callable[[], contextlib.AbstractContextManager[str]]
    note: str = ""


@contextlib.contextmanager
def sqlite_store() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="sj-outbox-bench-") as folder:
        yield f"sqlite:///{folder}/store.db"


def postgres_unreachable(url: str) -> str | None:
    """Why no PostgreSQL server answers at ``url``; ``None`` when one does."""
    engine = create_engine(normalise_url(url), connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as err:
        return " ".join(str(err.orig).split()) or type(err.orig).__name__
    finally:
        engine.dispose()
    return None


def postgres_store(admin_url: str) -> Callable[[], contextlib.AbstractContextManager[str]]:
    """Fresh databases on the server of ``admin_url``, dropped after their round."""

    @contextlib.contextmanager
    def fresh() -> Iterator[str]:
        admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
        name = f"sj_bench_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield (
                make_url(normalise_url(admin_url))
                .set(database=name)
                .render_as_string(hide_password=False)
            )
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

    return fresh


def given_store(url: str) -> Callable[[], contextlib.AbstractContextManager[str]]:
    """The store at ``url``: migrated, its outbox empty before a round and emptied after."""

    @contextlib.contextmanager
    def fresh() -> Iterator[str]:
        engine = make_engine(url)
        try:
            upgrade(engine)
            with session_factory(engine)() as session:
                present = session.scalar(select(func.count()).select_from(OutboxMessage))
            if present:
                raise SystemExit(
                    f"the outbox of {make_url(normalise_url(url))!r} holds {present} messages; "
                    "the benchmark needs an empty one (it deletes its messages after each "
                    "round). Give it a fresh database."
                )
            try:
                yield url
            finally:  # only what this round wrote: the outbox was empty before it
                with unit_of_work(session_factory(engine)) as session:
                    session.execute(delete(OutboxMessage))
        finally:
            engine.dispose()

    return fresh


# --------------------------------------------------------------------------- one round


@dataclass
class RoundResult:
    """What one round measured."""

    notifications: int
    enqueue_s: float
    deliver_s: float
    send_s: float
    rounds: int
    delivered: int
    retried: int
    dead: int
    requests: int
    distinct_keys: int
    sent_rows: int
    attempts: int
    profile: pstats.Stats | None = field(default=None, repr=False)

    @property
    def per_second(self) -> float:
        return self.delivered / self.deliver_s

    @property
    def duplicates(self) -> int:
        return self.requests - self.distinct_keys


def timed_sender(send: Send) -> tuple[Send, list[float]]:
    """``send``, adding the seconds spent in it to the returned one-item list."""
    spent = [0.0]

    def wrapped(receiver: str, kind: str, index: int, notification: Notification) -> Outcome:
        start = time.perf_counter()
        try:
            return send(receiver, kind, index, notification)
        finally:
            spent[0] += time.perf_counter() - start

    return wrapped, spent


def one_round(
    url: str, webhook: Webhook, count: int, limit: int, round_no: int, profile: bool = False
) -> RoundResult:
    """Enqueue ``count`` notifications in the store at ``url`` and deliver them all."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        sessions = session_factory(engine)
        config = config_for(webhook.url)
        notifications = make_notifications(count, round_no)
        now = notifications[0].at
        start = time.perf_counter()
        with unit_of_work(sessions) as session:
            written = sum(enqueue_notification(session, n, config, now) for n in notifications)
        enqueue_s = time.perf_counter() - start
        assert written == count, (written, count)
        webhook.reset()
        totals = {"delivered": 0, "retried": 0, "dead": 0, "rounds": 0}
        profiler = cProfile.Profile() if profile else None
        with new_client() as client:
            send, spent = timed_sender(sender(config, EXTERNAL_URL, client))
            gc.collect()
            start = time.perf_counter()
            if profiler:
                profiler.enable()
            while True:
                done = deliver_due(sessions, send, now, limit=limit)
                totals["rounds"] += 1
                if not done.attempted:
                    break
                totals["delivered"] += done.delivered
                totals["retried"] += done.retried
                totals["dead"] += done.dead
            if profiler:
                profiler.disable()
            deliver_s = time.perf_counter() - start
        with sessions() as session:
            sent, attempts = session.execute(
                select(func.count(), func.coalesce(func.sum(OutboxMessage.attempts), 0)).where(
                    OutboxMessage.status == "sent"
                )
            ).one()
        return RoundResult(
            notifications=count,
            enqueue_s=enqueue_s,
            deliver_s=deliver_s,
            send_s=spent[0],
            rounds=totals["rounds"],
            delivered=totals["delivered"],
            retried=totals["retried"],
            dead=totals["dead"],
            requests=webhook.requests,
            distinct_keys=len(webhook.keys),
            sent_rows=int(sent),
            attempts=int(attempts),
            profile=pstats.Stats(profiler) if profiler else None,
        )
    finally:
        engine.dispose()


def check(result: RoundResult) -> list[str]:
    """What went wrong in a round (nothing when every notification arrived exactly once)."""
    n = result.notifications
    problems = []
    if (result.delivered, result.retried, result.dead) != (n, 0, 0):
        problems.append(
            f"delivered {result.delivered}, retried {result.retried}, dead {result.dead} of {n}"
        )
    if result.requests != n or result.distinct_keys != n:
        problems.append(f"{result.requests} requests, {result.distinct_keys} distinct keys")
    if result.sent_rows != n or result.attempts != n:
        problems.append(f"{result.sent_rows} messages sent with {result.attempts} attempts")
    return problems


# --------------------------------------------------------------------------- the run


def run_store(
    store: Store, webhook: Webhook, count: int, limit: int, rounds: int
) -> list[RoundResult]:
    results = []
    for r in range(rounds):
        with store.fresh() as url:
            result = one_round(url, webhook, count, limit, r)
        problems = check(result)
        if problems:
            raise SystemExit(f"{store.name}, round {r + 1}: " + "; ".join(problems))
        log(
            f"{store.name} round {r + 1}: {result.per_second:,.0f} notifications/s "
            f"({result.deliver_s:.2f} s, {result.requests} requests, "
            f"{result.duplicates} duplicates)"
        )
        results.append(result)
    return results


def profile_round(webhook: Webhook, count: int, limit: int) -> pstats.Stats:
    with sqlite_store() as url:
        result = one_round(url, webhook, count, limit, 0, profile=True)
    assert result.profile is not None
    assert not check(result)
    return result.profile


def top_functions(stats: pstats.Stats, n: int = 20) -> list[list[str]]:
    """The ``n`` functions with the most own time: own s, cumulative s, calls."""
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in entries.values()) or 1.0
    ranked = sorted(entries.items(), key=lambda kv: kv[1][2], reverse=True)[:n]
    return [
        [
            short_function(path, line, name),
            f"{own:.3f}",
            f"{100 * own / total:.1f}",
            f"{cumulative:.3f}",
            f"{calls:,}",
        ]
        for (path, line, name), (_, calls, own, cumulative, _) in ranked
    ]


#: Parts of a delivery, as (what, file the function is in, function): their cumulative time in
#: the profiled round, against ``deliver_due``'s.
STAGES = (
    ("deliver_due, all of it", "service/alerting/delivery.py", "deliver_due"),
    ("reading the due messages", "store/outbox.py", "due"),
    ("decoding the outbox payloads", "alerting/codec.py", "notification_from_dict"),
    ("the sender: payload, signature, HTTP", "delivery/webhook.py", "send"),
    ("  the webhook document (JSON)", "alerting/payloads/webhook.py", "webhook_payload"),
    ("  the HTTP round trip (httpx)", "delivery/http.py", "post"),
    ("marks: loading each message (session.get)", "sqlalchemy/orm/session.py", "get"),
    ("marks: mark_sent (attempts, status, flush)", "store/outbox.py", "mark_sent"),
    ("commits (SQLite)", "~", "<method 'commit' of 'sqlite3.Connection' objects>"),
)


def stage_rows(stats: pstats.Stats) -> list[list[str]]:
    """Cumulative seconds and share of each of :data:`STAGES` in the profiled round."""
    entries = stats.stats  # type: ignore[attr-defined]

    def cumulative(path: str, name: str) -> tuple[float, int]:
        found = [
            (v[3], v[1])
            for (file, _, fn), v in entries.items()
            if fn == name and file.endswith(path)
        ]
        return (sum(c for c, _ in found), sum(n for _, n in found))

    whole = cumulative(*STAGES[0][1:])[0] or 1.0
    rows = []
    for label, path, name in STAGES:
        seconds, calls = cumulative(path, name)
        rows.append([label, f"{seconds:.3f}", f"{100 * seconds / whole:.0f}", f"{calls:,}"])
    return rows


def median(values: list[float]) -> float:
    return statistics.median(values)


HEADER = [
    "Store",
    "Notifications",
    "Median notifications/s",
    "Rounds (notifications/s)",
    "Median delivery s",
    "In the sender (payload, signature, HTTP)",
    "Store and decoding",
    "Enqueue s (not in the rate)",
    "Requests",
    "Distinct keys",
    "Duplicates",
]


def table_rows(results: dict[str, list[RoundResult]]) -> list[list[str]]:
    rows = []
    for name, rs in results.items():
        mid = sorted(rs, key=lambda r: r.per_second)[len(rs) // 2]
        send_share = 100 * mid.send_s / mid.deliver_s
        rows.append(
            [
                name,
                fmt(mid.notifications),
                fmt(median([r.per_second for r in rs])),
                ", ".join(fmt(r.per_second) for r in rs),
                f"{mid.deliver_s:.2f}",
                f"{mid.send_s:.2f} s ({send_share:.0f} %)",
                f"{mid.deliver_s - mid.send_s:.2f} s ({100 - send_share:.0f} %)",
                f"{mid.enqueue_s:.2f}",
                fmt(mid.requests),
                fmt(mid.distinct_keys),
                str(max(r.duplicates for r in rs)),
            ]
        )
    return rows


def render(
    results: dict[str, list[RoundResult]],
    skipped: list[str],
    profile: pstats.Stats | None,
    args: argparse.Namespace,
    argv: list[str],
    git_at_start: str,
) -> str:
    targets = [
        Target(
            f"the outbox delivers at least {TARGET_PER_S:.0f} notifications/s to a loopback "
            f"webhook ({name})",
            median([r.per_second for r in rs]) >= TARGET_PER_S,
            f"median of {len(rs)} rounds: {median([r.per_second for r in rs]):,.0f}/s, "
            f"{max(r.duplicates for r in rs)} duplicates",
        )
        for name, rs in results.items()
    ]
    lines = [
        "# Outbox delivery: notifications per second to a loopback webhook",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        *machine_lines(git_at_start, ["smokejumper", "sqlalchemy", "psycopg", "httpx"]),
        f"- Command: `{command_line(__file__, argv)}`",
        "",
        f"{args.notifications:,} notifications (3 firing drift alerts each, with their drifted "
        "columns, effect sizes, window and links) are enqueued with `enqueue_notification` for a "
        "receiver with one signed `webhook_configs` item, then delivered by `deliver_due` in a "
        f"loop, {args.limit} messages a round, until the outbox is empty, with the deliverer's "
        "sender and HTTP client. The receiver is a `ThreadingHTTPServer` in the same process "
        "(HTTP/1.1 keep-alive, Nagle off) that only counts requests and distinct "
        "`Idempotency-Key` headers. The rate is notifications delivered over the delivery time "
        "(reading, decoding, payload and signature, HTTP, marks committed); enqueuing is timed "
        f"apart. Median of {args.rounds} rounds, each on a fresh store; every round checked: "
        "one request per notification, distinct keys, every message `sent` after one attempt. "
        "Client, server and store share the machine's cores (PostgreSQL runs locally).",
        "",
        "## Results",
        "",
        md_table(HEADER, table_rows(results)),
        "",
    ]
    if skipped:
        lines += [*(f"- Not measured: {s}" for s in skipped), ""]
    if profile is not None:
        lines += [
            "## Where the time goes (one more round on SQLite under cProfile)",
            "",
            "cProfile slows Python code down, so shares are indicative; it sees this thread "
            "only (the webhook's threads run beside it). Parts of a delivery, cumulative:",
            "",
            md_table(["Part", "Cumulative s", "% of deliver_due", "Calls"], stage_rows(profile)),
            "",
            "Functions with the most own time:",
            "",
            md_table(
                ["Function", "Own s", "Own %", "Cumulative s", "Calls"], top_functions(profile, 15)
            ),
            "",
        ]
    lines += ["## Target", "", *target_lines(targets), ""]
    return "\n".join(lines)


def stores(args: argparse.Namespace) -> tuple[list[Store], list[str]]:
    if args.database_url:
        return [
            Store(make_url(normalise_url(u)).get_backend_name(), given_store(u))
            for u in args.database_url
        ], []
    chosen = [Store("SQLite (file, WAL, synchronous=FULL)", sqlite_store)]
    if args.postgres_admin == "none":
        return chosen, ["PostgreSQL (--postgres-admin none)"]
    problem = postgres_unreachable(args.postgres_admin)
    if problem is not None:
        return chosen, [f"PostgreSQL: no server answers at {args.postgres_admin} ({problem})"]
    chosen.append(Store("PostgreSQL (local server)", postgres_store(args.postgres_admin)))
    return chosen, []


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--notifications", type=int, default=2000, help="per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per store (median)")
    parser.add_argument("--limit", type=int, default=100, help="messages per deliver_due call")
    parser.add_argument(
        "--database-url",
        action="append",
        help="benchmark this store instead (repeatable); its outbox must be empty",
    )
    parser.add_argument(
        "--postgres-admin",
        default=POSTGRES_ADMIN,
        help="a PostgreSQL server's admin URL where fresh databases are made and dropped "
        "('none' to skip)",
    )
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile round")
    parser.add_argument("--quick", action="store_true", help="500 notifications, .data/ output")
    parser.add_argument("--output", type=Path, help="where to write the Markdown results")
    args = parser.parse_args(argv)
    if args.quick:
        args.notifications = min(args.notifications, 500)
    full, quick = results_paths("outbox_delivery")
    output = args.output or (quick if args.quick else full)
    git_at_start = git_state()
    chosen, skipped = stores(args)
    for line in skipped:
        log(f"not measured: {line}")
    webhook = Webhook()
    try:
        results = {
            s.name: run_store(s, webhook, args.notifications, args.limit, args.rounds)
            for s in chosen
        }
        profile = None
        if not args.no_profile:
            log("profiling one more round on SQLite")
            profile = profile_round(webhook, args.notifications, args.limit)
    finally:
        webhook.close()
    print(text_table(HEADER, table_rows(results)))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render(results, skipped, profile, args, argv, git_at_start))
    log(f"results written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
