"""The replay itself: a real ``smokejumper serve`` (:class:`ServerHarness`), one model per
window size and draw of the data, each with its draw's reference, two ``feature_drift``
monitors (the clean columns; the shifted column), hourly windows logged with the SDK, one
evaluation pass, and the count of unhealthy observations per monitor.

Each model's windows are consecutive hours before now: first its clean windows (rows of the
first period, never its reference's), then its shifted windows (rows of the second period), as
traffic would arrive. At every size a draw takes its windows from the same pools, so the sizes
are comparable; several draws (each with its own reference) give more windows per size.
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

#: Seconds the evaluation pass over every window may take (thousands of windows on a busy
#: two-core machine take a minute or two).
EVALUATE_TIMEOUT = 1800.0
#: Rows handed to the SDK before waiting for them to be sent: well within its queue (100,000
#: rows), which would otherwise spill the rest to its disk spool.
LOG_CHUNK_ROWS = 20_000
SCHEMA: dict[str, Any] = {
    "features": [{"name": name, "kind": "numeric"} for name in FEATURES],
    "prediction_kind": "numeric",
}


@dataclass(frozen=True)
class SizePlan:
    """How many clean and shifted windows of ``rows_per_window`` rows to replay per draw."""

    rows_per_window: int
    clean_windows: int
    shifted_windows: int


@dataclass(frozen=True)
class Slot:
    """One model of the replay: a size and a draw of the data (numbered ``draw``)."""

    plan: SizePlan
    draw: int
    data: ReplayData

    @property
    def model(self) -> str:
        """The model this size and draw are logged to."""
        return f"flights-{self.plan.rows_per_window}-d{self.draw}"

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

    def traffic(self, starts: Sequence[datetime]) -> pa.Table:
        """The model's rows with their times in ``starts``: clean windows, then shifted ones."""
        n, clean = self.plan.rows_per_window, self.plan.clean_windows
        return pa.concat_tables(
            [stamped(self.data.clean, starts[:clean], n),
             stamped(self.data.shifted, starts[clean:], n)]
        )  # fmt: skip


@dataclass(frozen=True)
class SizeResult:
    """What the monitors said about the windows of one size (every draw's together).

    >>> a = SizeResult(100, 50, 1, 10, 10, 0, {"hour": 1})
    >>> (a + a).false_alarms_per_100, (a + a).flagged
    (2.0, {'hour': 2})
    """

    rows_per_window: int
    clean_windows: int
    clean_unhealthy: int
    """Clean windows the clean-column monitor called unhealthy (false alarms)."""
    shifted_windows: int
    shifted_caught: int
    """Shifted windows the shifted-column monitor called unhealthy (the shift caught)."""
    clean_unhealthy_after_shift: int
    """Shifted windows the clean-column monitor called unhealthy (its columns did not move)."""
    flagged: dict[str, int] = field(default_factory=dict)
    """Clean windows in which each clean column was flagged."""

    @property
    def false_alarms_per_100(self) -> float:
        """Unhealthy clean windows per 100 clean windows."""
        return 100.0 * self.clean_unhealthy / self.clean_windows

    @property
    def caught_share(self) -> float:
        """The share of shifted windows in which the shift was caught."""
        return self.shifted_caught / self.shifted_windows

    def __add__(self, other: SizeResult) -> SizeResult:
        """The counts of both (of the same size)."""
        if other.rows_per_window != self.rows_per_window:
            raise ValueError("only results of the same window size add up")
        return SizeResult(
            self.rows_per_window,
            self.clean_windows + other.clean_windows,
            self.clean_unhealthy + other.clean_unhealthy,
            self.shifted_windows + other.shifted_windows,
            self.shifted_caught + other.shifted_caught,
            self.clean_unhealthy_after_shift + other.clean_unhealthy_after_shift,
            {k: self.flagged.get(k, 0) + other.flagged.get(k, 0)
             for k in dict.fromkeys([*self.flagged, *other.flagged])},
        )  # fmt: skip


@dataclass(frozen=True)
class Replay:
    """The results per size (every draw's together), and where the time went."""

    results: list[SizeResult]
    draws: int
    log_seconds: float
    evaluate_seconds: float
    windows_evaluated: int


