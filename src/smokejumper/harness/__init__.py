"""Drive a real Smokejumper server from outside: the demo, drills and tests start
``smokejumper serve`` in a process of its own and talk to it over HTTP on loopback.

    from smokejumper.harness import ServerHarness

    with ServerHarness(args=["--config", "monitors.yaml"]) as server, server.admin() as admin:
        admin.register_model("churn", schema)
        server.kill()  # a crash: kill -9
        server.restart()  # same port, home and token

The harness goes through the CLI and the HTTP API only; it imports nothing of the server or
the store.

>>> sorted(__all__)
['HarnessError', 'ServerHarness']
"""

from __future__ import annotations

from smokejumper.errors import HarnessError
from smokejumper.harness.server import ServerHarness

__all__ = ["HarnessError", "ServerHarness"]
