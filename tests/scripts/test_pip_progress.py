"""The first ``make demo`` shows the install as it goes (``scripts/pip_progress.py``), and
``make test`` stays tidy."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pip_progress", ROOT / "scripts/pip_progress.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _dry_run(target: str, tmp_path: Path) -> list[str]:
    """The commands ``make TARGET`` would run on a machine without the environment yet."""
    outer = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")  # when this runs inside `make test`
    done = subprocess.run(
        ["make", "--no-print-directory", "-n", target, f"VENV={tmp_path / 'venv'}"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        env={k: v for k, v in os.environ.items() if k not in outer},
    )
    return done.stdout.splitlines()


def test_make_demo_shows_each_package_and_make_test_only_a_line(tmp_path: Path) -> None:
    demo = _dry_run("demo", tmp_path)
    assert demo[0].startswith('echo "Installing smokejumper and its dependencies into ')
    assert any("scripts/pip_progress.py packages -e '.[dev]'" in line for line in demo)
    test = _dry_run("test", tmp_path)
    assert any("scripts/pip_progress.py quiet -e '.[dev]'" in line for line in test)
    assert not any("install --quiet -e" in line for line in demo + test)


def test_one_line_per_package_from_pips_output() -> None:
    pip_output = [
        "Looking in indexes: https://pypi.org/simple",
        "Obtaining file:///home/me/smokejumper",
        "Collecting numpy>=1.26 (from smokejumper==0.1.0)",
        "  Downloading numpy-2.3.0-cp311-cp311-manylinux_2_28_x86_64.whl (16.9 MB)",
        "WARNING: Location 'file:///opt/x' is ignored",
        "Processing /opt/wheels/rich-15.0.0-py3-none-any.whl (from smokejumper==0.1.0)",
        "Installing collected packages: rich, numpy, smokejumper",
        "Successfully installed numpy-2.3.0 rich-15.0.0 smokejumper-0.1.0",
    ]
    assert list(_script().progress(pip_output)) == [
        "  1 smokejumper (this folder)",
        "  2 numpy>=1.26",
        "  3 rich 15.0.0",
        "installing 3 packages (this takes a while)...",
    ]


def test_a_failed_install_shows_all_of_pips_output(capfd: pytest.CaptureFixture[str]) -> None:
    code = _script().main(["packages", "--no-index", "--dry-run", "no-such-package-smokejumper"])
    out, err = capfd.readouterr()
    assert code == 1
    assert "No matching distribution found for no-such-package-smokejumper" in out
    assert "pip install failed (exit code 1); its output is above" in err


def test_an_unknown_mode_gets_the_usage() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts/pip_progress.py"), "sideways", "x"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "usage: pip_progress.py packages|quiet" in done.stderr
