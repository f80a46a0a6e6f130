"""``smokejumper drill list|run|bench``: incident drills replayed through a real server that the
command starts on a loopback port (its data in a temporary folder, removed at the end).
"""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from smokejumper.cli.console import make_console
from smokejumper.cli.drill_tabletop import run_tabletop
from smokejumper.cli.output import write_text
from smokejumper.drills.registry import available_scenarios, get_scenario
from smokejumper.drills.scenario import Size
from smokejumper.errors import InputError

if TYPE_CHECKING:
    # The runner and the bench are imported in the commands that run drills: they load the
    # drill model (scikit-learn), which `drill list` and `--help` do not need.
    from smokejumper.drills.bench import BenchReport
    from smokejumper.drills.runner import DrillResult

drill_app = typer.Typer(
    help="Incident drills: injected failures replayed through the product, and scored.",
    no_args_is_help=True,
)

SizeOption = Annotated[
    str, typer.Option("--size", help="small (24 windows of 300) or full (48 of 500)")
]


def _size(value: str) -> Size:
    try:
        return Size(value)
    except ValueError:
        raise InputError(f"--size must be small or full, got {value!r}") from None


def _format(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise InputError(f"--format must be one of {', '.join(allowed)}, got {value!r}")
    return value


@drill_app.command("list")
def list_scenarios() -> None:
    """The scenarios: their fault and the truth an on-call person should reach."""
    table = Table(title="Drill scenarios")
    for column in ("name", "fault", "truth label", "root cause", "incident", "caught by"):
        table.add_column(column)
    for s in available_scenarios():
        fault = "none" if s.fault is None else f"{s.fault.kind} {', '.join(s.fault.columns)}"
        fault += f"={s.fault.value}" if s.fault is not None and s.fault.value else ""
        component = s.truth.component
        table.add_row(
            s.name,
            fault.strip(),
            s.truth.label or "-",
            f"{component.kind}: {component.name}" if component.name else component.kind,
            "yes" if s.truth.incident else "must not",
            ", ".join(s.truth.monitors) or "-",
        )
    make_console().print(table)


@drill_app.command("run")
def run(
    name: Annotated[str, typer.Argument(help="a scenario (smokejumper drill list)")],
    seed: Annotated[int, typer.Option(help="the random seed of data and model")] = 0,
    size: SizeOption = "small",
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    tabletop: Annotated[
        bool,
        typer.Option(
            "--tabletop", help="walk a responder through the incident, question by question"
        ),
    ] = False,
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            help="with --tabletop: the answers, a YAML or JSON list in question order",
        ),
    ] = None,
) -> None:
    """Run one drill: start a server, replay the scenario, print the score, the incident and
    the post-mortem draft's summary; with --tabletop, ask the responder at each step first."""
    scenario = get_scenario(name)
    _format(fmt, ("table", "json"))
    if answers is not None and not tabletop:
        raise InputError("--answers goes with --tabletop: add --tabletop, or drop --answers")
    if tabletop:
        if fmt != "table":
            raise InputError("--tabletop talks to a person: drop --format json")
        run_tabletop(name, seed, _size(size), answers)
        return
    from smokejumper.drills.runner import DrillServer

    console = make_console()
    status = f"Running drill {name} (seed {seed}) through a real server..."
    with console.status(status), DrillServer() as drills:
        result = drills.run(scenario, seed, _size(size), notify_timeout=5.0)
    if fmt == "json":
        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    _show_run(result)


