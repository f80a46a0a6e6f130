"""Helpers for the client tests: a relay in front of the real server, and waiting."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from smokejumper.client import Client


@dataclass
class Answer:
    path: str
    key: str | None
    status: int
    body: Any


class Relay(httpx.BaseTransport):
    """Forwards to the real server over loopback; can hold requests back (``gate``), lose the
    server's reply after it stored the batch (``lose_replies``), and records every answer."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.gate = threading.Event()
        self.gate.set()
        self.lose_replies = 0
        self.answers: list[Answer] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not self.gate.wait(timeout=30):
            raise httpx.ConnectError("gate stayed closed", request=request)
        response = self.inner.handle_request(request)
        response.read()
        try:
            body = json.loads(response.content)
        except ValueError:
            body = None
        key = request.headers.get("idempotency-key")
        self.answers.append(Answer(request.url.path, key, response.status_code, body))
        if self.lose_replies:
            self.lose_replies -= 1
            response.close()
            raise httpx.ReadTimeout("the reply was lost", request=request)
        return response

    def close(self) -> None:
        self.inner.close()


def closed_port_url() -> str:
    """The address of a loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def fast_client(url: str, token: str, spool: Path, **options: Any) -> Client:
    """A client with short intervals and backoffs, for tests."""
    settings: dict[str, Any] = {
        "flush_interval": 0.02,
        "backoff": 0.01,
        "max_backoff": 0.05,
        "timeout": 5.0,
        "exit_timeout": 5.0,
    }
    settings.update(options)
    return Client(url, token, spool_dir=spool, **settings)


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll ``condition`` until true, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.01)
