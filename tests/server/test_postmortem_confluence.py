"""Publishing post-mortems to Confluence through the real API (SQLite and PostgreSQL), against a
loopback stand-in of Confluence's content REST API that checks every call's form: Basic auth,
JSON, a page in the configured space under its parent, the body in storage format (well-formed
XHTML), version numbers that go up by one. The page is created once and updated in place on
later saves; a page deleted there is made anew; an edit made there is overwritten with the next
version; Confluence down never loses a save."""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import uvicorn
from tests.server.support import client
from tests.support import RunningServer

from smokejumper.errors import ConfigFileError
from smokejumper.postmortems.confluence import ConfluenceSettings
from smokejumper.server.app import create_app
from smokejumper.service.config_file import parse_config_text
from smokejumper.settings import Settings

USER, TOKEN = "bot@acme.example", "api-token-1"
API = "/wiki/rest/api/content"


class Confluence:
    """Confluence's content API on loopback: pages in memory, each call's form checked (a
    malformed call gets 400 and is listed in ``errors``)."""

    def __init__(self) -> None:
        self.pages: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, str]] = []
        self.errors: list[str] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length)) if length else None
                status, answer = stand_in.handle(method, self.path, dict(self.headers), body)
                self._answer(status, answer)

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

            def do_PUT(self) -> None:
                self._handle("PUT")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/wiki"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _refuse(self, why: str) -> tuple[int, dict[str, Any]]:
        self.errors.append(why)
        return 400, {"statusCode": 400, "message": why}

    def _page(self, page: dict[str, Any]) -> dict[str, Any]:
        return {
            **page,
            "_links": {"base": self.url, "webui": f"/spaces/ML/pages/{page['id']}"},
        }

    def _check_page(self, body: Any) -> str | None:
        if not isinstance(body, dict) or body.get("type") != "page":
            return "type must be page"
        if not isinstance(body.get("title"), str) or not body["title"]:
            return "title is required"
        if body.get("space") != {"key": "ML"}:
            return f"space must be {{key: ML}}, got {body.get('space')}"
        storage = (body.get("body") or {}).get("storage") or {}
        if storage.get("representation") != "storage":
            return "body.storage.representation must be storage"
        try:
            ET.fromstring(f"<root>{storage.get('value')}</root>")
        except ET.ParseError as err:
            return f"body.storage.value is not well-formed XHTML: {err}"
        return None

    def handle(
        self, method: str, path: str, headers: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any]]:
        url = urlsplit(path)
        self.calls.append((method, url.path))
        expected = "Basic " + base64.b64encode(f"{USER}:{TOKEN}".encode()).decode()
        if headers.get("Authorization") != expected:
            return 401, {"message": "unauthorized"}
        if method != "GET" and "application/json" not in headers.get("Content-Type", ""):
            return self._refuse("Content-Type must be application/json")
        if method == "POST" and url.path == API:
            problem = self._check_page(body)
            if problem:
                return self._refuse(problem)
            if body.get("ancestors") != [{"id": "4242"}]:
                return self._refuse("a new page goes under the configured parent 4242")
            if any(p["title"] == body["title"] for p in self.pages.values()):
                return self._refuse("A page with this title already exists")
            page_id = str(1000 + len(self.calls))
            self.pages[page_id] = {
                "id": page_id,
                "type": "page",
                "title": body["title"],
                "version": {"number": 1},
                "body": body["body"],
            }
            return 200, self._page(self.pages[page_id])
        if method == "GET" and url.path == API:
            query = parse_qs(url.query)
            found = [p for p in self.pages.values() if p["title"] == query.get("title", [""])[0]]
            return 200, {"results": [self._page(p) for p in found], "size": len(found)}
        match = re.fullmatch(rf"{API}/(\d+)", url.path)
        if match is None or match.group(1) not in self.pages:
            return 404, {"statusCode": 404, "message": "No content found"}
        page = self.pages[match.group(1)]
        if method == "GET":
            return 200, self._page(page)
        if method == "PUT":
            problem = self._check_page(body)
            if problem:
                return self._refuse(problem)
            number = (body.get("version") or {}).get("number")
            if number != page["version"]["number"] + 1:
                current = page["version"]["number"]
                return 409, {
                    "message": f"Version must be incremented on update. Current: {current}"
                }
            page.update(title=body["title"], body=body["body"], version={"number": number})
            return 200, self._page(page)
        return 405, {"message": "method not allowed"}


@pytest.fixture
def confluence() -> Iterator[Confluence]:
    stand_in = Confluence()
    yield stand_in
    stand_in.close()


@pytest.fixture
def publishing(
    database_url: str, tmp_path: Path, confluence: Confluence
) -> Iterator[RunningServer]:
    settings = Settings(home=tmp_path / "home", database_url=database_url, evaluate_every=0)
    where = ConfluenceSettings.parse(
        {"url": confluence.url, "space": "ML", "user": USER, "token": TOKEN, "parent": 4242}
    )
    app = create_app(settings, confluence=where)
    uv = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    running = RunningServer(
        f"http://127.0.0.1:{uv.servers[0].sockets[0].getsockname()[1]}", settings, ""
    )
    running.admin = running.token("admin")
    yield running
    uv.should_exit = True
    thread.join(timeout=10)
    app.state.smokejumper.engine.dispose()


