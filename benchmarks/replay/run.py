"""The replay itself: a real ``smokejumper serve`` (:class:`ServerHarness`), one model per
window size with its reference from the first period, two ``feature_drift`` monitors (the clean
columns; the shifted column), hourly windows logged with the SDK, one evaluation pass, and the
count of unhealthy observations per monitor.

Each model's windows are consecutive hours before now: first its clean windows (rows of the
first period, never the reference's), then its shifted windows (rows of the second period), as
traffic would arrive. Every model draws on the same pools, so the sizes are comparable.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from smokejumper.client import AdminClient, Client
from smokejumper.client.api_types import PARQUET
from smokejumper.harness import ServerHarness

from .data import CLEAN_COLUMNS, FEATURES, SHIFTED_COLUMNS, ReplayData
from .windows import WINDOW_SECONDS, stamped, window_starts

#: Seconds the evaluation pass over every window may take (over a thousand windows on a busy
#: two-core machine take a minute or two).
EVALUATE_TIMEOUT = 1800.0
SCHEMA: dict[str, Any] = {
    "features": [{"name": name, "kind": "numeric"} for name in FEATURES],
    "prediction_kind": "numeric",
}


@dataclass(frozen=True)
class SizePlan:
    """How many clean and shifted windows of ``rows_per_window`` rows to replay."""

    rows_per_window: int
    clean_windows: int
    shifted_windows: int

    @property
    def model(self) -> str:
        """The model this size is logged to."""
        return f"flights-{self.rows_per_window}"

    @property
    def clean_monitor(self) -> str:
        """The feature-drift monitor over the clean columns."""
        return f"{self.model}-clean"

    @property
    def shifted_monitor(self) -> str:
        """The feature-drift monitor over the shifted column(s)."""
        return f"{self.model}-shifted"

    def monitors(self) -> list[dict[str, Any]]:
        """The two monitors, as declared to the server (``max: 0``: any drifted column makes
        the window unhealthy)."""
        return [
            {"name": self.clean_monitor, "model": self.model, "type": "feature_drift",
             "columns": list(CLEAN_COLUMNS), "max": 0},
            {"name": self.shifted_monitor, "model": self.model, "type": "feature_drift",
             "columns": list(SHIFTED_COLUMNS), "max": 0},
        ]  # fmt: skip


@dataclass(frozen=True)
class SizeResult:
    """What the monitors said about one size's windows."""

    plan: SizePlan
    clean_unhealthy: int
    """Clean windows the clean-column monitor called unhealthy (false alarms)."""
    shifted_caught: int
    """Shifted windows the shifted-column monitor called unhealthy (the shift caught)."""
    clean_unhealthy_after_shift: int
    """Shifted windows the clean-column monitor called unhealthy (its columns did not move)."""
    flagged: dict[str, int] = field(default_factory=dict)
    """Clean windows in which each clean column was flagged."""

    @property
    def false_alarms_per_100(self) -> float:
        """Unhealthy clean windows per 100 clean windows."""
        return 100.0 * self.clean_unhealthy / self.plan.clean_windows

    @property
    def caught_share(self) -> float:
        """The share of shifted windows in which the shift was caught."""
        return self.shifted_caught / self.plan.shifted_windows


@dataclass(frozen=True)
class Replay:
    """The results per size, and where the time went."""

    results: list[SizeResult]
    log_seconds: float
    evaluate_seconds: float
    windows_evaluated: int


def _declare(admin: AdminClient, plan: SizePlan, reference: bytes) -> None:
    admin.register_model(plan.model, SCHEMA, window_seconds=WINDOW_SECONDS)
    admin.set_reference(plan.model, reference, content_type=PARQUET)
    for monitor in plan.monitors():
        admin.put_monitor(monitor)


def _traffic(data: ReplayData, plan: SizePlan, starts: list[datetime]) -> pa.Table:
    """The model's rows with their times: the clean windows, then the shifted ones."""
    n = plan.rows_per_window
    clean = stamped(data.clean, starts[: plan.clean_windows], n)
    shifted = stamped(data.shifted, starts[plan.clean_windows :], n)
    return pa.concat_tables([clean, shifted])


