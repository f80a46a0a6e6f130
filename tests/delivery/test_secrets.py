"""Secrets from files and environment variables, errors that name the setting and never the
value, redaction, and secrets scrubbed from what a receiver echoes."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from tests.delivery.support import Endpoint, drift_alert, notification

from smokejumper.delivery.registry import check, send
from smokejumper.delivery.secrets import redact, resolve
from smokejumper.errors import ReceiverSettingsError, SecretError

WHERE = "team.webhook_configs[0]"


def test_secret_from_file_is_read_and_stripped(tmp_path: Path) -> None:
    path = tmp_path / "hook"
    path.write_text("  https://hooks.example/abc \n")
    resolved = resolve("webhook_configs", {"url_file": str(path), "max_alerts": 3}, WHERE, {})
    assert resolved == {"url": "https://hooks.example/abc", "max_alerts": 3}


def test_env_references_are_expanded_in_values_and_paths(tmp_path: Path) -> None:
    (tmp_path / "key").write_text("K3Y")
    env = {"HOOK_HOST": "hooks.example", "HOOK_TOKEN": "t0k", "SECRETS": str(tmp_path)}
    resolved = resolve(
        "webhook_configs",
        {"url": "https://${HOOK_HOST}/x?t=${HOOK_TOKEN}", "secret_file": "${SECRETS}/key"},
        WHERE,
        env,
    )
    assert resolved == {"url": "https://hooks.example/x?t=t0k", "secret": "K3Y"}


def test_only_secret_settings_are_expanded() -> None:
    settings = {"url": "https://h/x", "title": "cost ${NOT_A_SECRET}"}
    assert resolve("webhook_configs", settings, WHERE, {})["title"] == "cost ${NOT_A_SECRET}"


def test_missing_env_names_the_setting_and_the_variable() -> None:
    with pytest.raises(SecretError) as err:
        resolve("slack_configs", {"api_url": "${SLACK_URL}"}, "team.slack_configs[0]", {})
    assert str(err.value) == (
        "team.slack_configs[0].api_url: environment variable SLACK_URL is not set; export it, "
        "or give api_url_file instead"
    )
    assert err.value.setting == "team.slack_configs[0].api_url"


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(SecretError, match=r"routing_key_file: cannot read .*/nope: no such file"):
        resolve("pagerduty_configs", {"routing_key_file": str(tmp_path / "nope")}, "p", {})
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(SecretError, match="is empty; it should hold the secret"):
        resolve("pagerduty_configs", {"routing_key_file": str(tmp_path / "empty")}, "p", {})
    with pytest.raises(SecretError, match="cannot read"):
        resolve("pagerduty_configs", {"routing_key_file": str(tmp_path)}, "p", {})  # a folder


def test_both_value_and_file_refused(tmp_path: Path) -> None:
    with pytest.raises(SecretError, match="give either secret or secret_file, not both"):
        resolve("webhook_configs", {"secret": "a", "secret_file": str(tmp_path)}, WHERE, {})


def test_errors_never_show_the_value(tmp_path: Path) -> None:
    value = "https://hooks.example/T0/B0/VERYSECRET"
    with pytest.raises(SecretError) as err:
        resolve("webhook_configs", {"url": value, "url_file": "/x"}, WHERE, {})
    assert "VERYSECRET" not in str(err.value)


def test_redact_hides_secrets_and_file_paths() -> None:
    settings = {
        "url": "https://hooks.example/abc",
        "secret": "s",
        "bearer_token_file": "/run/secrets/t",
        "max_alerts": 5,
        "tls_config": {"ca_file": "/etc/ca.pem", "insecure_skip_verify": False},
        "headers": [{"name": "x", "secret": "y"}],
    }
    assert redact(settings, "webhook_configs") == {
        "url": "<secret>",
        "secret": "<secret>",
        "bearer_token_file": "<secret>",
        "max_alerts": 5,
        "tls_config": {"ca_file": "<secret>", "insecure_skip_verify": False},
        "headers": [{"name": "x", "secret": "<secret>"}],
    }
    # Without a kind, every name secret in some kind is hidden; PagerDuty's url is not secret.
    assert redact({"routing_key": "k", "auth_password": "p", "to": "a@b"}) == {
        "routing_key": "<secret>",
        "auth_password": "<secret>",
        "to": "a@b",
    }
    assert redact({"url": "https://events.example"}, "pagerduty_configs") == {
        "url": "https://events.example"
    }


def test_secret_file_is_read_at_each_send(
    tmp_path: Path, endpoint: Endpoint, client: httpx.Client
) -> None:
    path = tmp_path / "hook"
    path.write_text(f"{endpoint.url}/first")
    settings = {"url_file": str(path)}
    assert send("webhook", settings, notification(drift_alert()), "", client=client).ok
    path.write_text(f"{endpoint.url}/rotated")
    assert send("webhook", settings, notification(drift_alert()), "", client=client).ok
    assert [r.path for r in endpoint.requests] == ["/first", "/rotated"]


def test_unreadable_secret_is_a_dead_outcome(client: httpx.Client) -> None:
    outcome = send(
        "webhook", {"url_file": "/nonexistent/x"}, notification(drift_alert()), "", client=client
    )
    assert outcome.status == "dead"
    assert outcome.error == "webhook_configs[0].url_file: cannot read /nonexistent/x: no such file"


def test_secret_echoed_by_a_receiver_is_scrubbed(
    endpoint: Endpoint, client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
    monkeypatch.setenv("SJ_TEST_PD_KEY", key)
    endpoint.reply(400, f'{{"message":"routing key {key} is not valid"}}')
    settings = {"routing_key": "${SJ_TEST_PD_KEY}", "url": f"{endpoint.url}/v2/enqueue"}
    outcome = send("pagerduty", settings, notification(drift_alert()), "", client=client)
    assert endpoint.requests[0].json()["routing_key"] == key
    assert outcome.status == "dead"
    assert key not in outcome.error
    assert "routing key <secret> is not valid" in outcome.error


def test_check_reports_what_is_missing() -> None:
    with pytest.raises(SecretError, match="environment variable NOPE_SJ is not set"):
        check("slack_configs", {"api_url": "${NOPE_SJ}"}, "team.slack_configs[0]")
    with pytest.raises(ReceiverSettingsError, match=r"team.email_configs\[0\].smarthost: missing"):
        check(
            "email_configs",
            {"to": "a@example.com", "from": "b@example.com"},
            "team.email_configs[0]",
        )
    with pytest.raises(ReceiverSettingsError, match="is not host:port"):
        check("email_configs", {"to": "a@x", "from": "b@x", "smarthost": "mx"}, "e")
    check("email_configs", {"to": ["a@x"], "from": "b@x", "smarthost": "mx:25"}, "e")
