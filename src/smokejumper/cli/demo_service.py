"""The second part of ``smokejumper demo``: the monitoring service catching the drift.

It starts a real ``smokejumper serve`` with :class:`~smokejumper.harness.ServerHarness` (its
data in ``$SMOKEJUMPER_HOME/demo-service``, made afresh on every run), registers the sample
loan model of :mod:`~smokejumper.cli.demo_data` with its reference, monitors and an SLO through
:class:`~smokejumper.client.AdminClient`, logs six hours of predictions and labels with the SDK
(three hours like the reference, then three of the drifted October data), evaluates, and prints
what the service found (:mod:`~smokejumper.cli.demo_render`), ending with the Slack message its
alert sent (to a stand-in for Slack on a loopback port, through the real outbox and receiver).
Any failure raises
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
from typing import Any

import httpx
import pyarrow as pa
import pyarrow.parquet as pq
from rich.console import Console
from rich.markdown import Markdown

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
from smokejumper.cli.demo_pipeline import pipeline_runs
from smokejumper.cli.demo_postmortem import Written, respond_and_write
from smokejumper.cli.diagnosis import hypotheses_table
from smokejumper.cli.incidents import timeline_table
from smokejumper.client import AdminClient, Client
from smokejumper.client.api_types import PARQUET
from smokejumper.errors import ServiceDemoError, SmokejumperError
from smokejumper.harness import ServerHarness
from smokejumper.harness.receiver import Receiver

__all__ = ["ServiceDemoError", "run_service_demo"]

START_TIMEOUT = 60.0
#: Seconds to wait for the alert's notification to reach the stand-in for Slack.
NOTIFY_TIMEOUT = 30.0


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


def run_service_demo(
    console: Console, home: Path, reference: Path, current: Path, *, keep: bool = False
) -> tuple[float, ServerHarness | None]:
    """Run the whole service demo with its data in ``home`` (emptied first); return the
    seconds it took and, with ``keep``, the server, still running (the caller stops it)."""
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
    home.mkdir(parents=True)
    slack = Receiver("/services/demo")
    config = home / "alerting.yaml"
    config.write_text(alerting_config(slack.url))
    server = ServerHarness(
        home,
        env={"SMOKEJUMPER_EVALUATE_EVERY": "0", "SMOKEJUMPER_DELIVER_EVERY": "0.2"},
        args=["--config", str(config)],
        start_timeout=START_TIMEOUT,
    )
    with slack, console.status("Starting smokejumper serve...") as status:
        try:
            with _step("starting smokejumper serve"):
                server.start()
            with server.admin() as admin:
                status.update("Registering the model, its reference, monitors and an SLO...")
                _declare(admin, reference_table)
                hours = window_starts(datetime.now(UTC))
                status.update("Reporting the upstream pipeline's runs (OpenLineage)...")
                with _step("sending the pipeline's OpenLineage runs"):
                    _report_pipeline(server, hours[HOURS_LIKE_REFERENCE])
                status.update("Logging predictions and labels with smokejumper.Client...")
                rows, labels = _log_predictions(server, hours, reference_table, current_table)
                status.update("Evaluating the monitors...")
                with _step("evaluating the monitors"):
                    admin.evaluate()
                with _step("reading the results"):
                    windows = admin.windows(MODEL)
                    observations = admin.observations(MODEL)
                    slos = admin.slos()
                status.update("Waiting for the alert's notification...")
                messages = slack.wait(1, timeout=NOTIFY_TIMEOUT)
                with _step("reading the notifications and the incident"):
                    alerts = admin.alerts(state="firing")
                    sent = admin.notifications()
                    incidents = [admin.incident(i["id"]) for i in admin.incidents()]
                if not incidents:
                    raise ServiceDemoError("the SLO paged but no incident was opened")
                with _step("reading the incident's diagnosis"):
                    diagnosis = admin.hypotheses(incidents[0]["id"])
                status.update("Running the incident to its end and writing its post-mortem...")
                with _step("writing the post-mortem"):
                    written = respond_and_write(admin, incidents[0]["id"], home / "postmortems")
        except BaseException:
            server.stop()
            raise
    if not keep:
        server.stop()
    console.print(
        f"Logged {rows:,} predictions in {len(hours)} hourly windows and {labels:,} labels "
        "with smokejumper.Client, then evaluated the monitors.\n"
    )
    console.print(render.windows_table(MODEL, windows))
    console.print(render.observations_table(observations, MONITORS))
    console.print(render.slo_table(slos))
    _show_notification(console, messages, alerts, sent)
    _show_incidents(console, incidents)
    _show_diagnosis(console, diagnosis)
    _show_postmortem(console, written)
    return time.monotonic() - started, server if keep else None


def _report_pipeline(server: ServerHarness, onset: datetime) -> None:
    """Send the credit-bureau join's runs (:mod:`.demo_pipeline`) as its scheduler would."""
    headers = {"Authorization": f"Bearer {server.token}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as http:
        for event in pipeline_runs(onset):
            answer = http.post("/api/v1/lineage", json=event)
            if answer.status_code >= 300:
                raise ServiceDemoError(f"POST /api/v1/lineage: {answer.status_code} {answer.text}")


def alerting_config(slack_url: str) -> str:
    """The demo server's alerting: every alert of the model to an on-call channel in Slack
    (here the loopback stand-in at ``slack_url``), one message per model, sent at once."""
    return (
        "route:\n"
        "  receiver: ml-on-call\n"
        "  group_by: [model]\n"
        "  group_wait: 0s\n"
        "receivers:\n"
        "  - name: ml-on-call\n"
        f"    slack_configs: [{{api_url: '{slack_url}', channel: '#ml-on-call'}}]\n"
    )


def _show_incidents(console: Console, incidents: list[dict[str, Any]]) -> None:
    """The incident the page alert opened, with its timeline."""
    for incident in incidents:
        console.print(
            f"\nThe page opened incident [bold]{incident['id']}[/] ({incident['severity']}, "
            f"{incident['status']}): {incident['title']}; labels: "
            f"{', '.join(incident['labels']) or 'none'}. Run it with smokejumper incident "
            f"ack|assign|note|update|resolve {incident['id']}."
        )
        console.print(timeline_table(incident))


def _show_diagnosis(console: Console, diagnosis: dict[str, Any]) -> None:
    """The likely causes Smokejumper ranked when the incident opened."""
    console.print(
        "\nWhen the incident opened, Smokejumper diagnosed it from the monitors, the change log "
        "and the pipeline's runs (smokejumper incident diagnose INC-1); the likely causes, "
        "ranked:"
    )
    console.print(hypotheses_table(diagnosis))


def _show_postmortem(console: Console, written: Written) -> None:
    """What the post-mortem says first, and where its files are."""
    console.print(
        f"\nThe demo then played the on-call engineer: acknowledged {written.incident_id}, noted "
        "what it found, mitigated and resolved it, and wrote the root cause, 5 whys, fishbone "
        "and lessons through the API. Smokejumper assembled the post-mortem from the recorded "
        f"facts; it is final and the incident is {'closed' if written.closed else 'open'}. "
        f"The demo replayed {HOURS_LIKE_REFERENCE + HOURS_DRIFTED} past hours in seconds, so "
        "its times count from the replayed onset to now:\n"
    )
    console.print(Markdown(written.excerpt))
    console.print(
        f"\nThe whole post-mortem: [bold]{written.markdown}[/] (Markdown), "
        f"[bold]{written.html}[/] (HTML with the fishbone and charts), [bold]{written.pdf}[/] "
        f"(PDF). Again any time: smokejumper postmortem {written.incident_id} --format html -o "
        "pm.html"
    )


def _show_notification(
    console: Console,
    messages: list[dict[str, Any]],
    alerts: list[dict[str, Any]],
    sent: list[dict[str, Any]],
) -> None:
    """The alerts that fired and the Slack message their notification delivered."""
    if not messages:
        raise ServiceDemoError(
            f"no notification arrived within {NOTIFY_TIMEOUT:.0f} s although "
            f"{len(alerts)} alert(s) fire; the outbox says: "
            + (
                "; ".join(f"{m['integration']} {m['status']} {m['last_error'] or ''}" for m in sent)
                or "nothing queued"
            )
        )
    console.print(
        f"\n{len(alerts)} alert(s) fired. The alerting pass grouped them by model and the "
        "deliverer sent this message to the on-call Slack channel (here a stand-in on a "
        "loopback port; set slack_configs.api_url to your incoming webhook):"
    )
    console.print(render.slack_panel(messages[0], "#ml-on-call"))


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
