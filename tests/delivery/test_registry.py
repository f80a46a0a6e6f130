"""From a receiver's configuration to its integrations, with Alertmanager's global defaults."""

from __future__ import annotations

import httpx
import pytest
from tests.delivery.support import Endpoint, check_block_kit, check_webhook_v4, drift_alert
from tests.delivery.support import notification as make_notification

from smokejumper.alerting import parse_config
from smokejumper.delivery.registry import check, integrations_for, send, with_globals
from smokejumper.errors import ReceiverSettingsError


def test_every_item_of_a_configured_receiver_sends(
    endpoint: Endpoint, client: httpx.Client
) -> None:
    config = parse_config(
        {
            "global": {"slack_api_url": f"{endpoint.url}/slack"},
            "route": {"receiver": "team"},
            "receivers": [
                {
                    "name": "team",
                    "webhook_configs": [{"url": f"{endpoint.url}/a"}, {"url": f"{endpoint.url}/b"}],
                    "slack_configs": [{"channel": "#ml"}],
                }
            ],
        }
    )
    found = integrations_for(
        config.receivers["team"],
        "https://sj",
        client=client,
        global_settings=config.global_settings,
    )
    assert [(kind, i) for kind, i, _ in found] == [
        ("slack_configs", 0),
        ("webhook_configs", 0),
        ("webhook_configs", 1),
    ]
    n = make_notification(drift_alert())
    outcomes = [integration.send(n) for _, _, integration in found]
    assert all(o.ok for o in outcomes), outcomes
    assert [r.path for r in endpoint.requests] == ["/slack", "/a", "/b"]
    check_block_kit(endpoint.requests[0].json())
    check_webhook_v4(endpoint.requests[1].json())


def test_receiver_without_integrations_has_none() -> None:
    config = parse_config({"route": {"receiver": "void"}, "receivers": [{"name": "void"}]})
    assert integrations_for(config.receivers["void"], "") == []


def test_item_settings_win_over_globals() -> None:
    globals_ = {"smtp_from": "g@x", "smtp_auth_password": "gpw", "smtp_require_tls": False}
    merged = with_globals("email_configs", {"from": "me@x", "auth_password_file": "/p"}, globals_)
    assert merged == {"from": "me@x", "auth_password_file": "/p", "require_tls": False}
    assert with_globals("webhook_configs", {"url": "u"}, globals_) == {"url": "u"}


def test_unknown_kind_is_dead() -> None:
    outcome = send("teams", {}, make_notification(drift_alert()), "")
    assert outcome.status == "dead"
    assert outcome.error.startswith("teams: unknown kind of integration; expected one of")


@pytest.mark.parametrize(
    ("kind", "settings", "message"),
    [
        ("slack", {}, "slack_configs[0].api_url: missing; give the incoming webhook's URL"),
        ("pagerduty", {}, "pagerduty_configs[0].routing_key: missing"),
        ("webhook", {"url": 5}, "webhook_configs[0].url: must be a string, got int"),
        ("webhook", {"url": "http://h", "timeout": "5 s"}, "webhook_configs[0].timeout: '5 s'"),
        ("alertmanager", {"url": ""}, "alertmanager_configs[0].url: missing"),
        ("email", {"to": "a@x", "from": "b@x", "smarthost": "h:99999"}, "is not host:port"),
    ],
)
def test_missing_or_bad_settings_are_dead(
    kind: str, settings: dict[str, object], message: str
) -> None:
    outcome = send(kind, settings, make_notification(drift_alert()), "")
    assert outcome.status == "dead"
    assert message in outcome.error


def test_settings_errors_name_the_receiver_item() -> None:
    config = parse_config(
        {"route": {"receiver": "team"}, "receivers": [{"name": "team", "slack_configs": [{}]}]}
    )
    [(_, _, slack)] = integrations_for(config.receivers["team"], "")
    outcome = slack.send(make_notification(drift_alert()))
    assert outcome.error.startswith("team.slack_configs[0].api_url: missing")
    with pytest.raises(ReceiverSettingsError):
        check("slack_configs", {}, "team.slack_configs[0]")
