"""The drill bench: every scenario over several seeds on one server, summed up per scenario and
in total, against the targets of the issue.

:func:`summarise` is pure (scores in, rows out); :func:`run_bench` drives the server.

>>> from smokejumper.drills.scoring import DrillScore
>>> def score(seed, detected, delay, alarms, opened, label):
...     return DrillScore("s", seed, "m", detected, delay, 12, alarms, True, opened, label,
...                       None, ("data_quality",), "INC-1", ("nulls",))
>>> row = summarise_scenario("s", [score(0, True, 0, 0, True, True),
...                                score(1, True, 2, 1, True, False)])
>>> row.detected, row.median_detection, row.false_alarms_per_100, row.label_right
('2/2', 1.0, 4.17, '1/2')
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from smokejumper.drills.calibration import brier, expected_calibration_error, reliability_table
from smokejumper.drills.registry import available_scenarios
from smokejumper.drills.runner import DrillResult, DrillServer
from smokejumper.drills.scenario import Scenario, Size
from smokejumper.drills.scoring import DrillScore

#: The issue's targets at full size.
TARGETS = {
    "detected": "every fault scenario detected",
    "median_detection": "median detection at most 1 window after onset",
    "false_alarms_per_100": "at most 1 false alarm per 100 clean windows",
    "no_incident": "both no-incident scenarios without an incident",
    "label_right": "taxonomy label right in at least 80% of runs",
    "cause_top1": "root cause ranked first in at least 80% of fault runs with an incident",
    "cause_top3": "root cause in the top 3 in at least 95% of fault runs with an incident",
}


@dataclass(frozen=True)
class BenchRow:
    """One scenario's (or the total's) results over its runs."""

    scenario: str
    runs: int
    detected: str
    median_detection: float | None
    false_alarms_per_100: float | None
    incident_right: str
    label_right: str
    median_rank: float | None
    cause_top1: str = "-"
    cause_top3: str = "-"
    false_alarm_monitors: dict[str, int] = field(default_factory=dict)


def _ratio(values: Sequence[bool | None]) -> str:
    counted = [v for v in values if v is not None]
    return f"{sum(counted)}/{len(counted)}" if counted else "-"


def _median(values: Sequence[float | int | None]) -> float | None:
    known = [float(v) for v in values if v is not None]
    return statistics.median(known) if known else None


def _diagnosed(scores: Sequence[DrillScore]) -> list[DrillScore]:
    """The runs whose root cause can be ranked: an incident was expected and opened (a
    no-incident scenario has no cause to find)."""
    return [s for s in scores if s.incident_expected and s.incident_opened]


def summarise_scenario(name: str, scores: Sequence[DrillScore]) -> BenchRow:
    """One row from a scenario's scores (or every score, for the total)."""
    monitors: Counter[str] = Counter()
    for score in scores:
        monitors.update(dict(score.false_alarm_monitors))
    clean = sum(s.clean_windows for s in scores)
    alarms = sum(s.false_alarms for s in scores)
    return BenchRow(
        scenario=name,
        runs=len(scores),
        detected=_ratio([s.detected for s in scores]),
        median_detection=_median([s.detection_windows for s in scores]),
        false_alarms_per_100=round(100 * alarms / clean, 2) if clean else None,
        incident_right=_ratio([s.incident_right for s in scores]),
        label_right=_ratio([s.label_right for s in scores]),
        median_rank=_median([s.rank for s in scores]),
        cause_top1=_ratio([s.rank == 1 for s in _diagnosed(scores)]),
        cause_top3=_ratio([s.rank is not None and s.rank <= 3 for s in _diagnosed(scores)]),
        false_alarm_monitors=dict(monitors.most_common()),
    )


@dataclass(frozen=True)
class BenchReport:
    """The bench's rows, the total, the targets met or missed, and how it ran."""

    rows: list[BenchRow]
    total: BenchRow
    targets: dict[str, bool]
    seeds: int
    size: str
    seconds: float
    results: list[DrillResult]

    def to_dict(self) -> dict[str, Any]:
        """As JSON data."""
        return {
            "size": self.size,
            "seeds": self.seeds,
            "seconds": round(self.seconds, 1),
            "rows": [asdict(r) for r in self.rows],
            "total": asdict(self.total),
            "targets": {TARGETS[k]: v for k, v in self.targets.items()},
            "runs": [r.to_dict() for r in self.results],
        }


