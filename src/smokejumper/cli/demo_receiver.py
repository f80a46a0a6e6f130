"""A stand-in for Slack in ``smokejumper demo``: an HTTP server on a loopback port that keeps
what is posted to it, so the demo can show the notification its drift sent through the real
delivery path (outbox, receiver, HTTP) without a Slack workspace.

>>> import httpx
>>> with DemoReceiver() as hook:
...     _ = httpx.post(hook.url, json={"text": "hello"})
...     [body["text"] for body in hook.wait(1, timeout=5)]
['hello']
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


class DemoReceiver:
    """Collects the JSON bodies POSTed to :attr:`url` (answering ``ok`` as Slack does)."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self._arrived = threading.Condition()
        received, arrived = self.bodies, self._arrived

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with arrived:
                    received.append(json.loads(raw or b"{}"))
                    arrived.notify_all()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *_: Any) -> None:  # quiet: the demo prints what matters
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Where to post."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/services/demo"

    def wait(self, count: int, timeout: float) -> list[dict[str, Any]]:
        """The bodies received once ``count`` arrived, or all received after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.bodies) < count and time.monotonic() < deadline:
                self._arrived.wait(max(0.0, deadline - time.monotonic()))
            return list(self.bodies)

    def __enter__(self) -> DemoReceiver:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
