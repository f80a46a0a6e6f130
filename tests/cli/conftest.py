"""The real server the command-line tests of a module share (``smokejumper serve`` in a
subprocess, no background evaluation); a module may define its own ``server`` instead."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from smokejumper.harness import ServerHarness


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerHarness]:
    home = tmp_path_factory.mktemp("server") / "home"
    with ServerHarness(home, env={"SMOKEJUMPER_EVALUATE_EVERY": "0"}) as running:
        yield running