def _show_run(result: DrillResult) -> None:
    console = make_console()
    score = result.score
    scenario = get_scenario(score.scenario)
    console.print(
        f"[bold]{scenario.title}[/] ({score.scenario}, seed {score.seed}): {scenario.story}"
    )
    onset = result.onset.isoformat() if result.onset else "no fault"
    console.print(f"Model {score.model}, {result.windows} windows, fault onset {onset}.\n")
    table = Table(title="Score")
    table.add_column("measure")
    table.add_column("value")
    table.add_column("truth")
    table.add_row("detected", _yes(score.detected), ", ".join(scenario.truth.monitors) or "-")
    table.add_row("windows onset -> detection", _text(score.detection_windows), "")
    table.add_row(
        "false alarms (clean windows)", f"{score.false_alarms} ({score.clean_windows})", ""
    )
    table.add_row("incident opened", _yes(score.incident_opened), _yes(score.incident_expected))
    table.add_row("taxonomy labels", ", ".join(score.labels) or "-", scenario.truth.label or "-")
    table.add_row("label right", _yes(score.label_right), "")
    component = scenario.truth.component
    cause = f"{component.kind} {component.name}".strip() if component.kind != "none" else "-"
    cause += f" ({component.version})" if component.version else ""
    table.add_row("root-cause rank", _text(score.rank), cause)
    table.add_row("alerts of monitors", ", ".join(score.alerts) or "-", "")
    console.print(table)
    if result.incident:
        i = result.incident
        console.print(
            f"\nIncident [bold]{i['id']}[/] ({i['severity']}, {i['status']}): {i['title']}; "
            f"labels: {', '.join(i['labels']) or 'none'}; {result.notifications} notification(s) "
            "reached the local receiver."
        )
    summary = ((result.postmortem or {}).get("summary") or {}).get("text")
    if summary:
        console.print("\n[bold]Post-mortem draft, summary:[/]")
        from rich.markdown import Markdown  # markdown-it: loaded only when a summary is shown

        console.print(Markdown(summary))
    console.print(f"\nTook {result.seconds:.1f} s.")


def _yes(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "no")


def _text(value: int | None) -> str:
    return "-" if value is None else str(value)


@drill_app.command("bench")
def bench(
    seeds: Annotated[int, typer.Option(help="seeds per scenario (0, 1, ...)")] = 1,
    size: SizeOption = "small",
    fmt: Annotated[str, typer.Option("--format", help="table, json or markdown")] = "table",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="write it to a file")
    ] = None,
    scenario: Annotated[
        list[str] | None, typer.Option("--scenario", help="only these scenarios (repeatable)")
    ] = None,
) -> None:
    """Run every scenario over several seeds on one server and score them, per scenario and in
    total, against the targets."""
    from smokejumper.drills.bench import run_bench

    if seeds < 1:
        raise InputError(f"--seeds must be 1 or more, got {seeds}")
    _format(fmt, ("table", "json", "markdown"))
    chosen = [get_scenario(n) for n in scenario] if scenario else available_scenarios()
    drill_size = _size(size)
    errors = make_console(stderr=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=errors, transient=True) as progress:
        task = progress.add_task("drills", total=len(chosen) * seeds)

        def advance(result: DrillResult) -> None:
            progress.update(
                task, advance=1, description=f"{result.score.scenario} seed {result.score.seed}"
            )

        report = run_bench(chosen, seeds=seeds, size=drill_size, progress=advance)
    text = _render(report, fmt)
    if output is not None:
        write_text(output, text)
        errors.print(f"Wrote {output} ({report.seconds:.0f} s).")
    elif fmt == "table":
        _show_bench(report)
    else:
        typer.echo(text, nl=False)


def _render(report: BenchReport, fmt: str) -> str:
    from smokejumper.drills.bench import to_markdown

    if fmt == "json":
        return json.dumps(report.to_dict(), indent=2) + "\n"
    header = (
        f"Drill bench, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, size {report.size}, "
        f"{report.seeds} seed(s) per scenario, {report.seconds:.0f} s wall time on "
        f"{platform.machine()} {platform.system()}, Python {platform.python_version()}.\n\n"
    )
    return header + to_markdown(report)


def _show_bench(report: BenchReport) -> None:
    from smokejumper.drills.bench import HEADERS, TARGETS, row_cells

    console = make_console()
    table = Table(title=f"Drill bench: size {report.size}, {report.seeds} seed(s)")
    for header in HEADERS:
        table.add_column(header)
    for row in report.rows:
        table.add_row(*row_cells(row))
    table.add_row(*[f"[bold]{c}[/]" for c in row_cells(report.total)])
    console.print(table)
    for key, met in report.targets.items():
        console.print(f"{'[green]met[/]' if met else '[red]missed[/]'}: {TARGETS[key]}")
    if report.total.false_alarm_monitors:
        noisy = ", ".join(f"{m} {n}" for m, n in report.total.false_alarm_monitors.items())
        console.print(f"False alarms by monitor: {noisy}")
    console.print(f"Wall time {report.seconds:.1f} s.")