def _declare(admin: AdminClient, slot: Slot) -> None:
    buffer = io.BytesIO()
    pq.write_table(slot.data.reference, buffer)
    admin.register_model(slot.model, SCHEMA, window_seconds=WINDOW_SECONDS)
    admin.set_reference(slot.model, buffer.getvalue(), content_type=PARQUET)
    for monitor in slot.monitors():
        admin.put_monitor(monitor)


def _log(server: ServerHarness, traffic: dict[str, pa.Table]) -> None:
    """Log every model's rows with the SDK; raise if anything did not go through."""
    with Client(server.url, server.token, spool_dir=server.home / "spool", max_retries=1) as client:
        delivered = True
        for model, table in traffic.items():
            logger = client.monitor(model)
            for start in range(0, table.num_rows, LOG_CHUNK_ROWS):
                logger.log_batch(table.slice(start, LOG_CHUNK_ROWS))
                delivered = client.flush(timeout=600) and delivered
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


def _count(admin: AdminClient, slot: Slot, starts: list[datetime]) -> SizeResult:
    plan = slot.plan
    clean_starts, shifted_starts = starts[: plan.clean_windows], starts[plan.clean_windows :]
    clean = _verdicts(admin, slot.model, slot.clean_monitor, clean_starts)
    after = _verdicts(admin, slot.model, slot.clean_monitor, shifted_starts)
    shifted = _verdicts(admin, slot.model, slot.shifted_monitor, shifted_starts)
    return SizeResult(
        rows_per_window=plan.rows_per_window,
        clean_windows=len(clean),
        clean_unhealthy=sum(o["healthy"] is False for o in clean),
        shifted_windows=len(shifted),
        shifted_caught=sum(o["healthy"] is False for o in shifted),
        clean_unhealthy_after_shift=sum(o["healthy"] is False for o in after),
        flagged={
            name: sum(bool(o["details"]["columns"][name]["drift"]) for o in clean)
            for name in CLEAN_COLUMNS
        },
    )


def _check(draws: Sequence[ReplayData], plans: Sequence[SizePlan]) -> None:
    for plan in plans:
        for data in draws:
            clean, shifted = data.windows_available(plan.rows_per_window)
            if plan.clean_windows > clean or plan.shifted_windows > shifted:
                raise ValueError(
                    f"at {plan.rows_per_window} rows per window the data holds {clean} clean "
                    f"and {shifted} shifted windows; {plan.clean_windows} and "
                    f"{plan.shifted_windows} were asked for"
                )


def replay(
    draws: Sequence[ReplayData],
    plans: Sequence[SizePlan],
    *,
    progress: Callable[[str], None] = lambda _: None,
) -> Replay:
    """Replay every plan on every draw of the data through a fresh ``smokejumper serve``, and
    count the verdicts per size."""
    _check(draws, plans)
    slots = [Slot(plan, i, data) for plan in plans for i, data in enumerate(draws)]
    server = ServerHarness(env={"SMOKEJUMPER_EVALUATE_EVERY": "0"})
    with server, server.admin(timeout=EVALUATE_TIMEOUT) as admin:
        progress(f"declaring {len(slots)} models, their references and monitors")
        now = datetime.now(UTC)
        starts: dict[str, list[datetime]] = {}
        traffic: dict[str, pa.Table] = {}
        for slot in slots:
            _declare(admin, slot)
            count = slot.plan.clean_windows + slot.plan.shifted_windows
            starts[slot.model] = window_starts(now, count)
            traffic[slot.model] = slot.traffic(starts[slot.model])
        rows = sum(t.num_rows for t in traffic.values())
        windows = sum(map(len, starts.values()))
        progress(f"logging {rows:,} rows in {windows:,} hourly windows")
        began = time.monotonic()
        _log(server, traffic)
        logged = time.monotonic()
        progress("evaluating every window")
        summary = admin.evaluate()
        evaluated = time.monotonic()
        counted = [_count(admin, slot, starts[slot.model]) for slot in slots]
    results = []
    for plan in plans:
        mine = [c for c in counted if c.rows_per_window == plan.rows_per_window]
        total = mine[0]
        for more in mine[1:]:
            total = total + more
        results.append(total)
    return Replay(
        results=results,
        draws=len(draws),
        log_seconds=logged - began,
        evaluate_seconds=evaluated - logged,
        windows_evaluated=summary["windows"],
    )
