"""What the commands that talk to a running server share: the admin client of the server and
token the environment names, and printing an API answer as a table or as JSON."""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console, RenderableType

from smokejumper.cli.console import make_console
from smokejumper.errors import InputError

if TYPE_CHECKING:
    from smokejumper.client.admin import AdminClient

#: What ``--format`` takes on the commands that read the server.
FORMATS = ("table", "json")
FORMAT_HELP = "table (Rich) or json (the API's answer as it is)"
#: The ``--format`` and ``--by`` options the commands that talk to the server share.
Format = Annotated[str, typer.Option("--format", help=FORMAT_HELP)]
By = Annotated[str | None, typer.Option("--by", help="who (default: your user)")]


def me(by: str | None = None) -> str:
    """``by``, or the user running the command (``cli`` where the system has no user name)."""
    if by:
        return by
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment
        return "cli"


T = TypeVar("T")


def admin_client() -> AdminClient:
    """The admin client of the server and token the environment names."""
    from smokejumper.client.admin import AdminClient
    from smokejumper.settings import Settings  # pydantic-settings: only commands that need it

    settings = Settings()
    if not settings.token:
        raise InputError("set SMOKEJUMPER_TOKEN to a token (see 'smokejumper token create')")
    return AdminClient.from_settings(settings)


def check_format(fmt: str) -> str:
    """``fmt`` if it is one of :data:`FORMATS`, else :class:`InputError`.

    >>> check_format("json")
    'json'
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    return fmt


def emit(
    answer: T, fmt: str, table: Callable[[T], RenderableType], console: Console | None = None
) -> None:
    """Print ``answer`` as JSON (``fmt`` json: plain text, exactly what the server answered,
    for ``jq`` and scripts) or as the Rich table ``table`` makes of it."""
    if fmt == "json":
        typer.echo(dump(answer))
    else:
        (console or make_console()).print(table(answer))


def dump(answer: Any) -> str:
    """An API answer as indented JSON text.

    >>> print(dump({"windows": 1}))
    {
      "windows": 1
    }
    """
    return json.dumps(answer, indent=2, ensure_ascii=False)
