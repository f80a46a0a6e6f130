"""The harness and the admin client drive the product from outside: they import nothing of
the server, the services, the store or the domain packages."""

from __future__ import annotations

import subprocess
import sys

INSIDE = ("server", "service", "store", "monitoring", "stats", "report", "frames")

SCRIPT = """
import sys
from smokejumper.harness import ServerHarness
from smokejumper.client import AdminClient
server = ServerHarness()
server.settings
server.close()
print("\\n".join(sorted(m for m in sys.modules if m.startswith("smokejumper."))))
"""


def test_the_harness_and_admin_client_import_nothing_of_the_inside() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, timeout=60
    )
    imported = done.stdout.split()
    assert "smokejumper.harness.server" in imported
    assert [m for m in imported if m.split(".")[1] in INSIDE] == []
