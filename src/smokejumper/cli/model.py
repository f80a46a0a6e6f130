"""``smokejumper model register|list|reference|windows|observations``: models on a running
server (SMOKEJUMPER_URL, SMOKEJUMPER_TOKEN)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from smokejumper.cli import tables
from smokejumper.cli.admin import FORMAT_HELP, admin_client, check_format, emit
from smokejumper.cli.console import make_console
from smokejumper.cli.profile import parse_window
from smokejumper.errors import InputError, ServerError

if TYPE_CHECKING:
    from smokejumper.client.api_types import ReferenceInfo

model_app = typer.Typer(
    help="Models on the server (SMOKEJUMPER_URL, SMOKEJUMPER_TOKEN).", no_args_is_help=True
)

Format = Annotated[str, typer.Option("--format", help=FORMAT_HELP)]
Start = Annotated[str | None, typer.Option(help="First window start, ISO 8601 (UTC if no zone)")]
End = Annotated[str | None, typer.Option(help="Only windows starting before this, ISO 8601")]


def _schema(path: Path) -> dict[str, Any]:
    """The schema file's mapping, or :class:`InputError` saying what is wrong with it."""
    import yaml

    if not path.exists():
        raise InputError(f"schema file {str(path)!r} does not exist")
    declared = yaml.safe_load(path.read_text())
    if not isinstance(declared, dict):
        raise InputError(
            f"schema file {str(path)!r} must hold a mapping (features, prediction_kind, "
            "segments), not a list or a single value"
        )
    return declared


def _reference_lines(done: ReferenceInfo) -> list[str]:
    """What setting a reference did, in a line or three."""
    lines = [
        f"reference set: {done['rows']:,} rows, {len(done['columns'])} features "
        f"({', '.join(done['columns'])})"
    ]
    if done["ignored_columns"]:
        lines.append(
            "note: columns that are not features of the schema were ignored: "
            + ", ".join(done["ignored_columns"])
        )
    if done["missing_features"]:
        lines.append(
            "note: features missing from the reference (no drift is measured for them): "
            + ", ".join(done["missing_features"])
        )
    if done.get("phases"):
        lines.append(
            f"phases: {done['phases']} hours of the week from column {done['time_column']!r} "
            "(for monitors with a seasonality)"
        )
    if done.get("time_note"):
        lines.append(f"note: {done['time_note']}")
    return lines


def _too_large(err: ServerError, reference: Path | None) -> ServerError | None:
    """What to do when the server found the reference file too large (413), or None for any
    other error."""
    if err.status != 413 or reference is None:
        return None
    return ServerError(
        f"{err}. A profile of the file is a few kilobytes per column: make one with "
        f"'smokejumper profile {reference} -o {reference.stem}.profile' and give that instead",
        status=413,
    )


@model_app.command("register")
def register(
    name: Annotated[str, typer.Argument(help="Model name")],
    schema: Annotated[Path, typer.Option(help="YAML file: features, prediction_kind, segments")],
    reference: Annotated[
        Path | None,
        typer.Option(help="Training data (Parquet, CSV) or a profile file; other columns ignored"),
    ] = None,
    window: Annotated[str, typer.Option(help="Window size, e.g. 1h or 15m")] = "1h",
    exist_ok: Annotated[
        bool, typer.Option("--exist-ok", help="An identical model already registered is no error")
    ] = False,
) -> None:
    """Register a model, with its reference when given: both, or neither if the reference
    cannot be used."""
    declared = _schema(schema)
    if reference is not None and not reference.is_file():
        raise InputError(f"reference file {str(reference)!r} does not exist")
    with admin_client() as admin:
        try:
            done = admin.register_model(
                name,
                declared,
                window_seconds=parse_window(window),
                exist_ok=exist_ok,
                reference=reference,
            )
        except ServerError as err:
            if err.status == 409 and not exist_ok:
                raise ServerError(
                    f"{err}. Pass --exist-ok to accept an identical model, or set its "
                    f"reference with 'smokejumper model reference {name} FILE'",
                    status=409,
                ) from err
            too_large = _too_large(err, reference)
            if too_large is None:
                raise
            raise too_large from err
    typer.echo(f"model {name!r} is registered ({done['window_seconds']} s windows)")
    if done["reference"] is not None:
        for line in _reference_lines(done["reference"]):
            typer.echo(line)
    elif reference is not None and done["has_reference"]:
        typer.echo(
            f"model {name!r} was registered already and has a reference: kept. Replace it with "
            f"'smokejumper model reference {name} {reference}'"
        )


@model_app.command("reference")
def set_reference(
    name: Annotated[str, typer.Argument(help="Model name")],
    file: Annotated[Path, typer.Argument(help="Training data (Parquet, CSV) or a profile file")],
) -> None:
    """Set or replace the model's reference; stored windows are profiled again on its bins."""
    if not file.is_file():
        raise InputError(f"reference file {str(file)!r} does not exist")
    with admin_client() as admin:
        try:
            done = admin.set_reference(name, file)
        except ServerError as err:
            too_large = _too_large(err, file)
            if too_large is None:
                raise
            raise too_large from err
    for line in _reference_lines(done):
        typer.echo(line)
    if done["reprofiled_batches"]:
        typer.echo(
            f"{done['reprofiled_batches']:,} stored batches profiled again on the new bins; "
            "their windows are evaluated again"
        )


@model_app.command("list")
def list_models(fmt: Format = "table") -> None:
    """List registered models."""
    check_format(fmt)
    with admin_client() as admin:
        models = admin.models()

    def table(found: list[Any]) -> Table:
        out = Table("model", "features", "window", "reference")
        for m in found:
            out.add_row(
                m["name"],
                ", ".join(f["name"] for f in m["schema"]["features"]),
                f"{m['window_seconds']} s",
                "yes" if m["has_reference"] else "no",
            )
        return out

    emit(models, fmt, table)


@model_app.command("windows")
def windows(
    name: Annotated[str, typer.Argument(help="Model name")],
    start: Start = None,
    end: End = None,
    fmt: Format = "table",
) -> None:
    """The model's windows: rows, versions, nulls and drift against the reference."""
    check_format(fmt)
    with admin_client() as admin:
        found = admin.windows(name, start=start, end=end)
    emit(found, fmt, lambda w: tables.windows_table(name, w), make_console())


@model_app.command("observations")
def observations(
    name: Annotated[str, typer.Argument(help="Model name")],
    monitor: Annotated[str | None, typer.Option(help="Only this monitor")] = None,
    start: Start = None,
    end: End = None,
    fmt: Format = "table",
) -> None:
    """The verdicts of the model's monitors on its windows, oldest window first."""
    check_format(fmt)
    with admin_client() as admin:
        found = admin.observations(name, monitor=monitor, start=start, end=end)
    emit(found, fmt, lambda o: tables.observations_table(name, o))
