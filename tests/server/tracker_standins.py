"""Loopback stand-ins for GitHub's and Jira's create-issue REST calls. Each is a real HTTP
server that checks a request against the published format (path, headers, authentication,
required fields and their types) and answers as the service does: the published success shape
(GitHub: 201 with ``number``, ``html_url``...; Jira: 201 with ``id``, ``key``, ``self``), or
the published error shape (GitHub: ``{"message", "errors"}``; Jira: ``{"errorMessages",
"errors"}``) with the status the service gives. ``fail_next`` queues an answer of its own.

Formats: https://docs.github.com/en/rest/issues/issues#create-an-issue and
https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issues/#api-rest-api-2-issue-post
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.delivery.support import Received

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
GITHUB_KEYS = {"title", "body", "assignee", "milestone", "labels", "assignees", "type"}


class StandIn:
    """A loopback server answering POSTs through :meth:`answer` (see the module docstring)."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.created: list[dict[str, Any]] = []
        self.fail_next: deque[tuple[int, dict[str, Any]]] = deque()
        self._lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                received = Received("POST", self.path, headers, body)
                with stand_in._lock:
                    stand_in.requests.append(received)
                    if stand_in.fail_next:
                        status, doc = stand_in.fail_next.popleft()
                    else:
                        status, doc = stand_in.answer(received)
                data = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def answer(self, received: Received) -> tuple[int, dict[str, Any]]:
        raise NotImplementedError

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def _json_body(received: Received) -> Any:
    if not received.headers.get("content-type", "").startswith("application/json"):
        return None
    try:
        return json.loads(received.body)
    except ValueError:
        return None


class GitHub(StandIn):
    """``POST /repos/{owner}/{repo}/issues`` of GitHub's REST API."""

    def __init__(self, repository: str, token: str) -> None:
        self.repository = repository
        self.token = token
        super().__init__()

    def answer(self, received: Received) -> tuple[int, dict[str, Any]]:
        docs = "https://docs.github.com/rest/issues/issues#create-an-issue"
        if received.path != f"/repos/{self.repository}/issues":
            return 404, {"message": "Not Found", "documentation_url": docs}
        if received.headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"message": "Bad credentials", "documentation_url": docs}
        if received.headers.get("accept") != "application/vnd.github+json":
            return 415, {"message": "Unsupported 'Accept' header", "documentation_url": docs}
        if received.headers.get("x-github-api-version") != "2022-11-28":
            return 400, {"message": "Invalid API version", "documentation_url": docs}
        body = _json_body(received)
        if not isinstance(body, dict):
            return 400, {"message": "Problems parsing JSON", "documentation_url": docs}
        errors = []
        for key in sorted(set(body) - GITHUB_KEYS):
            errors.append({"resource": "Issue", "code": "invalid", "field": key})
        if not isinstance(body.get("title"), str) or not body["title"]:
            errors.append({"resource": "Issue", "code": "missing_field", "field": "title"})
        if "body" in body and not isinstance(body["body"], str):
            errors.append({"resource": "Issue", "code": "invalid", "field": "body"})
        for key in ("labels", "assignees"):
            value = body.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors.append({"resource": "Issue", "code": "invalid", "field": key})
        if errors:
            return 422, {
                "message": "Validation Failed",
                "errors": errors,
                "documentation_url": docs,
            }
        number = len(self.created) + 1
        api = f"{self.url}/repos/{self.repository}/issues/{number}"
        issue = {
            "id": 1000 + number,
            "node_id": f"I_kwDO{number}",
            "url": api,
            "repository_url": f"{self.url}/repos/{self.repository}",
            "html_url": f"https://github.com/{self.repository}/issues/{number}",
            "number": number,
            "state": "open",
            "title": body["title"],
            "body": body.get("body"),
            "labels": [{"name": name} for name in body.get("labels", [])],
            "assignees": [{"login": login} for login in body.get("assignees", [])],
        }
        self.created.append(issue)
        return 201, issue


class Jira(StandIn):
    """``POST /rest/api/2/issue`` of Jira's REST API (basic auth with an API token, as Jira
    Cloud takes it)."""

    ISSUE_TYPES = ("Task", "Bug", "Story")

    def __init__(self, project: str, user: str, token: str) -> None:
        self.project = project
        self.auth = "Basic " + base64.b64encode(f"{user}:{token}".encode()).decode()
        super().__init__()

    def answer(self, received: Received) -> tuple[int, dict[str, Any]]:
        if received.path != "/rest/api/2/issue":
            return 404, {"errorMessages": ["null for uri"], "errors": {}}
        if received.headers.get("authorization") != self.auth:
            return 401, {"errorMessages": ["You are not authenticated."], "errors": {}}
        body = _json_body(received)
        if not isinstance(body, dict) or not isinstance(body.get("fields"), dict):
            return 400, {
                "errorMessages": ["Can not deserialize the request: no fields"],
                "errors": {},
            }
        fields = body["fields"]
        errors: dict[str, str] = {}
        project = fields.get("project")
        if not isinstance(project, dict) or project.get("key") != self.project:
            errors["project"] = "project is required"
        summary = fields.get("summary")
        if not isinstance(summary, str) or not summary.strip():
            errors["summary"] = "You must specify a summary of the issue."
        elif len(summary) > 255 or "\n" in summary:
            errors["summary"] = "Summary must be less than 255 characters, on one line."
        issuetype = fields.get("issuetype")
        if not isinstance(issuetype, dict) or issuetype.get("name") not in self.ISSUE_TYPES:
            errors["issuetype"] = "valid issue type is required"
        if "description" in fields and not isinstance(fields["description"], str):
            errors["description"] = "Operation value must be a string"
        due = fields.get("duedate")
        if due is not None and (not isinstance(due, str) or not _DATE.fullmatch(due)):
            errors["duedate"] = "Error parsing date string: " + str(due)
        labels = fields.get("labels", [])
        if not isinstance(labels, list) or not all(isinstance(v, str) for v in labels):
            errors["labels"] = "Operation value must be an array of strings"
        elif any(" " in v for v in labels):
            errors["labels"] = "The label contains spaces which is invalid."
        if errors:
            return 400, {"errorMessages": [], "errors": errors}
        n = len(self.created) + 1
        issue_id = str(10000 + n)
        created = {
            "id": issue_id,
            "key": f"{self.project}-{n}",
            "self": f"{self.url}/rest/api/2/issue/{issue_id}",
        }
        self.created.append({**created, "fields": fields})
        return 201, created
