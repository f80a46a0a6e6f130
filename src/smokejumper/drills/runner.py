"""The runner: replays a scenario through the real product on a simulated clock and scores it.

:class:`DrillServer` starts one real ``smokejumper serve`` (through
:class:`~smokejumper.harness.ServerHarness`, the background evaluator off, alerts routed to a
local :class:`~smokejumper.harness.receiver.Receiver`), which several runs can share: each run
registers a model of its own name. :meth:`DrillServer.run` then, for one scenario and seed:

1. trains the model (and the bad version, if the scenario has one) with the seed;
2. registers the model with its reference (the clean traffic of the days before the drill, with
   its times, :func:`~smokejumper.drills.traffic.reference_traffic`: it holds the scenario's
   daily pattern, if any, phase by phase) and the monitor suite
   (:mod:`smokejumper.drills.monitors`);
3. logs every window of traffic and its labels with :class:`~smokejumper.client.Client`, the
   windows' times in the past, the last one ending at the current window's start, so days
   replay in seconds; sends the upstream jobs' OpenLineage runs or the alias move, if any;
4. asks the server to evaluate (``POST /api/v1/evaluate``), then reads the observations, the
   alerts, the incident, its post-mortem draft and (when the server has them) its hypotheses;
5. scores the run (:mod:`smokejumper.drills.scoring`).

Any failure raises :class:`~smokejumper.errors.DrillError` naming the step.
"""

from __future__ import annotations

import io
import json
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

import pyarrow.parquet as pq

from smokejumper.client import AdminClient, Client
from smokejumper.client.api_types import PARQUET
from smokejumper.drills import changes, reads
from smokejumper.drills.calibration import Judged, judge
from smokejumper.drills.model import DrillModel, train_model
from smokejumper.drills.monitors import monitor_suite
from smokejumper.drills.scenario import Scenario, Size
from smokejumper.drills.scenarios.serving import ALIAS, BAD_VERSION
from smokejumper.drills.scoring import DrillScore, score_drill
from smokejumper.drills.traffic import (
    WindowTraffic,
    base_pool,
    build_traffic,
    reference_traffic,
)
from smokejumper.errors import DrillError, SmokejumperError
from smokejumper.harness import ServerHarness
from smokejumper.harness.receiver import Receiver

START_TIMEOUT = 60.0


@contextmanager
def _step(what: str) -> Iterator[None]:
    """Turn a Smokejumper error in the block into :class:`DrillError` saying which step."""
    try:
        yield
    except DrillError:
        raise
    except SmokejumperError as err:
        raise DrillError(f"{what}: {err}") from err