def _log(server: ServerHarness, traffic: dict[str, pa.Table]) -> None:
    """Log every model's rows with the SDK; raise if anything did not go through."""
    with Client(server.url, server.token, spool_dir=server.home / "spool", max_retries=1) as client:
        for model, table in traffic.items():
            client.monitor(model).log_batch(table)
        delivered = client.flush(timeout=600)
        stats = client.stats
    if not delivered or stats.rejected or stats.dropped or stats.spooled:
        raise RuntimeError(f"logging the replay's rows did not go through: {stats}")


def _verdicts(
    admin: AdminClient, model: str, monitor: str, starts: Sequence[datetime]
) -> list[dict[str, Any]]:
    """The monitor's observation of each window in ``starts``, in that order."""
    found = {
        datetime.fromisoformat(o["window_start"]).astimezone(UTC): o
        for o in admin.observations(model, monitor=monitor)
    }
    missing = [s for s in starts if s not in found or found[s]["healthy"] is None]
    if missing:
        raise RuntimeError(
            f"monitor {monitor} has no verdict on {len(missing)} of its {len(starts)} windows "
            f"(first {missing[0].isoformat()}); see the server's log"
        )
    return [dict(found[s]) for s in starts]


def _count(admin: AdminClient, plan: SizePlan, starts: list[datetime]) -> SizeResult:
    clean_starts, shifted_starts = starts[: plan.clean_windows], starts[plan.clean_windows :]
    clean = _verdicts(admin, plan.model, plan.clean_monitor, clean_starts)
    after = _verdicts(admin, plan.model, plan.clean_monitor, shifted_starts)
    shifted = _verdicts(admin, plan.model, plan.shifted_monitor, shifted_starts)
    flagged = {
        name: sum(bool(o["details"]["columns"][name]["drift"]) for o in clean)
        for name in CLEAN_COLUMNS
    }
    return SizeResult(
        plan=plan,
        clean_unhealthy=sum(o["healthy"] is False for o in clean),
        shifted_caught=sum(o["healthy"] is False for o in shifted),
        clean_unhealthy_after_shift=sum(o["healthy"] is False for o in after),
        flagged=flagged,
    )


def replay(
    data: ReplayData,
    plans: Sequence[SizePlan],
    *,
    progress: Callable[[str], None] = lambda _: None,
) -> Replay:
    """Replay ``plans`` through a fresh ``smokejumper serve`` and count the verdicts."""
    for plan in plans:
        clean, shifted = data.windows_available(plan.rows_per_window)
        if plan.clean_windows > clean or plan.shifted_windows > shifted:
            raise ValueError(
                f"at {plan.rows_per_window} rows per window the data holds {clean} clean and "
                f"{shifted} shifted windows; {plan.clean_windows} and {plan.shifted_windows} "
                "were asked for"
            )
    buffer = io.BytesIO()
    pq.write_table(data.reference, buffer)
    reference = buffer.getvalue()
    server = ServerHarness(env={"SMOKEJUMPER_EVALUATE_EVERY": "0"})
    with server, server.admin(timeout=EVALUATE_TIMEOUT) as admin:
        starts = {}
        traffic = {}
        now = datetime.now(UTC)
        for plan in plans:
            progress(f"declaring {plan.model} and its monitors")
            _declare(admin, plan, reference)
            starts[plan.model] = window_starts(now, plan.clean_windows + plan.shifted_windows)
            traffic[plan.model] = _traffic(data, plan, starts[plan.model])
        rows = sum(t.num_rows for t in traffic.values())
        progress(f"logging {rows:,} rows in {sum(map(len, starts.values())):,} hourly windows")
        began = time.monotonic()
        _log(server, traffic)
        logged = time.monotonic()
        progress("evaluating every window")
        summary = admin.evaluate()
        evaluated = time.monotonic()
        results = [_count(admin, plan, starts[plan.model]) for plan in plans]
    return Replay(
        results=results,
        log_seconds=logged - began,
        evaluate_seconds=evaluated - logged,
        windows_evaluated=summary["windows"],
    )
