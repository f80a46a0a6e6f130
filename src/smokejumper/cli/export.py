"""``smokejumper export prometheus-rules|grafana``: files for the tools a platform team runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from smokejumper.cli.output import write_text

export_app = typer.Typer(help="Prometheus rules and Grafana dashboards.", no_args_is_help=True)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_text(output, text)
        typer.echo(f"wrote {output}", err=True)


@export_app.command("prometheus-rules")
def prometheus_rules(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write")] = None,
) -> None:
    """Alerting rules on Smokejumper's /metrics (Prometheus rule-file YAML)."""
    import yaml

    from smokejumper.monitoring.exports import prometheus_rules as rules

    _emit(yaml.safe_dump(rules(), sort_keys=False, width=100), output)


@export_app.command("grafana")
def grafana(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write")] = None,
) -> None:
    """A Grafana dashboard (JSON) over Smokejumper's /metrics."""
    from smokejumper.monitoring.exports import grafana_dashboard

    _emit(json.dumps(grafana_dashboard(), indent=2) + "\n", output)
