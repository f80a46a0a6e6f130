"""The second part of ``smokejumper demo``: the monitoring service catching the drift.

It starts a real ``smokejumper serve`` with :class:`~smokejumper.harness.ServerHarness` (its
data in ``$SMOKEJUMPER_HOME/demo-service``, made afresh on every run), registers the sample
loan model of :mod:`~smokejumper.cli.demo_data` with its reference, monitors and an SLO through
:class:`~smokejumper.client.AdminClient`, logs six hours of predictions and labels with the SDK
(three hours like the reference, then three of the drifted October data), evaluates, and prints
what the service found (:mod:`~smokejumper.cli.demo_render`). Any failure raises
:class:`~smokejumper.errors.ServiceDemoError` naming the step that failed; the server is
stopped in every case.
"""

from __future__ import annotations

import io
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from rich.console import Console

from smokejumper.cli import demo_render as render
from smokejumper.cli.demo_data import (
    FEATURES,
    HOURS_DRIFTED,
    HOURS_LIKE_REFERENCE,
    MODEL,
    MONITORS,
    SCHEMA,
    SLO,
    VERSION,
    WINDOW_SECONDS,
    logged_hours,
    window_starts,
)
from smokejumper.client import AdminClient, Client
from smokejumper.client.api_types import PARQUET
from smokejumper.errors import ServiceDemoError, SmokejumperError
from smokejumper.harness import ServerHarness

__all__ = ["ServiceDemoError", "run_service_demo"]

START_TIMEOUT = 60.0


@contextmanager
def _step(what: str) -> Iterator[None]:
    """Turn a Smokejumper error in the block into :class:`ServiceDemoError` saying ``what``
    step failed."""
    try:
        yield
    except ServiceDemoError:
        raise
    except SmokejumperError as err:
        raise ServiceDemoError(f"{what}: {err}") from err


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
    if home.exists():
        shutil.rmtree(home)
    server = ServerHarness(
        home, env={"SMOKEJUMPER_EVALUATE_EVERY": "0"}, start_timeout=START_TIMEOUT
    )
    with console.status("Starting smokejumper serve...") as status:
        try:
            with _step("starting smokejumper serve"):
                server.start()
            with server.admin() as admin:
                status.update("Registering the model, its reference, monitors and an SLO...")
                _declare(admin, reference_table)
                status.update("Logging predictions and labels with smokejumper.Client...")
                hours = window_starts(datetime.now(UTC))
                rows, labels = _log_predictions(server, hours, reference_table, current_table)
                status.update("Evaluating the monitors...")
                with _step("evaluating the monitors"):
                    admin.evaluate()
                with _step("reading the results"):
                    windows = admin.windows(MODEL)
                    observations = admin.observations(MODEL)
                    slos = admin.slos()
        finally:
            server.stop()
    console.print(
        f"Logged {rows:,} predictions in {len(hours)} hourly windows and {labels:,} labels "
        "with smokejumper.Client, then evaluated the monitors.\n"
    )
    console.print(render.windows_table(MODEL, windows))
    console.print(render.observations_table(observations, MONITORS))
    console.print(render.slo_table(slos))
    return time.monotonic() - started


def _declare(admin: AdminClient, reference: pa.Table) -> None:
    """Register the model (hourly windows), upload its reference (the training features),
    declare its monitors and its SLO."""
    with _step("registering the model"):
        admin.register_model(MODEL, SCHEMA, window_seconds=WINDOW_SECONDS)
    buffer = io.BytesIO()
    pq.write_table(reference.select(list(FEATURES)), buffer)
    with _step("uploading the reference"):
        admin.set_reference(MODEL, buffer.getvalue(), content_type=PARQUET)
    for monitor in MONITORS:
        with _step(f"declaring monitor {monitor['name']}"):
            admin.put_monitor(monitor)
    with _step(f"declaring SLO {SLO['name']}"):
        admin.put_slo(SLO)


def _log_predictions(
    server: ServerHarness, hours: list[datetime], reference: pa.Table, current: pa.Table
) -> tuple[int, int]:
    """Log every hour's predictions, and labels for a share of them, with the SDK; return the
    numbers of predictions and labels. Raises if the client could not deliver everything."""
    predictions = labels = 0
    with (
        _step("logging with smokejumper.Client"),
        Client(server.url, server.token, spool_dir=server.home / "spool", max_retries=1) as client,
    ):
        loans = client.monitor(MODEL)
        for hour in logged_hours(hours, reference, current):
            predictions += loans.log_batch(hour.predictions, version=VERSION)
            labels += loans.log_labels(hour.label_ids, hour.labels)
        delivered = client.flush(timeout=60)
        stats = client.stats
    if not delivered or stats.rejected or stats.dropped or stats.spooled:
        raise ServiceDemoError(f"logging with smokejumper.Client did not go through: {stats}")
    return predictions, labels
