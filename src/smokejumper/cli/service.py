"""``smokejumper serve``, ``smokejumper db upgrade`` and ``smokejumper token create``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

db_app = typer.Typer(help="The metadata store.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8800,
    config: Annotated[
        Path | None,
        typer.Option(
            help="Monitors, SLOs, alerting, incidents and integrations (MLflow) (YAML); "
            "monitors of unregistered models wait for them. Checked first: a mistake stops "
            "serve (exit 2) with its line"
        ),
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes (ingest uses about one core each)")
    ] = 1,
) -> None:
    """Run the monitoring service (migrates the store first)."""
    # One BLAS thread per process unless told otherwise, set before numpy loads: the service's
    # matrices are small and its requests run side by side, so BLAS threads only fight over
    # the cores (a noise floor's eigendecomposition took 45 ms instead of 1 ms on two busy cores).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from smokejumper.server.run import serve as run
    from smokejumper.service.config_file import load_config_file
    from smokejumper.settings import Settings

    loaded = load_config_file(config) if config else None  # before anything starts
    settings = Settings()
    typer.echo(
        f"smokejumper serving on http://{host}:{port} (data in {settings.home}"
        + (f", {workers} workers)" if workers > 1 else ")"),
        err=True,
    )
    run(settings, host, port, workers=workers, config=loaded)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the store to the newest schema."""
    from smokejumper.service.setup import migrate_store
    from smokejumper.settings import Settings

    typer.echo(migrate_store(Settings().database_url))


@token_app.command("create")
def token_create(
    scope: Annotated[str, typer.Option(help="ingest, read, write or admin")] = "admin",
    name: Annotated[str, typer.Option(help="A name to recognise the token by")] = "",
) -> None:
    """Create an API token and print it (it is shown only this once)."""
    from smokejumper.service.tokens import issue_token
    from smokejumper.settings import Settings

    typer.echo(issue_token(Settings().database_url, scope, name))
