"""The second part of ``smokejumper demo``: the monitoring service catching the drift.

It starts a real ``smokejumper serve`` on a free loopback port (its data in
``$SMOKEJUMPER_HOME/demo-service``, made afresh on every run), registers the sample loan model
with its reference over the HTTP API, declares monitors and an SLO, logs six hours of
predictions and labels with the SDK (three hours like the reference, then three of the drifted
October data), evaluates, and prints what the service found. Any failure raises
:class:`ServiceDemoError` with what went wrong; the server is stopped in every case.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from rich.console import Console
from rich.table import Table

from smokejumper.client import Client
from smokejumper.errors import SmokejumperError

MODEL = "loans"
HOURS_LIKE_REFERENCE = 3
HOURS_DRIFTED = 3
LABELLED_SHARE = 0.6
START_TIMEOUT = 60.0
SEED = 20261127

NUMERIC = ("age", "income", "credit_score", "loan_amount", "open_accounts")
CATEGORICAL = ("employment", "region")
BOOLEAN = ("has_mortgage",)
FEATURES = (*NUMERIC, *CATEGORICAL, *BOOLEAN)

SCHEMA: dict[str, Any] = {
    "features": [
        *({"name": n, "kind": "numeric"} for n in NUMERIC),
        *({"name": n, "kind": "categorical"} for n in CATEGORICAL),
        *({"name": n, "kind": "boolean"} for n in BOOLEAN),
    ],
    "prediction_kind": "numeric",
    "segments": ["region"],
    "columns": {"id": "applicant_id", "timestamp": "applied_at", "prediction": "score"},
}

MONITORS: list[dict[str, Any]] = [
    {"name": "loans-drift", "model": MODEL, "type": "feature_drift", "max": 0},
    {"name": "loans-credit-nulls", "model": MODEL, "type": "null_rate", "column": "credit_score",
     "max": 0.05},
    {"name": "loans-p99", "model": MODEL, "type": "latency", "quantile": 0.99, "max": 250},
    {"name": "loans-volume", "model": MODEL, "type": "volume", "min": 500},
    {"name": "loans-accuracy", "model": MODEL, "type": "performance", "metric": "accuracy",
     "min": 0.7},
]  # fmt: skip
SLO: dict[str, Any] = {
    "name": "loans-data-quality",
    "monitor": "loans-credit-nulls",
    "objective": 0.99,
    "period_days": 30,
}


class ServiceDemoError(SmokejumperError):
    """A step of the service demo failed; the message says which and why."""


def run_service_demo(console: Console, home: Path, reference: Path, current: Path) -> float:
    """Run the whole service demo with its data in ``home`` (emptied first); return seconds."""
    started = time.monotonic()
    console.rule("[bold]The monitoring service[/]")
    console.print(
        f"Starting [bold]smokejumper serve[/] (data in {home}), registering model '{MODEL}', "
        f"logging {HOURS_LIKE_REFERENCE + HOURS_DRIFTED} hours of predictions with the SDK.\n"
    )
    reference_table = pq.read_table(reference)
    current_table = pq.read_table(current)
    with console.status("Starting smokejumper serve...") as status, running_server(home) as url:
        token = _admin_token(home)
        with _api(url, token) as http:
            status.update("Registering the model, its reference, monitors and an SLO...")
            _register(http, reference_table)
            _declare_monitors(http)
            status.update("Logging predictions and labels with smokejumper.Client...")
            hours = _window_starts(datetime.now(UTC))
            rows, labels = _log_predictions(url, token, home, hours, reference_table, current_table)
            status.update("Evaluating the monitors...")
            _call(http, "POST", "/api/v1/evaluate", "evaluating the monitors")
            windows = _call(http, "GET", f"/api/v1/models/{MODEL}/windows", "reading windows")
            observations = _call(
                http, "GET", f"/api/v1/models/{MODEL}/observations", "reading observations"
            )
            slos = _call(http, "GET", "/api/v1/slos", "reading the SLOs")
    console.print(
        f"Logged {rows:,} predictions in {len(hours)} hourly windows and {labels:,} labels "
        "with smokejumper.Client, then evaluated the monitors.\n"
    )
    console.print(_windows_table(windows))
    console.print(_observations_table(observations))
    console.print(_slo_table(slos))
    return time.monotonic() - started


# --- the server -------------------------------------------------------------------------------


def _free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server_env(home: Path) -> dict[str, str]:
    """The environment of the demo's server and CLI calls: its own home and SQLite store, no
    background evaluator (the demo evaluates on demand)."""
    env = {k: v for k, v in os.environ.items() if k != "SMOKEJUMPER_DATABASE_URL"}
    env.update(SMOKEJUMPER_HOME=str(home), SMOKEJUMPER_EVALUATE_EVERY="0")
    return env


def _log_tail(log: Path, lines: int = 5) -> str:
    """The last lines of the server's stderr, to explain a failure."""
    try:
        text = log.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return ("; server said: " + " | ".join(text[-lines:])) if text else ""


