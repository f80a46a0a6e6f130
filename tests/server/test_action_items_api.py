"""Post-mortem action items through a real ``smokejumper serve`` (SQLite and PostgreSQL): added
to an incident, listed and changed with their history on the timeline, an overdue one reminded
of once through a Slack receiver (a loopback stand-in, delivered by the server's own outbox
loop), exported as the CSV Jira's importer reads, and filed in GitHub and Jira stand-ins that
check the published request formats; bad input gets a clear 4xx."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from tests.delivery.support import Endpoint
from tests.server.tracker_standins import GitHub, Jira

from smokejumper.harness import ServerHarness

GH_TOKEN, JIRA_TOKEN = "ghp_standin_token", "jira-api-token"
TODAY = datetime.now(UTC).date()


@dataclass
class Setup:
    server: ServerHarness
    http: httpx.Client
    hooks: Endpoint
    github: GitHub
    jira: Jira


CONFIG = """
route:
  receiver: team
  group_wait: 0s
receivers:
  - name: team
    webhook_configs: [{{url: "{hooks}/team-hook"}}]
  - name: owners
    slack_configs: [{{api_url: "{hooks}/slack", channel: "#actions"}}]
actions:
  reminders:
    to: [owners]
    every: 1d
  labels: [review-2026]
  assignees: {{ML platform: jdoe}}
  github:
    url: {github}
    repository: acme/ml-incidents
    token: ${{SJ_TEST_GITHUB_TOKEN}}
    assignees: {{ML platform: [octocat]}}
  jira:
    url: {jira}
    project: MLOPS
    user: bot@acme.example
    token_file: {jira_token}
