"""Filing action items in GitHub and Jira when things go wrong, on a real store: the tracker
cannot be reached, refuses, or its token is missing; each is a clear error and the item is
left as it was, so sending the request again files it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker
from tests.server.tracker_standins import GitHub

from smokejumper.errors import SecretError, TrackerError
from smokejumper.postmortems.action_config import ActionsConfig, parse_actions_config
from smokejumper.service.incidents.actions import declare
from smokejumper.service.postmortems.actions import add_item, file_in_tracker, show_item
from smokejumper.service.setup import open_store

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine, made = open_store(database_url)
    iid = declare(made, "churn flat", "SEV2", T0, actor="ana")["id"]
    fields = {
        "type": "detect",
        "description": "Alert on nulls",
        "owner": "SRE",
        "due": "2026-11-20",
    }
    add_item(made, iid, fields, T0, "ana")
    yield made
    engine.dispose()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _github(url: str, token: str = "t0ken") -> ActionsConfig:
    return parse_actions_config(
        {"github": {"url": url, "repository": "acme/ml-incidents", "token": token}}
    )


def test_errors_leave_the_item_as_it_was_and_a_retry_files_it(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    nowhere = _github(f"http://127.0.0.1:{_closed_port()}")
    with pytest.raises(
        TrackerError, match=r"GitHub at http://127\.0\.0\.1:\d+ could not be reached"
    ):
        file_in_tracker(sessions, "ACT-1", "github", nowhere, T0, "ana")

    github = GitHub("acme/ml-incidents", "t0ken")
    try:
        wrong = _github(github.url, "expired")
        with pytest.raises(TrackerError) as caught:
            file_in_tracker(sessions, "ACT-1", "github", wrong, T0, "ana")
        assert "GitHub refused to create the issue (401): Bad credentials" in str(caught.value)
        assert "expired" not in str(caught.value)
        github.fail_next.append(
            (
                422,
                {
                    "message": "Validation Failed",
                    "errors": [{"code": "invalid", "field": "labels"}],
                },
            )
        )
        with pytest.raises(TrackerError, match=r"\(422\): Validation Failed; "):
            file_in_tracker(sessions, "ACT-1", "github", _github(github.url), T0, "ana")
        monkeypatch.delenv("SJ_NO_SUCH_TOKEN", raising=False)
        unset = _github(github.url, "${SJ_NO_SUCH_TOKEN}")
        with pytest.raises(SecretError, match=r"actions\.github\.token: environment variable"):
            file_in_tracker(sessions, "ACT-1", "github", unset, T0, "ana")
        shown = show_item(sessions, "ACT-1", T0)
        assert shown["tracker_key"] is None
        assert [h["details"]["change"] for h in shown["history"]] == ["created"]

        filed = file_in_tracker(sessions, "ACT-1", "github", _github(github.url), T0, "ana")
        assert filed["tracker_key"] == "acme/ml-incidents#1"
        assert len(github.created) == 1
    finally:
        github.close()
