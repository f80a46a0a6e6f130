"""Run ``pip install`` showing one short line per package, for the Makefile's first run.

``python scripts/pip_progress.py MODE PIP-ARGS...`` runs ``python -m pip install PIP-ARGS``
with this interpreter. MODE ``packages`` prints a line per package as pip collects it and a
line when it starts installing; MODE ``quiet`` prints only the closing line. Either way pip's
whole output is printed if it fails, so nothing is hidden when something goes wrong; on
success its warnings and download lines are left out.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator

_COLLECTING = re.compile(r"^(?:Collecting|Processing|Obtaining) (\S+)")
_INSTALLING = re.compile(r"^Installing collected packages: (.*)$")


def package(spec: str) -> str:
    """A short name for what pip collects: a requirement, a wheel file or a folder.

    >>> package("pydantic>=2.5.3"), package("/opt/files/rich-15.0.0-py3-none-any.whl")
    ('pydantic>=2.5.3', 'rich 15.0.0')
    >>> package("file:///work/smokejumper")
    'smokejumper (this folder)'
    """
    if spec.endswith(".whl"):
        name, version = spec.rsplit("/", 1)[-1].split("-")[:2]
        return f"{name} {version}"
    if spec.startswith("file://") or spec.startswith("/") or spec == ".":
        return f"{spec.rstrip('/').rsplit('/', 1)[-1]} (this folder)"
    return spec


def progress(lines: Iterable[str]) -> Iterator[str]:
    """The lines to show for pip's output ``lines``: one per package collected, one when the
    installing starts.

    >>> list(progress(["Looking in indexes: x", "Collecting typer", "  Downloading t.whl",
    ...                "Processing /w/rich-15.0.0-py3-none-any.whl (from typer)",
    ...                "Installing collected packages: rich, typer"]))
    ['  1 typer', '  2 rich 15.0.0', 'installing 2 packages (this takes a while)...']
    """
    seen = 0
    for line in lines:
        collected = _COLLECTING.match(line)
        if collected:
            seen += 1
            yield f"{seen:3d} {package(collected.group(1))}"
            continue
        installing = _INSTALLING.match(line)
        if installing:
            count = len(installing.group(1).split(","))
            yield f"installing {count} packages (this takes a while)..."


def main(argv: list[str]) -> int:
    """Run pip; return its exit code."""
    if len(argv) < 2 or argv[0] not in ("packages", "quiet"):
        print("usage: pip_progress.py packages|quiet PIP-INSTALL-ARGS...", file=sys.stderr)
        return 2
    mode, args = argv[0], argv[1:]
    started = time.monotonic()
    command = [sys.executable, "-m", "pip", "install", "--progress-bar", "off", *args]
    output: list[str] = []
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    ) as pip:
        assert pip.stdout is not None

        def read() -> Iterator[str]:
            for raw in pip.stdout:  # type: ignore[union-attr]
                output.append(raw)
                yield raw.rstrip("\n")

        for shown in progress(read()):
            if mode == "packages":
                print(f"  {shown}", flush=True)
        code = pip.wait()
    if code:
        sys.stdout.write("".join(output))
        print(f"pip install failed (exit code {code}); its output is above", file=sys.stderr)
        return code
    print(f"installed in {time.monotonic() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
