"""``smokejumper model register|list``: manage models on a running server."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from smokejumper.cli.profile import parse_window
from smokejumper.errors import InputError, ServerError
from smokejumper.settings import Settings

model_app = typer.Typer(
    help="Models on the server (SMOKEJUMPER_URL, SMOKEJUMPER_TOKEN).", no_args_is_help=True
)


def _call(method: str, path: str, **kwargs: Any) -> Any:
    import httpx

    settings = Settings()
    if not settings.token:
        raise InputError("set SMOKEJUMPER_TOKEN to a token (see 'smokejumper token create')")
    headers = {"Authorization": f"Bearer {settings.token}", **kwargs.pop("headers", {})}
    try:
        response = httpx.request(
            method, settings.url.rstrip("/") + path, headers=headers, timeout=60, **kwargs
        )
    except httpx.TransportError as err:
        raise ServerError(
            f"cannot reach {settings.url}: {err}. Is 'smokejumper serve' running "
            "and SMOKEJUMPER_URL right?"
        ) from err
    if response.status_code >= 400:
        try:
            detail = response.json().get("detail", response.text)
        except ValueError:
            detail = response.text
        raise ServerError(f"{method} {path} failed ({response.status_code}): {detail}")
    return response.json()


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
    body = {
        "name": name,
        "schema": yaml.safe_load(schema.read_text()),
        "window_seconds": parse_window(window),
    }
    _call("POST", "/api/v1/models", json=body)
    typer.echo(f"registered model {name!r}")
    if reference is not None:
        if not reference.exists():
            raise InputError(f"reference file {str(reference)!r} does not exist")
        kind = "text/csv" if reference.suffix.lower() == ".csv" else "application/octet-stream"
        done = _call(
            "PUT",
            f"/api/v1/models/{name}/reference",
            content=reference.read_bytes(),
            headers={"Content-Type": kind},
        )
        typer.echo(f"reference set: {done['rows']:,} rows, columns {', '.join(done['columns'])}")


@model_app.command("list")
def list_models() -> None:
    """List registered models."""
    table = Table("model", "features", "window", "reference")
    for m in _call("GET", "/api/v1/models"):
        table.add_row(
            m["name"],
            ", ".join(f["name"] for f in m["schema"]["features"]),
            f"{m['window_seconds']} s",
            "yes" if m["has_reference"] else "no",
        )
    Console().print(table)