"""


@pytest.fixture
def setup(database_url: str, tmp_path: Path) -> Iterator[Setup]:
    hooks = Endpoint()
    github = GitHub("acme/ml-incidents", GH_TOKEN)
    jira = Jira("MLOPS", "bot@acme.example", JIRA_TOKEN)
    token_file = tmp_path / "jira-token"
    token_file.write_text(JIRA_TOKEN + "\n")
    config = tmp_path / "smokejumper.yaml"
    config.write_text(
        CONFIG.format(hooks=hooks.url, github=github.url, jira=jira.url, jira_token=token_file)
    )
    env = {
        "SMOKEJUMPER_EVALUATE_EVERY": "0",
        "SMOKEJUMPER_DELIVER_EVERY": "0.2",
        "SJ_TEST_GITHUB_TOKEN": GH_TOKEN,
    }
    harness = ServerHarness(
        tmp_path / "home", database_url=database_url, args=["--config", str(config)], env=env
    )
    try:
        with harness as server:
            headers = {"Authorization": f"Bearer {server.token}"}
            with httpx.Client(base_url=server.url, headers=headers, timeout=30) as http:
                yield Setup(server, http, hooks, github, jira)
    finally:
        for stand_in in (hooks, github, jira):
            stand_in.close()


def _incident(http: httpx.Client) -> str:
    made = http.post(
        "/api/v1/incidents",
        json={"title": "churn scores flat", "severity": "SEV2", "models": ["churn"], "by": "ana"},
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def _wait_for(hooks: Endpoint, count: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while len(hooks.requests) < count:
        assert time.monotonic() < deadline, f"{len(hooks.requests)} of {count} requests came"
        time.sleep(0.05)


def test_action_items_from_adding_to_reminders_export_and_trackers(setup: Setup) -> None:
    http = setup.http
    iid = _incident(http)
    late = {
        "type": "prevent",
        "description": "Validate the features job's output schema before publishing",
        "owner": "ML platform",
        "due": (TODAY - timedelta(days=3)).isoformat(),
        "link": "https://wiki.example/postmortems/churn",
        "by": "ana",
    }
    made = http.post(f"/api/v1/incidents/{iid}/actions", json=late)
    assert made.status_code == 201, made.text
    overdue = made.json()
    assert (overdue["id"], overdue["status"], overdue["overdue"], overdue["days_late"]) == (
        "ACT-1",
        "open",
        True,
        3,
    )
    later = {**late, "type": "detect", "description": "Alert on null rates of tenure"}
    later |= {"owner": "Data engineering", "due": (TODAY + timedelta(days=10)).isoformat()}
    del later["link"]
    second = http.post(f"/api/v1/incidents/{iid}/actions", json=later).json()
    assert (second["id"], second["overdue"], second["link"]) == ("ACT-2", False, None)

    listed = http.get(f"/api/v1/incidents/{iid}/actions").json()
    assert [i["id"] for i in listed] == ["ACT-1", "ACT-2"]  # by due date
    across = http.get("/api/v1/actions", params={"overdue": "true"}).json()
    assert [(i["id"], i["incident_title"], i["severity"]) for i in across] == [
        ("ACT-1", "churn scores flat", "SEV2")
    ]

    # a change is recorded on the incident's timeline, and in the item's history
    moved = http.patch("/api/v1/actions/ACT-2", json={"status": "in_progress", "by": "bo"})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["status"], moved.json()["updated_by"]) == ("in_progress", "bo")
    shown = http.get("/api/v1/actions/ACT-2").json()
    assert [h["details"]["change"] for h in shown["history"]] == ["created", "updated"]
    assert shown["history"][1]["details"]["fields"] == {
        "status": {"from": "open", "to": "in_progress"}
    }
    kinds = [e["kind"] for e in http.get(f"/api/v1/incidents/{iid}/timeline").json()]
    assert kinds.count("action_item") == 3

    # the overdue item is reminded of once, through the Slack receiver of reminders.to
    assert http.post("/api/v1/evaluate").status_code == 200
    _wait_for(setup.hooks, 1)
    (reminder,) = setup.hooks.requests
    assert reminder.path == "/slack"
    slack = reminder.json()
    assert slack["channel"] == "#actions"
    assert (
        slack["blocks"][0]["text"]["text"] == f"[SEV2] {iid}: action item ACT-1 is 3 days overdue"
    )
    sections = [b["text"]["text"] for b in slack["blocks"] if b["type"] == "section"]
    assert (
        sections[0] == "*Action item*\nValidate the features job's output schema before publishing"
    )
    assert "*Owner*\nML platform" in sections
    assert http.post("/api/v1/evaluate").status_code == 200  # a second pass: nothing more
    time.sleep(1.0)  # five delivery rounds
    assert len(setup.hooks.requests) == 1
    assert http.get("/api/v1/actions/ACT-1").json()["reminders"] == 1

    # CSV for Jira's importer
    exported = http.get("/api/v1/actions", params={"format": "csv"})
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(exported.text)))
    header = rows[0]
    assert header[:6] == [
        "Summary",
        "Issue Type",
        "Description",
        "Priority",
        "Assignee",
        "Due Date",
    ]
    assert set(header[6:]) == {"Labels"}
    by_summary = {
        r[0]: dict(zip(header[:6], r[:6], strict=True)) | {"Labels": r[6:]} for r in rows[1:]
    }
    first = by_summary["Validate the features job's output schema before publishing"]
    assert (first["Issue Type"], first["Priority"], first["Assignee"]) == ("Task", "High", "jdoe")
    assert first["Due Date"] == late["due"]  # yyyy-MM-dd
    datetime.strptime(first["Due Date"], "%Y-%m-%d")
    assert f"Incident: {iid} (churn scores flat)" in first["Description"]
    assert "Link: https://wiki.example/postmortems/churn" in first["Description"]
    labels = [x for x in first["Labels"] if x]
    assert labels == ["postmortem", iid, "action-prevent", "owner-ml-platform", "review-2026"]
    assert all(" " not in x for x in labels)
    assert by_summary["Alert on null rates of tenure"]["Assignee"] == ""
    as_json = http.get("/api/v1/actions", params={"format": "json", "status": "in_progress"})
    assert [i["id"] for i in as_json.json()] == ["ACT-2"]

    # filed in GitHub, then Jira; the key and URL stay on the item
    filed = http.post("/api/v1/actions/ACT-1/tracker", json={"tracker": "github", "by": "ana"})
    assert filed.status_code == 201, filed.text
    assert (filed.json()["tracker_key"], filed.json()["tracker_url"]) == (
        "acme/ml-incidents#1",
        "https://github.com/acme/ml-incidents/issues/1",
    )
    (issue,) = setup.github.created
    assert issue["title"] == late["description"]
    assert [label["name"] for label in issue["labels"]][:3] == ["postmortem", iid, "action-prevent"]
    assert [a["login"] for a in issue["assignees"]] == ["octocat"]
    again = http.post("/api/v1/actions/ACT-1/tracker", json={"tracker": "jira", "by": "ana"})
    assert again.status_code == 409
    assert "already filed in github as acme/ml-incidents#1" in again.json()["detail"]

    setup.jira.fail_next.append(
        (400, {"errorMessages": [], "errors": {"duedate": "Due date is required by MLOPS"}})
    )
    refused = http.post("/api/v1/actions/ACT-2/tracker", json={"tracker": "jira", "by": "bo"})
    assert refused.status_code == 502
    assert (
        "Jira refused to create the issue (400): duedate: Due date is required by MLOPS"
        in (refused.json()["detail"])
    )
    assert http.get("/api/v1/actions/ACT-2").json()["tracker_key"] is None  # nothing lost
    filed = http.post("/api/v1/actions/ACT-2/tracker", json={"tracker": "jira", "by": "bo"})
    assert filed.status_code == 201, filed.text
    assert filed.json()["tracker_key"] == "MLOPS-1"
    assert filed.json()["tracker_url"] == f"{setup.jira.url}/browse/MLOPS-1"
    (created,) = setup.jira.created
    fields = created["fields"]
    assert (fields["project"], fields["issuetype"]) == ({"key": "MLOPS"}, {"name": "Task"})
    assert fields["duedate"] == later["due"]
    assert fields["summary"] == "Alert on null rates of tenure"
    history = http.get("/api/v1/actions/ACT-2").json()["history"]
    assert history[-1]["details"]["change"] == "tracked"
    assert history[-1]["details"]["key"] == "MLOPS-1"


def test_bad_input_is_refused_with_the_field_named(setup: Setup) -> None:
    http = setup.http
    iid = _incident(http)
    good = {"type": "process", "description": "Review", "owner": "SRE", "due": "2026-12-01"}
    good["by"] = "ana"

    def refused(path: str, body: dict[str, object], status: int, *words: str) -> None:
        answer = (
            http.post(path, json=body) if path.endswith("actions") else http.patch(path, json=body)
        )
        assert answer.status_code == status, answer.text
        text = str(answer.json()["detail"])
        for word in words:
            assert word in text, text

    url = f"/api/v1/incidents/{iid}/actions"
    refused(
        url, {**good, "type": "fix"}, 422, "type", "'fix'", "mitigate, prevent, detect, process"
    )
    refused(url, {**good, "due": "2026-13-01"}, 422, "due", "YYYY-MM-DD")
    refused(url, {**good, "due": "01/12/2026"}, 422, "due", "YYYY-MM-DD")
    refused(url, {**good, "link": "wiki page"}, 422, "link", "http")
    refused(url, {**good, "owner": "  "}, 422, "owner")
    refused("/api/v1/incidents/INC-99/actions", good, 404, "INC-99")
    assert http.post(url, json=good).status_code == 201
    refused("/api/v1/actions/ACT-1", {"status": "wont_do", "by": "bo"}, 422, "reason")
    refused("/api/v1/actions/ACT-1", {"status": "closed", "by": "bo"}, 422, "status", "wont_do")
    refused("/api/v1/actions/ACT-1", {"priority": "high", "by": "bo"}, 422, "priority")
    refused("/api/v1/actions/ACT-1", {"status": None, "by": "bo"}, 422, "status")
    refused("/api/v1/actions/ACT-7", {"status": "done", "by": "bo"}, 404, "ACT-7")
    dropped = {"status": "wont_do", "reason": "the job is retired next month", "by": "bo"}
    assert http.patch("/api/v1/actions/ACT-1", json=dropped).json()["status"] == "wont_do"
    assert http.get("/api/v1/actions/ACT-7").status_code == 404
    assert http.get("/api/v1/actions", params={"format": "xml"}).status_code == 422
    assert http.get("/api/v1/actions", params={"status": "late"}).status_code == 422
    assert http.get("/api/v1/actions", params={"incident": "INC-99"}).status_code == 404
    tracker = http.post("/api/v1/actions/ACT-1/tracker", json={"tracker": "trello", "by": "a"})
    assert tracker.status_code == 422
    assert "github, jira" in tracker.json()["detail"]
