"""The consoles the commands print to: as wide as the terminal, and wide enough not to cut
tables when the output is a file, a pipe or a CI log (Rich would assume 80 columns there).

>>> saved = os.environ.pop("COLUMNS", None)  # (test runners may set it)
>>> make_console(stderr=False, terminal=False).width
200
>>> if saved is not None:
...     os.environ["COLUMNS"] = saved
"""

from __future__ import annotations

import os
import sys

from rich.console import Console

#: Columns used when the output is not a terminal and ``COLUMNS`` does not say otherwise.
NOT_A_TERMINAL_WIDTH = 200


def make_console(*, stderr: bool = False, terminal: bool | None = None) -> Console:
    """A Rich console on stdout (or stderr). ``terminal`` says whether the stream is a terminal
    (found out when ``None``); when it is not, tables get :data:`NOT_A_TERMINAL_WIDTH` columns
    unless the ``COLUMNS`` environment variable names a width."""
    stream = sys.stderr if stderr else sys.stdout
    if terminal is None:
        terminal = stream.isatty()
    if terminal or os.environ.get("COLUMNS"):
        return Console(stderr=stderr)
    return Console(stderr=stderr, width=NOT_A_TERMINAL_WIDTH)
