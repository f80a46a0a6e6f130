"""The change log through a real server: recording changes (idempotent by id), listing them
filtered, and ``smokejumper change record`` as a CI step runs it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.server.support import client
from tests.support import RunningServer
from typer.testing import CliRunner

from smokejumper.cli.app import app

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def change(**fields: object) -> dict[str, object]:
    body: dict[str, object] = {
        "time": T0.isoformat(),
        "kind": "deploy",
        "model": "churn",
        "summary": "churn v7 to production",
    }
    body.update(fields)
    return body


def test_changes_are_recorded_once_per_id_and_listed_newest_first(server: RunningServer) -> None:
    with client(server, server.token("ingest")) as ci:
        first = ci.post(
            "/api/v1/changes",
            json=change(
                id="deploy-4711",
                link="https://ci.example.com/runs/4711",
                details={"version": "7", "image": "registry/churn:7"},
            ),
        )
        assert first.status_code == 201, first.text
        again = ci.post(
            "/api/v1/changes",
            json=change(
                id="deploy-4711",
                link="https://ci.example.com/runs/4711",
                details={"image": "registry/churn:7", "version": "7"},
            ),
        )
        assert again.status_code == 200  # the retry of a CI step: recorded once
        assert again.json() == first.json()
        other = ci.post("/api/v1/changes", json=change(id="deploy-4711", summary="v8"))
        assert other.status_code == 409
        assert "deploy-4711" in other.json()["detail"]
        later = [
            change(
                kind="config",
                service="feature-api",
                model=None,
                summary="timeout 2s",
                time=(T0 + timedelta(hours=1)).isoformat(),
            ),
            change(
                kind="flag", summary="new ranking on", time=(T0 + timedelta(hours=2)).isoformat()
            ),
            change(
                kind="data",
                model="fraud",
                summary="backfill",
                time="2026-11-20T12:30:00+02:00",
            ),
        ]
        for body in later:
            assert ci.post("/api/v1/changes", json=body).status_code == 201

    with client(server, server.token("read")) as c:
        every = c.get("/api/v1/changes").json()
        churn = c.get("/api/v1/changes", params={"model": "churn"}).json()
        window = c.get(
            "/api/v1/changes",
            params={
                "since": (T0 + timedelta(minutes=30)).isoformat(),
                "until": (T0 + timedelta(hours=2)).isoformat(),
            },
        ).json()
        flags = c.get("/api/v1/changes", params={"kind": "flag"}).json()

    assert [c["summary"] for c in every] == [
        "new ranking on",
        "backfill",
        "timeout 2s",
        "churn v7 to production",
    ]  # newest first: the backfill at 12:30+02:00 is 10:30 UTC
    assert every[1]["time"] == "2026-11-20T10:30:00+00:00"
    assert [c["summary"] for c in churn] == ["new ranking on", "churn v7 to production"]
    assert churn[1]["details"] == {"image": "registry/churn:7", "version": "7"}
    assert churn[1]["id"] == "deploy-4711"
    assert churn[1]["source"] == "api"
    assert [c["summary"] for c in window] == ["backfill", "timeout 2s"]
    assert [c["kind"] for c in flags] == ["flag"]


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"kind": "release"}, "kind"),
        ({"model": None}, "model"),
        ({"link": "ci.example.com/4711"}, "link"),
        ({"time": "2026-11-20T09:00:00"}, "time"),
        ({"time": "0001-01-01T00:00:00+01:00"}, "time"),
        ({"summary": "   "}, "summary"),
    ],
)
def test_bad_changes_are_refused_naming_the_field(
    server: RunningServer, fields: dict[str, object], named: str
) -> None:
    with client(server, server.token("ingest")) as ci:
        r = ci.post("/api/v1/changes", json=change(**fields))
        assert r.status_code == 422, r.text
        assert named in str(r.json()["detail"])
        assert (
            ci.get(
                "/api/v1/changes", headers={"Authorization": f"Bearer {server.token('read')}"}
            ).json()
            == []
        )


def test_who_may_record_and_read(server: RunningServer) -> None:
    for scope, status in (("ingest", 201), ("write", 201), ("read", 403)):
        with client(server, server.token(scope)) as c:
            assert c.post("/api/v1/changes", json=change()).status_code == status
    with client(server, server.token("ingest")) as c:
        assert c.get("/api/v1/changes").status_code == 403


def test_the_cli_records_a_change_as_a_ci_step(server: RunningServer) -> None:
    env = {"SMOKEJUMPER_URL": server.url, "SMOKEJUMPER_TOKEN": server.token("ingest")}
    args = [
        "change",
        "record",
        "--kind",
        "deploy",
        "--model",
        "churn",
        "--summary",
        "churn v7 to production",
        "--link",
        "https://ci.example.com/runs/4711",
        "--at",
        "2026-11-20T09:00:00Z",
        "--detail",
        "version=7",
        "--detail",
        "query=a=b",
        "--id",
        "ci-4711",
    ]
    runner = CliRunner()
    done = runner.invoke(app, args, env=env)
    assert done.exit_code == 0, done.output
    assert "Recorded deploy change ci-4711 of churn" in done.stdout
    assert runner.invoke(app, args, env=env).exit_code == 0  # a retried step: once

    read = {"SMOKEJUMPER_URL": server.url, "SMOKEJUMPER_TOKEN": server.token("read")}
    listed = runner.invoke(
        app, ["change", "list", "--model", "churn", "--format", "json"], env=read
    )
    assert listed.exit_code == 0, listed.output
    import json

    (stored,) = json.loads(listed.stdout)
    assert stored["details"] == {"version": "7", "query": "a=b"}
    assert stored["time"] == "2026-11-20T09:00:00+00:00"
    assert stored["link"] == "https://ci.example.com/runs/4711"

    bad = runner.invoke(
        app,
        ["change", "record", "--kind", "release", "--model", "churn", "--summary", "x"],
        env=env,
    )
    assert bad.exit_code != 0
    assert "kind" in str(bad.exception) or "kind" in bad.output