def test_a_post_mortem_page_is_created_once_and_updated_in_place(
    publishing: RunningServer, confluence: Confluence
) -> None:
    with client(publishing) as c:
        made = c.post("/api/v1/incidents", json={"title": "churn nulls", "by": "ana"}).json()
        sections = f"/api/v1/incidents/{made['id']}/postmortem/sections"
        first = c.put(
            f"{sections}/root_cause", json={"content": "A join <lost> rows & keys.", "by": "ana"}
        )
        published = first.json()["published"]
        assert published["version"] == 1, first.text
        page_id = published["page_id"]
        assert published["url"] == f"{confluence.url}/spaces/ML/pages/{page_id}"
        page = confluence.pages[page_id]
        assert page["title"] == f"Post-mortem {made['id']}: churn nulls"
        assert "A join &lt;lost&gt; rows &amp; keys." in page["body"]["storage"]["value"]

        second = c.put(f"{sections}/lessons", json={"content": "Gate outputs.", "by": "ben"}).json()
        assert second["published"]["page_id"] == page_id
        assert second["published"]["version"] == 2
        assert list(confluence.pages) == [page_id]  # updated in place, not a second page
        assert "Gate outputs." in confluence.pages[page_id]["body"]["storage"]["value"]

        # Someone edits the page in Confluence: our copy is the record and goes on top of it.
        confluence.pages[page_id]["version"] = {"number": 7}
        again = c.post(f"/api/v1/incidents/{made['id']}/postmortem/publish", json={"by": "ana"})
        assert again.json()["version"] == 8, again.text

        # The page was deleted there: it is made anew (a new id) and remembered.
        del confluence.pages[page_id]
        anew = c.post(
            f"/api/v1/incidents/{made['id']}/postmortem/publish", json={"by": "ana"}
        ).json()
        assert anew["page_id"] != page_id
        assert anew["version"] == 1
        assert confluence.errors == []  # every call so far had the published form

        # A page of that title already there (published before its id was kept): updated.
        other = c.post("/api/v1/incidents", json={"title": "p99 spike", "by": "ana"}).json()
        title = f"Post-mortem {other['id']}: p99 spike"
        confluence.pages["77"] = {
            "id": "77",
            "type": "page",
            "title": title,
            "version": {"number": 3},
        }
        taken = c.post(f"/api/v1/incidents/{other['id']}/postmortem/publish", json={"by": "ana"})
        assert (taken.json()["page_id"], taken.json()["version"]) == ("77", 4), taken.text
        assert confluence.errors == ["A page with this title already exists"]

        # Confluence down: the save stands, the answer says why the page is behind; an
        # explicit publish gets 502 with the reason.
        confluence.close()
        saved = c.put(f"{sections}/lucky", json={"content": "It was a Sunday.", "by": "ana"})
        assert saved.status_code == 200
        assert "cannot reach Confluence" in saved.json()["published"]["error"]
        history = c.get(f"{sections}/lucky/revisions").json()
        assert [r["content"] for r in history] == ["It was a Sunday."]
        refused = c.post(f"/api/v1/incidents/{made['id']}/postmortem/publish", json={"by": "ana"})
        assert refused.status_code == 502
        assert "cannot reach Confluence" in refused.json()["detail"]


def test_publishing_without_confluence_says_how_to_configure_it(server: RunningServer) -> None:
    with client(server) as c:
        made = c.post("/api/v1/incidents", json={"title": "x", "by": "ana"}).json()
        refused = c.post(f"/api/v1/incidents/{made['id']}/postmortem/publish", json={"by": "a"})
        assert refused.status_code == 422
        assert "integrations: confluence:" in refused.json()["detail"]


def test_the_config_file_takes_confluence_and_names_the_line_of_a_mistake(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = tmp_path / "confluence-token"
    token.write_text("from-a-file\n")
    loaded = parse_config_text(
        "integrations:\n"
        "  confluence:\n"
        "    url: https://acme.atlassian.net/wiki/\n"
        "    space: ML\n"
        "    parent: 4242\n"
        f"    token_file: {token}\n",
        "serve.yaml",
    )
    where = loaded.integrations.confluence
    assert where is not None
    assert (where.api, where.parent) == ("https://acme.atlassian.net/wiki/rest/api/content", "4242")
    assert where.authorization() == "Bearer from-a-file"
    cases = {
        "integrations:\n  confluence:\n    url: https://x\n    space: ML\n": (
            2,
            "integrations.confluence: token is required",
        ),
        "integrations:\n  confluence:\n    url: x\n    space: ML\n    token: t\n": (
            2,
            "url must start with https://",
        ),
        "integrations:\n  confluence:\n    url: https://x\n    space: ML\n"
        "    token: ${NO_SUCH_CONFLUENCE_TOKEN}\n": (5, "NO_SUCH_CONFLUENCE_TOKEN"),
    }
    monkeypatch.delenv("NO_SUCH_CONFLUENCE_TOKEN", raising=False)
    for text, (line, message) in cases.items():
        with pytest.raises(ConfigFileError) as caught:
            parse_config_text(text, "serve.yaml")
        assert caught.value.line == line, (text, str(caught.value))
        assert message in caught.value.reason, str(caught.value)
