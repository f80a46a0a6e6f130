"""The configuration in Alertmanager's syntax: defaults, inheritance, and errors with paths."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from smokejumper.alerting import DEFAULT_INHIBIT_RULES, parse_config
from smokejumper.errors import AlertingConfigError

EXAMPLE: dict[str, Any] = {
    "global": {"smtp_smarthost": "localhost:25"},
    "route": {
        "receiver": "team",
        "group_by": ["model", "severity"],
        "routes": [
            {
                "receiver": "pager",
                "matchers": ['severity="page"'],
                "group_wait": "10s",
                "escalate_after": "30m",
                "escalate_to": ["lead", "head"],
                "routes": [{"matchers": ["model=~fraud.*"], "group_by": ["..."]}],
            },
            {"receiver": "lead", "matchers": ['team="data"'], "continue": True},
        ],
    },
    "receivers": [
        {"name": "team", "slack_configs": [{"api_url": "https://hooks/x", "channel": "#ml"}]},
        {"name": "pager", "pagerduty_configs": [{"routing_key": "k" * 32}]},
        {"name": "lead", "email_configs": [{"to": "lead@example.com"}]},
        {"name": "head", "webhook_configs": [{"url": "http://h", "send_resolved": False}]},
    ],
    "inhibit_rules": [
        {
            "source_matchers": ['severity="page"'],
            "target_matchers": ['severity="warning"'],
            "equal": ["model"],
        }
    ],
}


def test_defaults_and_inheritance() -> None:
    config = parse_config(EXAMPLE)
    root = config.route
    assert (root.group_wait, root.group_interval, root.repeat_interval) == (
        timedelta(seconds=30),
        timedelta(minutes=5),
        timedelta(hours=4),
    )
    pager = root.routes[0]
    assert pager.path == "route.routes[0]"
    assert pager.group_by == ("model", "severity")  # inherited
    assert pager.group_wait == timedelta(seconds=10)
    assert pager.escalate_after == timedelta(minutes=30)
    assert pager.escalate_to == ("lead", "head")
    fraud = pager.routes[0]
    assert fraud.receiver == "pager"  # inherited
    assert fraud.group_by is None  # ['...']: every label
    assert fraud.group_wait == timedelta(seconds=10)  # from its parent, not the default
    assert fraud.escalate_to == ("lead", "head")
    assert [r.path for r in config.routes()] == [
        "route",
        "route.routes[0]",
        "route.routes[0].routes[0]",
        "route.routes[1]",
    ]
    assert config.receivers["team"].integrations["slack_configs"][0]["channel"] == "#ml"
    assert not config.receivers["head"].send_resolved
    assert config.global_settings == {"smtp_smarthost": "localhost:25"}


def test_shipped_inhibition_is_on_by_default_and_switchable_off() -> None:
    on = parse_config(EXAMPLE)
    assert on.inhibit_rules[-1:] == DEFAULT_INHIBIT_RULES
    assert on.inhibit_rules[0].name == "inhibit_rules[0]"
    off = parse_config({**EXAMPLE, "default_inhibit_rules": False})
    assert [r.name for r in off.inhibit_rules] == ["inhibit_rules[0]"]


def with_route(route: dict[str, Any]) -> dict[str, Any]:
    return {**EXAMPLE, "route": route}


@pytest.mark.parametrize(
    ("document", "path", "fragment"),
    [
        ({"receivers": []}, "route", "missing"),
        ({"route": {"receiver": "team"}}, "receivers", "missing"),
        ({**EXAMPLE, "templates": []}, "templates", "not supported"),
        ({**EXAMPLE, "extra": 1}, "extra", "unknown key"),
        ({**EXAMPLE, "default_inhibit_rules": "no"}, "default_inhibit_rules", "true or false"),
        (with_route({"group_by": ["model"]}), "route", "must name a receiver"),
        (with_route({"receiver": "nobody"}), "route.receiver", "'nobody' is not defined"),
        (
            with_route({"receiver": "team", "matchers": ["a=b"]}),
            "route.matchers",
            "root route takes every alert",
        ),
        (
            with_route({"receiver": "team", "routes": [{"receiver": "ghost"}]}),
            "route.routes[0].receiver",
            "receiver 'ghost' is not defined under receivers (defined: head, lead, pager, team)",
        ),
        (
            with_route({"receiver": "team", "routes": [{}, {"matchers": ["severity 'page'"]}]}),
            "route.routes[1].matchers[0]",
            "is not a matcher",
        ),
        (
            with_route({"receiver": "team", "routes": [{"matchers": ["a=b"], "match": {}}]}),
            "route.routes[0].match",
            "write matchers",
        ),
        (
            with_route({"receiver": "team", "group_interval": "5 minutes"}),
            "route.group_interval",
            "'5 minutes' is not a duration",
        ),
        (
            with_route({"receiver": "team", "repeat_interval": "0s"}),
            "route.repeat_interval",
            "longer than 0",
        ),
        (
            with_route({"receiver": "team", "group_by": ["model", "..."]}),
            "route.group_by",
            "cannot be mixed",
        ),
        (
            with_route({"receiver": "team", "group_by": ["bad-label"]}),
            "route.group_by[0]",
            "not a label name",
        ),
        (
            with_route({"receiver": "team", "routes": [{"continue": "yes"}]}),
            "route.routes[0].continue",
            "true or false",
        ),
        (with_route({"receiver": "team", "escalate_after": "1h"}), "route", "escalate_to"),
        (
            with_route({"receiver": "team", "escalate_after": "1h", "escalate_to": ["x"]}),
            "route.escalate_to[0]",
            "'x' is not defined",
        ),
        (
            with_route({"receiver": "team", "escalate_after": "1h", "escalate_to": "team"}),
            "route.escalate_to",
            "already in this chain",
        ),
        (
            with_route(
                {
                    "receiver": "team",
                    "escalate_after": "1h",
                    "escalate_to": "lead",
                    "routes": [{"receiver": "lead"}],
                }
            ),
            "route.routes[0].receiver",
            "in the escalation chain this route inherits",
        ),
        (
            with_route({"receiver": "team", "escalate_after": "0", "escalate_to": "lead"}),
            "route.escalate_after",
            "longer than 0",
        ),
        (
            {**EXAMPLE, "receivers": [*EXAMPLE["receivers"], {"name": "team"}]},
            "receivers[4].name",
            "already defined at receivers[0]",
        ),
        ({**EXAMPLE, "receivers": [{"slack_configs": []}]}, "receivers[0]", "needs a name"),
        (
            {**EXAMPLE, "receivers": [{"name": "team", "opsgenie_configs": []}]},
            "receivers[0].opsgenie_configs",
            "unknown integration",
        ),
        (
            {**EXAMPLE, "receivers": [{"name": "team", "webhook_configs": [{"send_resolved": 1}]}]},
            "receivers[0].webhook_configs[0].send_resolved",
            "true or false",
        ),
        (
            {**EXAMPLE, "inhibit_rules": [{"source_matchers": ["a=b"]}]},
            "inhibit_rules[0].target_matchers",
            "at least one matcher",
        ),
        (
            {**EXAMPLE, "inhibit_rules": [{"source_match": {"a": "b"}}]},
            "inhibit_rules[0].source_match",
            "write source_matchers",
        ),
        (
            {
                **EXAMPLE,
                "inhibit_rules": [
                    {"source_matchers": ["a=b"], "target_matchers": ["c=~("]},
                ],
            },
            "inhibit_rules[0].target_matchers[0]",
            "invalid regular expression",
        ),
        ({**EXAMPLE, "inhibit_rules": {"a": 1}}, "inhibit_rules", "expected a list"),
        ("route: x", "(top level)", "expected a mapping"),
    ],
)
def test_errors_name_the_path_and_the_reason(document: Any, path: str, fragment: str) -> None:
    with pytest.raises(AlertingConfigError) as caught:
        parse_config(document)
    assert caught.value.path == path
    assert fragment in caught.value.reason
    assert str(caught.value).startswith(f"{path}: ")
