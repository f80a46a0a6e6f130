"""The curated public API."""

from __future__ import annotations

import subprocess
import sys

import smokejumper


def test_all_names_resolve() -> None:
    for name in smokejumper.__all__:
        assert getattr(smokejumper, name) is not None, name
    assert sorted(smokejumper.__all__) == [
        "Client",
        "DatasetProfile",
        "DriftReport",
        "SmokejumperError",
        "__version__",
        "compare",
        "load_profiles",
        "profile",
        "save_profiles",
    ]


def test_import_is_light() -> None:
    heavy = "('numpy', 'scipy', 'pyarrow', 'pandas', 'sklearn')"
    code = f"import sys, smokejumper; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_error_is_a_smokejumper_error() -> None:
    from smokejumper import errors

    classes = [v for v in vars(errors).values() if isinstance(v, type) and issubclass(v, Exception)]
    assert len(classes) > 10
    assert all(issubclass(c, errors.SmokejumperError) for c in classes)
