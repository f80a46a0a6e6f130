"""One pass of the alerting pipeline: 1,000 firing alerts, 100 silences, 20 inhibition rules.

What it measures
----------------
In one process, with the pure ``smokejumper.alerting`` package only (no store, no HTTP): 1,000
firing alerts of 100 models (10 monitors each, of mixed types, teams and severities; a volume
monitor fires for one model in ten, so the shipped inhibition mutes those models' drift and
data-quality alerts), 100 silences (80 active: narrow equality ones, regular expressions over
models, team-wide ones; 20 pending or expired), 19 inhibition rules of the configuration plus
the shipped one (20 in all), and a routing tree of 12 routes (a paging route that continues and
escalates, one route per team, a catch-all grouped by model).

``run_pass(alerts, config, silences, state, now)`` is timed over ``--passes`` passes in two
modes: *cold* (an empty pipeline state each time: every group is new) and *steady* (the state
of the previous pass, the clock one minute on: groups exist, flushes come due every
``group_interval``, most passes send nothing). The stages are then timed alone over the same
inputs (inhibit, silence, route and group, escalate + wait + flush), and, for comparison, the
silence and inhibition stages done the obvious way: every alert against every silence, every
target against every source (what the label index avoids).

How to run (from the repository root)
-------------------------------------
    .venv/bin/python benchmarks/alerting_pass.py              # 200 passes per mode (~1 minute)
    .venv/bin/python benchmarks/alerting_pass.py --quick      # 20 passes

The full run writes ``benchmarks/results/alerting_pass.md``; ``--quick`` writes
``benchmarks/.data/alerting_pass-quick.md`` unless ``--output`` says otherwise.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _common import (
    command_line,
    git_state,
    log,
    machine_lines,
    md_table,
    results_paths,
    text_table,
)
from smokejumper.alerting import (
    Alert,
    AlertingConfig,
    PipelineState,
    Silence,
    is_silenced,
    parse_config,
    run_pass,
)
from smokejumper.alerting.dispatch import flush, wait
from smokejumper.alerting.escalation import escalate
from smokejumper.alerting.grouping import group_alerts, route_alerts
from smokejumper.alerting.inhibition import InhibitRule, inhibit
from smokejumper.alerting.matchers import matches_all
from smokejumper.alerting.silences import silenced

TARGET_MS = 100.0
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
TYPES = (
    "feature_drift",
    "prediction_drift",
    "null_rate",
    "out_of_range",
    "unseen_categories",
    "volume",
    "latency",
    "error_rate",
    "confidence",
    "custom",
)
TEAMS = 10


def make_alerts() -> list[Alert]:
    """1,000 firing alerts: 100 models x 10 monitors."""
    alerts = []
    for m in range(100):
        for i, kind in enumerate(TYPES):
            if kind == "volume" and m % 10:
                kind = "freshness"  # only one model in ten has its pipeline broken
            labels = {
                "alertname": "SmokejumperMonitorUnhealthy",
                "model": f"m{m:03}",
                "version": str(1 + m % 3),
                "monitor": f"mon-{i}",
                "type": kind,
                "severity": "page" if kind in ("latency", "error_rate") else "warning",
                "team": f"t{m % TEAMS}",
            }
            if kind in ("null_rate", "out_of_range"):
                labels["column"] = f"col{m % 7}"
            alerts.append(Alert(labels, {"summary": f"{kind} of m{m:03}"}, T0))
    return alerts


def make_silences() -> list[Silence]:
    """100 silences: 80 active (60 narrow, 10 regex, 10 team-wide), 20 pending or expired."""
    end = T0 + timedelta(days=1)
    out = [
        Silence.of(f"narrow-{i}", [f'model="m{i:03}"', 'monitor="mon-3"'], T0, end, "ana", "x")
        for i in range(60)
    ]
    out += [
        Silence.of(
            f"regex-{i}", [f'model=~"m0{i}[0-4]"', 'type=~"null_rate|out_of_range"'], T0, end,
            "ana", "x",
        )
        for i in range(10)
    ]  # fmt: skip
    out += [
        Silence.of(
            f"team-{i}", [f'team="t{i}"', 'severity!="page"', 'monitor=~"mon-[89]"'], T0, end,
            "ana", "x",
        )
        for i in range(10)
    ]  # fmt: skip
    out += [
        Silence.of(
            f"later-{i}", [f'model="m{i:03}"'], T0 + timedelta(days=2), T0 + timedelta(days=3),
            "ana", "pending",
        )
        for i in range(10)
    ]  # fmt: skip
    out += [
        Silence.of(
            f"old-{i}", [f'model="m{i:03}"'], T0 - timedelta(days=3), T0 - timedelta(days=2),
            "ana", "expired",
        )
        for i in range(10)
    ]  # fmt: skip
    return out


def make_config() -> AlertingConfig:
    """12 routes, 13 receivers, 19 inhibition rules + the shipped one."""
    rules: list[dict[str, Any]] = [
        {
            "source_matchers": ['severity="page"', f'team="t{k}"'],
            "target_matchers": ['severity="warning"', 'type=~"confidence|custom"'],
            "equal": ["model"],
        }
        for k in range(TEAMS)
    ]
    rules += [
        {
            "source_matchers": ['type="error_rate"', f'version="{1 + k % 3}"'],
            "target_matchers": ['type=~"latency|confidence"'],
            "equal": ["model", "version"],
        }
        for k in range(9)
    ]
    route = {
        "receiver": "catch-all",
        "group_by": ["model"],
        "routes": [
            {
                "receiver": "pager",
                "matchers": ['severity="page"'],
                "continue": True,
                "group_by": ["model", "severity"],
                "escalate_after": "30m",
                "escalate_to": ["lead"],
            },
            *({"receiver": f"team-{k}", "matchers": [f'team="t{k}"']} for k in range(TEAMS)),
        ],
    }
    names = ["catch-all", "pager", "lead", *(f"team-{k}" for k in range(TEAMS))]
    return parse_config(
        {"route": route, "receivers": [{"name": n} for n in names], "inhibit_rules": rules}
    )


def timed(fn: Callable[[], object], repeats: int) -> list[float]:
    """Milliseconds of each call of ``fn``."""
    out = []
    gc.collect()
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def naive_silenced(alerts: list[Alert], silences: list[Silence], now: datetime) -> int:
    return sum(1 for a in alerts if is_silenced(a, silences, now))


def naive_inhibit(alerts: list[Alert], rules: Sequence[InhibitRule]) -> int:
    muted = set()
    for rule in rules:
        for target in alerts:
            if not matches_all(rule.target_matchers, target.labels):
                continue
            for source in alerts:
                if source is not target and matches_all(rule.source_matchers, source.labels):
                    same = all(
                        source.labels.get(n, "") == target.labels.get(n, "") for n in rule.equal
                    )
                    if same:
                        muted.add(target.fingerprint)
                        break
    return len(muted)


def run(passes: int) -> dict[str, Any]:
    alerts, silences, config = make_alerts(), make_silences(), make_config()
    now = T0 + timedelta(minutes=1)
    first = run_pass(alerts, config, silences, PipelineState(), now)
    facts = {
        "alerts": len(alerts),
        "silences": len(silences),
        "active silences": sum(s.active(now) for s in silences),
        "inhibition rules": len(config.inhibit_rules),
        "routes": len(config.routes()),
        "inhibited": len(first.inhibited),
        "silenced": len(first.silenced),
        "groups": len(first.groups),
        "notifications (first pass)": len(first.notifications),
    }
    log(f"inputs: {facts}")
    rows: dict[str, list[float]] = {}
    rows["pass, cold (empty state)"] = timed(
        lambda: run_pass(alerts, config, silences, PipelineState(), now), passes
    )
    state, clock, sent = first.state, now, 0

    def steady() -> None:
        nonlocal state, clock, sent
        clock += timedelta(minutes=1)
        result = run_pass(alerts, config, silences, state, clock)
        state, sent = result.state, sent + len(result.notifications)

    rows["pass, steady (state of the last pass, +1 min)"] = timed(steady, passes)
    facts["notifications (steady passes)"] = sent
    rules = config.inhibit_rules
    inhibited = first.inhibited
    kept = [
        a for a in alerts if a.fingerprint not in inhibited and a.fingerprint not in first.silenced
    ]
    groups = group_alerts(route_alerts(kept, config.route))

    def dispatch(state: PipelineState) -> None:
        _, s = escalate(groups, state, now)
        due, s = wait(groups, s, now)
        flush(due, groups, config.receivers, s, now)

    rows["stage: inhibit (label index)"] = timed(lambda: inhibit(alerts, rules), passes)
    rows["stage: silence (label index)"] = timed(lambda: silenced(alerts, silences, now), passes)
    rows["stage: route and group"] = timed(
        lambda: group_alerts(route_alerts(kept, config.route)), passes
    )
    rows["stage: escalate, wait, flush (every group new: 200 sent)"] = timed(
        lambda: dispatch(PipelineState()), passes
    )
    rows["stage: escalate, wait, flush (after the first pass: none due)"] = timed(
        lambda: dispatch(first.state), passes
    )
    few = 3  # the all-pairs inhibition takes seconds
    rows["all pairs: silence (every alert x every silence)"] = timed(
        lambda: naive_silenced(alerts, silences, now), few
    )
    rows["all pairs: inhibit (every target x every source)"] = timed(
        lambda: naive_inhibit(alerts, rules), few
    )
    assert naive_silenced(alerts, silences, now) == len(silenced(alerts, silences, now))
    assert naive_inhibit(alerts, rules) == len(inhibit(alerts, rules))
    return {"facts": facts, "rows": rows}


def table_rows(rows: dict[str, list[float]]) -> list[list[str]]:
    return [
        [name, str(len(ms)), f"{statistics.median(ms):.1f}", f"{p95(ms):.1f}", f"{min(ms):.1f}"]
        for name, ms in rows.items()
    ]


HEADER = ["What", "Runs", "Median ms", "p95 ms", "Best ms"]


def render(result: dict[str, Any], argv: list[str], git_at_start: str) -> str:
    rows = result["rows"]
    steady = rows["pass, steady (state of the last pass, +1 min)"]
    cold = rows["pass, cold (empty state)"]
    met = p95(steady) < TARGET_MS and p95(cold) < TARGET_MS
    facts = result["facts"]
    lines = [
        "# Alerting: one pipeline pass",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        *machine_lines(git_at_start, ["smokejumper"]),
        f"- Command: `{command_line(__file__, argv)}`",
        "",
        "One `smokejumper.alerting.run_pass` (inhibit, silence, route, group, escalate, wait, "
        "dedup and emit) over 1,000 firing alerts of 100 models, 100 silences and 20 inhibition "
        "rules, in one process, the pure package only; see the script's docstring for the "
        "inputs. *Cold*: an empty pipeline state (every group new). *Steady*: the state of "
        "the previous pass and the clock one minute on. Stages are then timed alone, and the "
        "silence and inhibition stages done all-pairs for comparison (same answers, checked).",
        "",
        "## Inputs",
        "",
        md_table(["Fact", "Value"], [[k, f"{v:,}"] for k, v in facts.items()]),
        "",
        "## Times",
        "",
        md_table(HEADER, table_rows(rows)),
        "",
        "## Target",
        "",
        f"- One pass with 1,000 firing alerts, 100 silences and 20 inhibition rules under "
        f"{TARGET_MS:.0f} ms: **{'MET' if met else 'NOT MET'}** (p95 cold "
        f"{p95(cold):.1f} ms, p95 steady {p95(steady):.1f} ms)",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--passes", type=int, default=200, help="timed passes per mode")
    parser.add_argument("--quick", action="store_true", help="20 passes, results in .data/")
    parser.add_argument("--output", type=Path, help="where to write the Markdown results")
    args = parser.parse_args(argv)
    full, quick = results_paths("alerting_pass")
    passes = 20 if args.quick else args.passes
    output = args.output or (quick if args.quick else full)
    git_at_start = git_state()
    result = run(passes)
    print(text_table(HEADER, table_rows(result["rows"])))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render(result, argv, git_at_start))
    log(f"results written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