@dataclass(frozen=True)
class DrillResult:
    """One run: its score, what the product answered, and how long it took."""

    score: DrillScore
    incident: dict[str, Any] | None
    postmortem: dict[str, Any] | None
    notifications: int
    seconds: float
    onset: datetime | None
    windows: int
    judged: tuple[Judged, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """As JSON data (the incident's id, title, severity and labels, not its timeline)."""
        incident = self.incident or {}
        summary = ((self.postmortem or {}).get("summary") or {}).get("text")
        return {
            "score": self.score.to_dict(),
            "incident": {k: incident.get(k) for k in ("id", "title", "severity", "labels")}
            if self.incident
            else None,
            "postmortem_summary": summary,
            "notifications": self.notifications,
            "seconds": round(self.seconds, 2),
            "onset": self.onset.isoformat() if self.onset else None,
            "windows": self.windows,
        }


def alerting_config(receiver_url: str) -> str:
    """The server's alerting: every alert to the drills' receiver, grouped by model, at once."""
    return (
        "route:\n"
        "  receiver: drills\n"
        "  group_by: [model]\n"
        "  group_wait: 0s\n"
        "receivers:\n"
        "  - name: drills\n"
        f"    webhook_configs: [{{url: '{receiver_url}'}}]\n"
    )


class DrillServer:
    """A real server for drills, with its data in ``home`` (a temporary folder by default,
    removed at the end). Use it in a ``with`` block; :meth:`run` runs one drill."""

    def __init__(self, home: Path | None = None, *, database_url: str | None = None) -> None:
        self._own_home = home is None
        self.home = Path(tempfile.mkdtemp(prefix="smokejumper-drills-")) if home is None else home
        self.receiver = Receiver("/drills")
        self._database_url = database_url
        self._server: ServerHarness | None = None

    def __enter__(self) -> DrillServer:
        self.home.mkdir(parents=True, exist_ok=True)
        self.receiver.__enter__()
        config = self.home / "drills.yaml"
        config.write_text(alerting_config(self.receiver.url))
        self._server = ServerHarness(
            self.home / "server",
            database_url=self._database_url,
            env={"SMOKEJUMPER_EVALUATE_EVERY": "0", "SMOKEJUMPER_DELIVER_EVERY": "0.5"},
            args=["--config", str(config)],
            start_timeout=START_TIMEOUT,
        )
        try:
            with _step("starting smokejumper serve"):
                self._server.start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._server is not None:
            self._server.stop()
        self.receiver.__exit__(None, None, None)
        if self._own_home:
            shutil.rmtree(self.home, ignore_errors=True)

    @property
    def server(self) -> ServerHarness:
        """The running server."""
        if self._server is None:
            raise DrillError("the drill server is not started: use it in a 'with' block")
        return self._server

    def run(
        self,
        scenario: Scenario,
        seed: int = 0,
        size: Size = Size.SMALL,
        *,
        notify_timeout: float = 0.0,
    ) -> DrillResult:
        """Replay ``scenario`` with ``seed`` at ``size`` and score it; with ``notify_timeout``,
        wait that long at most for the alerts' notification to reach the receiver."""
        started = time.monotonic()
        server = self.server
        model_name = f"drill-{scenario.name.replace('_', '-')}-{seed}-{secrets.token_hex(3)}"
        pool = base_pool(scenario)
        model = train_model(pool, seed)
        bad = train_model(pool, seed, shuffle_labels=True) if _needs_bad(scenario) else None
        if bad is not None:
            bad = replace(bad, version=BAD_VERSION)
        step = timedelta(seconds=scenario.window_seconds)
        now = datetime.now(UTC)
        end = datetime.fromtimestamp(
            now.timestamp() // step.total_seconds() * step.total_seconds(), UTC
        )
        windows = build_traffic(scenario, size, seed, model, bad, end)
        onset = scenario.onset_window(size)
        starts = [w.start for w in windows]
        notified_before = len(self.receiver.bodies)
        with server.admin() as admin:
            self._declare(admin, scenario, model_name, model, size, seed, starts[0])
            self._log(server, model_name, windows)
            self._tell_changes(admin, scenario, model_name, windows, onset, size, seed)
            with _step("evaluating the monitors"):
                admin.evaluate()
            with _step("reading the observations, alerts and incidents"):
                observations = admin.observations(model_name)
                alerts = admin.alerts(model=model_name)
                incidents = admin.incidents(model=model_name)
            incident = postmortem = hypotheses = None
            if incidents:
                first = incidents[-1]["id"]
                with _step(f"reading incident {first} and its post-mortem draft"):
                    incident = admin.incident(first)
                    postmortem = json.loads(admin.postmortem(first, "json"))
                    hypotheses = reads.hypotheses(server.url, server.token, first)
        if alerts and notify_timeout > 0:
            self.receiver.wait(notified_before + 1, notify_timeout)
        component = changes.truth_component(scenario, model_name, onset)
        score = score_drill(
            scenario,
            model_name,
            starts,
            onset,
            [dict(o) for o in observations],
            alerts,
            incidents,
            hypotheses,
            seed=seed,
            component=component,
        )
        return DrillResult(
            score,
            incident,
            postmortem,
            len(self.receiver.bodies) - notified_before,
            time.monotonic() - started,
            None if onset is None else starts[onset],
            len(windows),
            judge(hypotheses or [], component, scenario.truth.label)
            if scenario.truth.incident
            else (),
        )

    def _declare(
        self,
        admin: AdminClient,
        scenario: Scenario,
        name: str,
        model: DrillModel,
        size: Size,
        seed: int,
        first: datetime,
    ) -> None:
        pool = base_pool(scenario)
        inputs = changes.declared_inputs(scenario, name)
        buffer = io.BytesIO()
        pq.write_table(reference_traffic(scenario, size, seed, first), buffer)
        with _step(f"registering model {name} with its reference"):
            admin.register_model(
                name,
                pool.schema(inputs),
                window_seconds=scenario.window_seconds,
                reference=buffer.getvalue(),
                content_type=PARQUET,
            )
        for monitor in monitor_suite(name, pool, model, rows=size.rows):
            with _step(f"declaring monitor {monitor['name']}"):
                admin.put_monitor(monitor)

    def _log(self, server: ServerHarness, name: str, windows: list[WindowTraffic]) -> None:
        spool = server.home / "spool" / name
        with (
            _step("logging with smokejumper.Client"),
            Client(server.url, server.token, spool_dir=spool, max_retries=2) as client,
        ):
            monitor = client.monitor(name)
            for window in windows:
                monitor.log_batch(window.predictions, version=window.version)
                monitor.log_labels(window.label_ids, window.labels)
            delivered = client.flush(timeout=120)
            stats = client.stats
        if not delivered or stats.rejected or stats.dropped or stats.spooled:
            raise DrillError(f"logging with smokejumper.Client did not go through: {stats}")

    def _tell_changes(
        self,
        admin: AdminClient,
        scenario: Scenario,
        name: str,
        windows: list[WindowTraffic],
        onset: int | None,
        size: Size,
        seed: int,
    ) -> None:
        starts = [w.start for w in windows]
        landed = [w.predictions.num_rows for w in windows]
        events = changes.lineage_events(
            scenario, name, starts, landed, onset=onset, rows=size.rows, seed=seed
        )
        with _step("sending the upstream jobs' OpenLineage runs"):
            for event in events:
                admin.send_lineage(event)
        if _needs_bad(scenario) and onset is not None:
            at = windows[onset].start - timedelta(minutes=5)
            with _step("recording the alias move"):
                admin.record_change(**changes.alias_move(name, ALIAS, "v1", BAD_VERSION, at))


def _needs_bad(scenario: Scenario) -> bool:
    return scenario.fault is not None and scenario.fault.kind == "bad_version"
