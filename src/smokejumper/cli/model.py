"""``smokejumper model register|list``: manage models on a running server."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from smokejumper.cli.profile import parse_window
from smokejumper.errors import InputError
from smokejumper.settings import Settings

if TYPE_CHECKING:
    from smokejumper.client.admin import AdminClient

model_app = typer.Typer(
    help="Models on the server (SMOKEJUMPER_URL, SMOKEJUMPER_TOKEN).", no_args_is_help=True
)


def _admin() -> AdminClient:
    """The admin client of the server and token the environment names."""
    from smokejumper.client.admin import AdminClient

    settings = Settings()
    if not settings.token:
        raise InputError("set SMOKEJUMPER_TOKEN to a token (see 'smokejumper token create')")
    return AdminClient.from_settings(settings)


@model_app.command("register")
def register(
    name: Annotated[str, typer.Argument(help="Model name")],
    schema: Annotated[Path, typer.Option(help="YAML file: features, prediction_kind, segments")],
    reference: Annotated[Path | None, typer.Option(help="Reference data or profile file")] = None,
    window: Annotated[str, typer.Option(help="Window size, e.g. 1h or 15m")] = "1h",
) -> None:
    """Register a model, and set its reference when given."""
    import yaml

    if not schema.exists():
        raise InputError(f"schema file {str(schema)!r} does not exist")
    if reference is not None and not reference.exists():
        raise InputError(f"reference file {str(reference)!r} does not exist")
    declared = yaml.safe_load(schema.read_text())
    if not isinstance(declared, dict):
        raise InputError(
            f"schema file {str(schema)!r} must hold a mapping (features, prediction_kind, "
            "segments), not a list or a single value"
        )
    with _admin() as admin:
        admin.register_model(name, declared, window_seconds=parse_window(window))
        typer.echo(f"registered model {name!r}")
        if reference is not None:
            done = admin.set_reference(name, reference)
            columns = ", ".join(done["columns"])
            typer.echo(f"reference set: {done['rows']:,} rows, columns {columns}")


@model_app.command("list")
def list_models() -> None:
    """List registered models."""
    table = Table("model", "features", "window", "reference")
    with _admin() as admin:
        models = admin.models()
    for m in models:
        table.add_row(
            m["name"],
            ", ".join(f["name"] for f in m["schema"]["features"]),
            f"{m['window_seconds']} s",
            "yes" if m["has_reference"] else "no",
        )
    Console().print(table)