@contextmanager
def running_server(home: Path) -> Iterator[str]:
    """``smokejumper serve`` on a free loopback port with its data in ``home`` (removed first);
    yields its URL once ``/healthz`` answers and stops it on the way out, whatever happens."""
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = home / "server.log"
    command = [sys.executable, "-m", "smokejumper", "serve", "--host", "127.0.0.1"]
    with log.open("wb") as errors:
        proc = subprocess.Popen(
            [*command, "--port", str(port)],
            env=_server_env(home),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    try:
        _wait_healthy(proc, url, log)
        yield url
    finally:
        _stop(proc)


def _wait_healthy(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    """Wait until the server answers ``/healthz``; raise if it exits or takes too long."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServiceDemoError(
                f"smokejumper serve exited with code {proc.returncode} before answering on "
                f"{url}{_log_tail(log)}"
            )
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise ServiceDemoError(
        f"smokejumper serve did not answer on {url}/healthz within {START_TIMEOUT:.0f} s"
        f"{_log_tail(log)}"
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server: SIGTERM, then SIGKILL if it lingers."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _admin_token(home: Path) -> str:
    """An admin token made with ``smokejumper token create`` in the server's home."""
    done = subprocess.run(
        [sys.executable, "-m", "smokejumper", "token", "create", "--scope", "admin"],
        env=_server_env(home),
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise ServiceDemoError(f"smokejumper token create failed: {done.stderr.strip()}")
    return done.stdout.strip().splitlines()[-1]


# --- the API ----------------------------------------------------------------------------------


@contextmanager
def _api(url: str, token: str) -> Iterator[httpx.Client]:
    """An HTTP client for the server's API with the admin token."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
        yield http


def _call(http: httpx.Client, method: str, path: str, what: str, **kwargs: Any) -> Any:
    """One API request; its JSON answer, or :class:`ServiceDemoError` saying ``what`` failed."""
    try:
        response = http.request(method, path, **kwargs)
    except httpx.HTTPError as err:
        raise ServiceDemoError(f"{what}: {method} {path} failed: {err}") from err
    if response.status_code >= 400:
        raise ServiceDemoError(
            f"{what}: {method} {path} answered {response.status_code}: {response.text[:500]}"
        )
    return response.json()


def _register(http: httpx.Client, reference: pa.Table) -> None:
    """Register the model (hourly windows) and upload its reference: the training features."""
    body = {"name": MODEL, "schema": SCHEMA, "window_seconds": 3600}
    _call(http, "POST", "/api/v1/models", "registering the model", json=body)
    buffer = io.BytesIO()
    pq.write_table(reference.select(list(FEATURES)), buffer)
    _call(
        http,
        "PUT",
        f"/api/v1/models/{MODEL}/reference",
        "uploading the reference",
        content=buffer.getvalue(),
        headers={"Content-Type": "application/vnd.apache.parquet"},
    )


def _declare_monitors(http: httpx.Client) -> None:
    """Declare the demo's monitors and its SLO."""
    for monitor in MONITORS:
        _call(
            http, "POST", "/api/v1/monitors", f"declaring monitor {monitor['name']}", json=monitor
        )
    _call(http, "POST", "/api/v1/slos", f"declaring SLO {SLO['name']}", json=SLO)


# --- the predictions --------------------------------------------------------------------------


def _window_starts(now: datetime) -> list[datetime]:
    """The starts of the hourly windows to fill: the hours before the current one, so all are
    closed and ready to evaluate."""
    this_hour = now.replace(minute=0, second=0, microsecond=0)
    count = HOURS_LIKE_REFERENCE + HOURS_DRIFTED
    return [this_hour - timedelta(hours=count - i) for i in range(count)]


def _score(table: pa.Table) -> np.ndarray:
    """A stand-in for the loan model: the probability of default from credit score and the
    loan-to-income ratio (a missing credit score counts as an average one)."""
    credit = table.column("credit_score").to_numpy(zero_copy_only=False)
    credit = np.where(np.isnan(credit), 650.0, credit)
    income = np.maximum(table.column("income").to_numpy(zero_copy_only=False), 1.0)
    ratio = table.column("loan_amount").to_numpy(zero_copy_only=False) / income
    return np.asarray(1.0 / (1.0 + np.exp((credit - 620.0) / 40.0 - 2.0 * (ratio - 0.3))))


def _hour_batch(
    table: pa.Table, hour: datetime, rng: np.random.Generator, *, drifted: bool
) -> tuple[pa.Table, np.ndarray]:
    """One hour of logged predictions from ``table`` (its id, features, a score, confidence,
    latency and a timestamp within the hour) and the true outcomes. In drifted hours the
    outcomes no longer follow the model's scores as closely, as when the world moved on."""
    score = _score(table)
    seconds = np.sort(rng.uniform(0, 3600, table.num_rows))
    stamps = [hour + timedelta(seconds=float(s)) for s in seconds]
    truth_probability = np.clip(
        score + (rng.normal(0.2, 0.25, table.num_rows) if drifted else 0), 0, 1
    )
    outcome = (rng.random(table.num_rows) < truth_probability).astype(np.int64)
    # the model's own column names, which the schema's ``columns`` maps to the record fields
    logged = table.select(["applicant_id", *FEATURES])
    logged = logged.append_column("applied_at", pa.array(stamps, pa.timestamp("us", tz="UTC")))
    logged = logged.append_column("score", pa.array(score, pa.float64()))
    logged = logged.append_column("confidence", pa.array(np.abs(score - 0.5) * 2, pa.float64()))
    latency = rng.lognormal(np.log(35.0), 0.35, table.num_rows)
    logged = logged.append_column("latency_ms", pa.array(latency, pa.float64()))
    return logged, outcome


def _split(table: pa.Table, parts: int, rng: np.random.Generator) -> list[pa.Table]:
    """``table``'s rows shuffled and cut into ``parts`` tables of about the same size."""
    order = rng.permutation(table.num_rows)
    return [table.take(pa.array(chunk)) for chunk in np.array_split(order, parts)]


def _log_predictions(
    url: str,
    token: str,
    home: Path,
    hours: list[datetime],
    reference: pa.Table,
    current: pa.Table,
) -> tuple[int, int]:
    """Log every hour's predictions, and labels for a share of them, with the SDK; return the
    numbers of predictions and labels. Raises if the client could not deliver everything."""
    rng = np.random.default_rng(SEED)
    parts = [
        *((t, False) for t in _split(reference, HOURS_LIKE_REFERENCE, rng)),
        *((t, True) for t in _split(current, HOURS_DRIFTED, rng)),
    ]
    predictions = labels = 0
    with Client(url, token, spool_dir=home / "spool", max_retries=1) as client:
        loans = client.monitor(MODEL)
        for hour, (table, drifted) in zip(hours, parts, strict=True):
            logged, outcome = _hour_batch(table, hour, rng, drifted=drifted)
            predictions += loans.log_batch(logged, version="loans-v3")
            labelled = rng.random(table.num_rows) < LABELLED_SHARE
            ids = logged.column("applicant_id").to_pylist()
            labels += loans.log_labels(
                [i for i, keep in zip(ids, labelled, strict=True) if keep],
                [int(o) for o, keep in zip(outcome, labelled, strict=True) if keep],
            )
        delivered = client.flush(timeout=60)
        stats = client.stats
    if not delivered or stats.rejected or stats.dropped or stats.spooled:
        raise ServiceDemoError(f"logging with smokejumper.Client did not go through: {stats}")
    return predictions, labels


# --- the output -------------------------------------------------------------------------------


def _hhmm(iso: str) -> str:
    """``HH:MM`` (UTC) of an ISO 8601 time."""
    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%H:%M")


def _window_label(start: str, end: str) -> str:
    """A window as ``HH:MM-HH:MM`` (UTC)."""
    return f"{_hhmm(start)}-{_hhmm(end)}"


def _windows_table(windows: list[dict[str, Any]]) -> Table:
    """Rows, missing credit scores and the drift verdict of every window."""
    table = Table(title=f"Hourly windows of model '{MODEL}' (UTC)", title_justify="left")
    table.add_column("window")
    table.add_column("rows", justify="right")
    table.add_column("credit_score null", justify="right")
    table.add_column("drift against the reference")
    for w in windows:
        missing = w["nulls"].get("credit_score", 0) / max(w["rows"], 1)
        columns = (w.get("drift") or {}).get("columns", [])
        drifted = [c["name"] for c in columns if c["drift"]]
        if drifted:
            verdict = f"[bold red]DRIFT[/] {len(drifted)}/{len(columns)}: {', '.join(drifted)}"
        else:
            verdict = f"[green]none[/] (0/{len(columns)})" if columns else "no reference"
        table.add_row(
            _window_label(w["start"], w["end"]),
            f"{w['rows']:,}",
            f"[red]{missing:.1%}[/]" if missing > 0.05 else f"{missing:.1%}",
            verdict,
        )
    return table


def _bounds(name: str) -> str:
    """The healthy range of the demo's monitor ``name``, as declared."""
    spec = next((m for m in MONITORS if m["name"] == name), {})
    parts = [
        f">= {spec['min']:g}" if "min" in spec else "",
        f"<= {spec['max']:g}" if "max" in spec else "",
    ]
    return " and ".join(p for p in parts if p) or "-"


def _finding(observation: dict[str, Any]) -> str:
    """What an observation's details say, in a few words."""
    details = observation["details"]
    if isinstance(details.get("columns"), dict):
        drifted = details["columns"].items()
        return ", ".join(f"{n} {c['effect_size']:.2f}" for n, c in drifted if c.get("drift"))
    if "labelled" in details:
        return f"{details['labelled']:,} labelled"
    if "column" in details:
        return f"column {details['column']}"
    return ""


def _observations_table(observations: list[dict[str, Any]]) -> Table:
    """The unhealthy observations, oldest window first."""
    table = Table(title="Unhealthy observations", title_justify="left")
    for column in ("window", "monitor", "value", "healthy", "detail"):
        table.add_column(column, justify="right" if column == "value" else "left")
    for o in observations:
        if o["healthy"] is False:
            table.add_row(
                _window_label(o["window_start"], o["window_end"]),
                f"[red]{o['monitor']}[/]",
                f"{o['value']:.3g}",
                _bounds(o["monitor"]),
                _finding(o),
            )
    return table


def _slo_table(slos: list[dict[str, Any]]) -> Table:
    """Each SLO's state, bad windows, error budget left and fastest burn rate."""
    table = Table(title="SLOs (multi-window burn-rate alerts)", title_justify="left")
    for column in ("SLO", "objective", "bad windows", "budget left", "burn", "state"):
        table.add_column(column, no_wrap=column == "SLO")
    colours = {"ok": "green", "ticket": "yellow", "page": "bold red"}
    for s in slos:
        burn = max((c["long_burn_rate"] or 0.0 for c in s["conditions"]), default=0.0)
        state = s["state"]
        table.add_row(
            f"{s['name']}\n[dim]on {s['monitor']}[/]",
            f"{s['objective']:.0%}",
            f"{s['unhealthy_windows']} of {s['windows']}",
            f"{s['error_budget_remaining']:.0%}",
            f"{burn:.0f}x",
            f"[{colours.get(state, 'white')}]{state}[/]",
        )
    return table
