"""A loopback stand-in of Slack's Web API (a real HTTP server on 127.0.0.1) that checks each
call's form against Slack's published method docs, and helpers to sign requests as Slack does.

Checked for every call: ``POST /api/<method>``, ``Authorization: Bearer <bot token>``,
``Content-Type: application/json; charset=utf-8`` and a JSON object body. Per method:

* ``conversations.create``: ``name`` (required string: lowercase letters, digits, ``-`` and
  ``_``, at most 80 characters, no spaces or periods), ``is_private`` (optional boolean).
* ``conversations.invite``: ``channel`` (required string, an existing channel), ``users``
  (required string: user ids separated by commas, at most 1000).
* ``chat.postMessage``: ``channel`` (required string) and ``text`` (string) and/or
  ``blocks`` (a list of at most 50 blocks, each with a ``type``; header text at most 150
  characters, section text at most 3000).

A call that breaks these is answered ``{"ok": false, "error": "invalid_arguments"}`` and kept
in :attr:`SlackStandIn.problems`, which tests assert empty. Answers follow Slack's: HTTP 200
with ``ok``, ``name_taken`` for a taken name, ``channel_not_found``, ``user_not_found``,
``already_in_channel``; queued :meth:`SlackStandIn.fail` answers stand for an outage.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "xoxb-1234-5678-standin"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
_NAME = re.compile(r"[a-z0-9_-]{1,80}")
_USER = re.compile(r"[UW][A-Z0-9]{2,20}")


@dataclass(frozen=True)
class Call:
    """A Web API call the stand-in took: its method, body and headers (lower-cased)."""

    method: str
    body: dict[str, Any]
    headers: dict[str, str]


class SlackStandIn:
    """Slack's Web API on loopback: ``url`` is the ``api_url`` to configure."""

    def __init__(self, users: set[str], taken: set[str] | None = None) -> None:
        self.users = set(users)
        self.taken = set(taken or ())
        self.calls: list[Call] = []
        self.problems: list[str] = []
        self.channels: dict[str, dict[str, Any]] = {}
        self.members: dict[str, set[str]] = {}
        self._failures: deque[tuple[str, int, dict[str, str], bytes]] = deque()
        self._lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, extra, body = stand_in._answer(self.path, headers, raw)
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/api"

    def fail(
        self, method: str, status: int, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> None:
        """Answer the next call of ``method`` with ``status`` (an outage, a rate limit)."""
        self._failures.append((method, status, headers or {}, body))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def of(self, method: str) -> list[Call]:
        """The calls of ``method`` taken (answered ok or not), in order."""
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def posts(self, channel: str) -> list[dict[str, Any]]:
        """The bodies of the messages posted to ``channel``."""
        return [c.body for c in self.of("chat.postMessage") if c.body.get("channel") == channel]

    # ------------------------------------------------------------------------ answering

    def _answer(
        self, path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        method = path.removeprefix("/api/")
        with self._lock:
            for i, (failing, status, extra, body) in enumerate(self._failures):
                if failing == method:
                    del self._failures[i]
                    self.calls.append(Call(f"{method} (refused {status})", {}, headers))
                    return status, extra, body
            problems = self._check_request(path, headers)
            try:
                doc = json.loads(raw)
            except ValueError:
                doc = None
            if not isinstance(doc, dict):
                problems.append(f"{method}: the body is not a JSON object: {raw[:100]!r}")
                doc = {}
            problems.extend(self._check_fields(method, doc))
            self.calls.append(Call(method, doc, headers))
            if problems:
                self.problems.extend(problems)
                return _ok_false("invalid_arguments")
            return 200, {}, json.dumps(self._do(method, doc)).encode()

    def _check_request(self, path: str, headers: dict[str, str]) -> list[str]:
        problems = []
        if not path.startswith("/api/"):
            problems.append(f"{path}: not under /api/")
        if headers.get("authorization") != f"Bearer {TOKEN}":
            problems.append(f"{path}: Authorization is {headers.get('authorization')!r}")
        if headers.get("content-type", "").replace(" ", "") != "application/json;charset=utf-8":
            problems.append(f"{path}: Content-Type is {headers.get('content-type')!r}")
        return problems

    def _check_fields(self, method: str, doc: dict[str, Any]) -> list[str]:
        problems: list[str] = []

        def need(name: str, kind: type) -> Any:
            value = doc.get(name)
            if not isinstance(value, kind):
                problems.append(f"{method}: {name} must be a {kind.__name__}, got {value!r}")
            return value

        if method == "conversations.create":
            name = need("name", str)
            if isinstance(name, str) and not _NAME.fullmatch(name):
                problems.append(f"{method}: {name!r} breaks Slack's channel name rules")
            if "is_private" in doc and not isinstance(doc["is_private"], bool):
                problems.append(f"{method}: is_private must be a boolean")
        elif method == "conversations.invite":
            need("channel", str)
            users = need("users", str)
            if isinstance(users, str):
                ids = users.split(",")
                if len(ids) > 1000 or not all(_USER.fullmatch(u) for u in ids):
                    problems.append(f"{method}: users {users!r} is not comma-separated user ids")
        elif method == "chat.postMessage":
            need("channel", str)
            if "text" not in doc and "blocks" not in doc:
                problems.append(f"{method}: needs text or blocks")
            if "text" in doc and not isinstance(doc["text"], str):
                problems.append(f"{method}: text must be a string")
            problems.extend(_check_blocks(doc.get("blocks", [])))
        else:
            problems.append(f"{method}: not a method Smokejumper should call")
        return problems

    def _do(self, method: str, doc: dict[str, Any]) -> dict[str, Any]:
        if method == "conversations.create":
            name = doc["name"]
            if name in self.taken:
                return {"ok": False, "error": "name_taken"}
            self.taken.add(name)
            channel = {
                "id": f"C{len(self.channels) + 1:08d}",
                "name": name,
                "is_private": doc.get("is_private", False),
                "created": int(time.time()),
            }
            self.channels[channel["id"]] = channel
            self.members[channel["id"]] = set()
            return {"ok": True, "channel": channel}
        if doc["channel"] not in self.channels:
            return {"ok": False, "error": "channel_not_found"}
        if method == "conversations.invite":
            ids = doc["users"].split(",")
            unknown = [u for u in ids if u not in self.users]
            if unknown:
                return {
                    "ok": False,
                    "error": "user_not_found",
                    "errors": [
                        {"user": u, "ok": False, "error": "user_not_found"} for u in unknown
                    ],
                }
            members = self.members[doc["channel"]]
            if set(ids) <= members:
                return {"ok": False, "error": "already_in_channel"}
            members.update(ids)
            return {"ok": True, "channel": self.channels[doc["channel"]]}
        return {"ok": True, "channel": doc["channel"], "ts": f"{time.time():.6f}"}


def _check_blocks(blocks: object) -> list[str]:
    if not isinstance(blocks, list):
        return [f"chat.postMessage: blocks must be a list, got {blocks!r}"]
    problems = [] if len(blocks) <= 50 else ["chat.postMessage: more than 50 blocks"]
    for block in blocks:
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            problems.append(f"chat.postMessage: a block without a type: {block!r}")
            continue
        text = block.get("text", {})
        limit = {"header": 150, "section": 3000}.get(block["type"])
        if limit and (not isinstance(text, dict) or len(text.get("text", "")) > limit):
            problems.append(f"chat.postMessage: a {block['type']} text is missing or too long")
    return problems


def _ok_false(error: str) -> tuple[int, dict[str, str], bytes]:
    return 200, {}, json.dumps({"ok": False, "error": error}).encode()


def signed_headers(
    body: bytes, at: float | None = None, secret: str = SIGNING_SECRET
) -> dict[str, str]:
    """The headers Slack signs ``body`` with (``v0``, HMAC-SHA256 of ``v0:<ts>:<body>``),
    computed here independently of Smokejumper's code."""
    ts = str(int(at if at is not None else time.time()))
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}
