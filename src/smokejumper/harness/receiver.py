"""A receiver on loopback: an HTTP server that keeps the JSON bodies POSTed to it, standing in
for Slack or a webhook so the demo and the drills see a notification go through the real
delivery path (outbox, receiver, HTTP). It answers ``ok``, as Slack does; a body that is not
JSON is kept as ``{"raw": text}``.

>>> import httpx
>>> with Receiver("/services/demo") as hook:
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


class Receiver:
    """Collects the JSON bodies POSTed to :attr:`url` (``path`` on a free loopback port)."""

    def __init__(self, path: str = "/hook") -> None:
        self.path = path
        self.bodies: list[dict[str, Any]] = []
        self._arrived = threading.Condition()
        received, arrived = self.bodies, self._arrived

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"raw": raw.decode("utf-8", "replace")}
                with arrived:
                    received.append(body)
                    arrived.notify_all()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *_: Any) -> None:  # quiet: the caller reports what matters
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Where to post."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{self.path}"

    def wait(self, count: int, timeout: float) -> list[dict[str, Any]]:
        """The bodies received once ``count`` arrived, or all received after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.bodies) < count and time.monotonic() < deadline:
                self._arrived.wait(max(0.0, deadline - time.monotonic()))
            return list(self.bodies)

    def __enter__(self) -> Receiver:
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
