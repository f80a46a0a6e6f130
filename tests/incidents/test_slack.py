"""The pure Slack side of incidents: channel names by Slack's rules, request signatures
(checked against the example in Slack's docs), the ``/smokejumper`` command, SBAR from one
line, responders by discipline and the ``incidents: slack:`` settings."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from smokejumper.alerting import parse_matcher
from smokejumper.errors import IncidentConfigError, IncidentError, SlackSignatureError
from smokejumper.incidents import (
    Discipline,
    assemble_responders,
    channel_name,
    parse_command,
    parse_incidents_config,
    parse_sbar,
    parse_slack_config,
    slack_ids,
    verify_signature,
)
from smokejumper.incidents.slack import MAX_NAME, event_line
from smokejumper.incidents.slash import signature
from smokejumper.monitoring.schema import Discipline as SchemaDiscipline
from smokejumper.monitoring.schema import ModelSchema

# The example of https://api.slack.com/authentication/verifying-requests-from-slack
SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SLACK_TS = "1531420618"
SLACK_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id="
    b"G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-"
    b"collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F39770"
    b"0885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10"
    b"d2c447fce8b6703c"
)
SLACK_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
SLACK_NOW = datetime.fromtimestamp(int(SLACK_TS), UTC)
SLACK_NAME = re.compile(r"[a-z0-9_-]{1,80}")


def test_the_signature_is_the_one_slacks_docs_give() -> None:
    assert signature(SLACK_SECRET, SLACK_TS, SLACK_BODY) == SLACK_SIGNATURE
    verify_signature(SLACK_SECRET, SLACK_TS, SLACK_BODY, SLACK_SIGNATURE, SLACK_NOW)


@pytest.mark.parametrize(
    ("secret", "ts", "body", "given", "says"),
    [
        ("wrong", SLACK_TS, SLACK_BODY, SLACK_SIGNATURE, "does not match"),
        (SLACK_SECRET, SLACK_TS, SLACK_BODY + b"&x=1", SLACK_SIGNATURE, "does not match"),
        (SLACK_SECRET, None, SLACK_BODY, SLACK_SIGNATURE, "lacks X-Slack-Request-Timestamp"),
        (SLACK_SECRET, SLACK_TS, SLACK_BODY, None, "lacks"),
        (SLACK_SECRET, "yesterday", SLACK_BODY, SLACK_SIGNATURE, "not a Unix time"),
        (SLACK_SECRET, str(int(SLACK_TS) - 301), SLACK_BODY, SLACK_SIGNATURE, "301 s from now"),
    ],
)
def test_a_bad_signature_is_refused_saying_why(
    secret: str, ts: str | None, body: bytes, given: str | None, says: str
) -> None:
    with pytest.raises(SlackSignatureError, match=says):
        verify_signature(secret, ts, body, given, SLACK_NOW)


def test_a_request_within_five_minutes_passes() -> None:
    late = str(int(SLACK_TS) + 299)
    verify_signature("s", late, b"x", signature("s", late, b"x"), SLACK_NOW)


@given(st.text(max_size=300), st.integers(min_value=1, max_value=10**9), st.integers(1, 9))
def test_channel_names_keep_slacks_rules(title: str, number: int, attempt: int) -> None:
    name = channel_name(f"INC-{number}", title, "inc", attempt)
    assert SLACK_NAME.fullmatch(name), name
    assert len(name) <= MAX_NAME
    assert name.startswith(f"inc-{number}")
    assert name.endswith(f"-{attempt}") or attempt == 1


def test_channel_names_read_like_the_incident() -> None:
    assert channel_name("INC-12", "Churn drifts.") == "inc-12-churn-drifts"
    assert channel_name("INC-3", "   ", prefix="sev") == "sev-3"
    assert channel_name("INC-3", "Scores v2.1 flat", attempt=3) == "inc-3-scores-v2-1-flat-3"


def test_commands_parse_with_and_without_an_incident() -> None:
    assert parse_command("") == parse_command("help")
    assert parse_command("ACK").action == "ack"
    assert parse_command("ack inc-4").incident_id == "INC-4"
    assert parse_command("status Mitigated").argument == "mitigated"
    assert parse_command("resolve INC-9").incident_id == "INC-9"
    with pytest.raises(IncidentError, match="status needs the new status"):
        parse_command("status INC-2")
    with pytest.raises(IncidentError, match="unknown incident status 'later'"):
        parse_command("status later")
    with pytest.raises(IncidentError, match="update needs its four parts"):
        parse_command("update")


def test_a_status_update_from_one_line() -> None:
    update = parse_sbar("flat | job at 02:10 | schema change | roll back")
    assert update.to_dict() == {
        "situation": "flat",
        "background": "job at 02:10",
        "assessment": "schema change",
        "recommendation": "roll back",
    }
    labelled = "recommendation: roll back situation: flat background: b assessment: a"
    assert parse_sbar(labelled).recommendation == "roll back"
    assert parse_sbar("Situation: flat | b | a | r").situation == "flat"
    with pytest.raises(IncidentError, match="got 3 parts"):
        parse_sbar("a | b | | d")


def test_responders_are_grouped_by_discipline_each_person_once() -> None:
    owners = {
        "churn": [
            {"name": "dee", "slack": "U04DEE", "discipline": "product"},
            {"name": "ana", "slack": "U01ANA", "discipline": "ml_engineer"},
            {"email": "cy@example.com", "discipline": "data_engineer"},
        ],
        "upsell": [
            {"name": "Ana S.", "slack": "U01ANA", "discipline": "ml_engineer"},
            {"email": "CY@example.com", "discipline": "data_engineer"},
        ],
    }
    found = assemble_responders(owners)
    assert [(r.discipline, r.label, r.models) for r in found] == [
        (Discipline.ML_ENGINEER, "ana", ("churn", "upsell")),
        (Discipline.DATA_ENGINEER, "cy@example.com", ("churn", "upsell")),
        (Discipline.PRODUCT, "dee", ("churn",)),
    ]
    assert slack_ids(found) == ("U01ANA", "U04DEE")
    with pytest.raises(IncidentError, match="'sre' is not a discipline"):
        assemble_responders({"churn": [{"name": "x", "discipline": "sre"}]})


def test_the_schema_and_the_incidents_agree_on_the_disciplines() -> None:
    assert list(get_args(SchemaDiscipline)) == [d.value for d in Discipline]
    schema = ModelSchema.model_validate(
        {
            "features": [{"name": "age"}],
            "owners": [{"slack": "U01ANA", "discipline": "ml_engineer"}],
        }
    )
    assert schema.owners[0].slack == "U01ANA"
    assert ModelSchema.model_validate({"features": [{"name": "age"}]}).owners == []
    for bad, says in (
        ({"slack": "ana", "discipline": "product"}, "should match pattern"),
        ({"name": "x", "discipline": "qa"}, "Input should be 'ml_engineer'"),
    ):
        with pytest.raises(ValidationError, match=says):
            ModelSchema.model_validate({"features": [{"name": "age"}], "owners": [bad]})


def test_the_slack_settings_are_checked_naming_the_path() -> None:
    config = parse_incidents_config(
        {
            "slack": {
                "bot_token": "${SLACK_BOT}",
                "signing_secret_file": "/run/s",
                "private": True,
                "channel_prefix": "ml-inc",
                "api_url": "http://127.0.0.1:9/api/",
            }
        },
        parse_matcher,
    )
    assert config.slack is not None
    assert config.slack.secrets == {"bot_token": "${SLACK_BOT}", "signing_secret_file": "/run/s"}
    assert (config.slack.api_url, config.slack.prefix, config.slack.private) == (
        "http://127.0.0.1:9/api",
        "ml-inc",
        True,
    )
    assert parse_incidents_config({}, parse_matcher).slack is None
    assert not parse_slack_config({"bot_token": "x"}).signed
    for bad, path in [
        ({"bot_token": "x", "bot_token_file": "/f"}, "incidents.slack.bot_token"),
        ({"bot_token": "x", "invite": ["ana"]}, "incidents.slack.invite[0]"),
        ({"bot_token": "x", "channel_prefix": "Inc!"}, "incidents.slack.channel_prefix"),
        ({"bot_token": "x", "private": "yes"}, "incidents.slack.private"),
        ({"bot_token": "x", "api_url": "slack.com"}, "incidents.slack.api_url"),
        ({"bot_token": "x", "channel": "#inc"}, "incidents.slack.channel"),
    ]:
        with pytest.raises(IncidentConfigError) as err:
            parse_incidents_config({"slack": bad}, parse_matcher)
        assert err.value.path == path


def test_the_channel_hears_of_status_severity_and_roles_in_words() -> None:
    base = {"incident_id": "INC-2", "actor": "<ana>"}
    assert event_line({**base, "kind": "acknowledged", "details": {}}) == (
        "&lt;ana&gt; acknowledged INC-2"
    )
    assert event_line(
        {**base, "kind": "severity_changed", "details": {"from": "SEV3", "to": "SEV1"}}
    ) == ("&lt;ana&gt; changed the severity of INC-2 from SEV3 to *SEV1*")
    assert event_line(
        {**base, "kind": "role_assigned", "details": {"role": "commander", "person": None}}
    ) == ("&lt;ana&gt; made nobody the commander of INC-2")


def test_a_mistake_in_the_slack_settings_is_reported_with_its_line() -> None:
    from smokejumper.errors import ConfigFileError
    from smokejumper.service.config_file import parse_config_text

    text = "incidents:\n  slack:\n    bot_token: ${SLACK_BOT}\n    invite: [U01ANA, ana]\n"
    with pytest.raises(ConfigFileError) as err:
        parse_config_text(text, "sj.yaml")
    assert str(err.value).startswith("sj.yaml:4: incidents.slack.invite[1]: 'ana' is not a")
    loaded = parse_config_text(text.replace(", ana", ""), "sj.yaml")
    assert loaded.incidents is not None
    assert loaded.incidents.slack is not None
    assert loaded.incidents.slack.invite == ("U01ANA",)