def check_targets(scores: Sequence[DrillScore], scenarios: dict[str, Scenario]) -> dict[str, bool]:
    """Each target of the issue, met or not, over ``scores``."""
    faulty = [s for s in scores if scenarios[s.scenario].fault is not None]
    delays = [s.detection_windows for s in faulty if s.detection_windows is not None]
    clean = sum(s.clean_windows for s in scores)
    no_incident = [s for s in scores if not s.incident_expected]
    labelled = [s.label_right for s in scores if s.label_right is not None]
    ranked = [s.rank for s in _diagnosed(faulty)]
    return {
        "detected": all(s.detected for s in faulty),
        "median_detection": bool(delays) and statistics.median(delays) <= 1,
        "false_alarms_per_100": clean > 0
        and 100 * sum(s.false_alarms for s in scores) / clean <= 1,
        "no_incident": all(not s.incident_opened for s in no_incident),
        "label_right": bool(labelled) and sum(labelled) / len(labelled) >= 0.8,
        "cause_top1": bool(ranked) and sum(r == 1 for r in ranked) / len(ranked) >= 0.8,
        "cause_top3": bool(ranked)
        and sum(r is not None and r <= 3 for r in ranked) / len(ranked) >= 0.95,
    }


def run_bench(
    scenarios: Sequence[Scenario] | None = None,
    *,
    seeds: int = 1,
    first_seed: int = 0,
    size: Size = Size.SMALL,
    progress: Callable[[DrillResult], None] | None = None,
    server: DrillServer | None = None,
) -> BenchReport:
    """Run every scenario (or ``scenarios``) with ``seeds`` seeds from ``first_seed`` on one
    server; call ``progress`` after each run."""
    import time

    chosen = list(scenarios or available_scenarios())
    started = time.monotonic()
    results: list[DrillResult] = []

    def drive(drills: DrillServer) -> None:
        for scenario in chosen:
            for seed in range(first_seed, first_seed + seeds):
                result = drills.run(scenario, seed, size)
                results.append(result)
                if progress is not None:
                    progress(result)

    if server is not None:
        drive(server)
    else:
        with DrillServer() as drills:
            drive(drills)
    scores = [r.score for r in results]
    rows = [summarise_scenario(s.name, [x for x in scores if x.scenario == s.name]) for s in chosen]
    total = summarise_scenario("total", scores)
    targets = check_targets(scores, {s.name: s for s in chosen})
    return BenchReport(rows, total, targets, seeds, size.value, time.monotonic() - started, results)


def _cell(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def row_cells(row: BenchRow) -> list[str]:
    """A row as the table's cells."""
    return [
        row.scenario,
        str(row.runs),
        row.detected,
        _cell(row.median_detection),
        _cell(row.false_alarms_per_100, 2),
        row.incident_right,
        row.label_right,
        _cell(row.median_rank),
        row.cause_top1,
        row.cause_top3,
    ]


HEADERS = [
    "scenario",
    "runs",
    "detected",
    "windows onset->detection (median)",
    "false alarms /100 clean windows",
    "incident right",
    "label right",
    "root-cause rank (median)",
    "cause first",
    "cause in top 3",
]


def to_markdown(report: BenchReport) -> str:
    """The bench as a Markdown table, the targets met or missed, and the monitors behind the
    false alarms."""
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    for row in [*report.rows, report.total]:
        cells = row_cells(row)
        if row is report.total:
            cells = [f"**{c}**" for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "| target | met |", "|---|---|"]
    lines += [f"| {TARGETS[k]} | {'yes' if v else '**no**'} |" for k, v in report.targets.items()]
    noisy = report.total.false_alarm_monitors
    if noisy:
        lines += ["", "False alarms by monitor (unhealthy observations in clean windows):", ""]
        lines += [
            f"- {row.scenario}: "
            + ", ".join(f"{m} {n}" for m, n in row.false_alarm_monitors.items())
            for row in [*report.rows, report.total]
            if row.false_alarm_monitors
        ]
        clean = sum(r.score.clean_windows for r in report.results)
        total = sum(noisy.values())
        lines += [
            f"- without {monitor}: {100 * (total - count) / clean:.2f} per 100 clean windows"
            for monitor, count in noisy.items()
        ]
    return "\n".join([*lines, *calibration_lines(report)]) + "\n"


def calibration_lines(report: BenchReport) -> list[str]:
    """The reliability of the diagnosis's confidences over every hypothesis of the runs with
    an incident (see :mod:`smokejumper.drills.calibration`); nothing without hypotheses."""
    judged = [j for r in report.results for j in r.judged]
    if not judged:
        return []
    right = sum(j.right for j in judged)
    return [
        "",
        f"Confidence against outcome: {len(judged)} hypotheses of the runs with an incident, "
        f"{right} naming the true cause; Brier score {brier(judged):.3f}, expected calibration "
        f"error {expected_calibration_error(judged):.3f} (5 bins).",
        "",
        *reliability_table(judged),
    ]
