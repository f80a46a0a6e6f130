"""The serve --config file read once: monitors, SLOs and alerting, each mistake with its line."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest
import yaml

from smokejumper.alerting import parse_config
from smokejumper.errors import ConfigFileError, SmokejumperError
from smokejumper.server import alerting_handover
from smokejumper.server.app import create_app
from smokejumper.service.config_file import KEYS, load_config_file, parse_config_text
from smokejumper.settings import Settings

DOCS = Path(__file__).resolve().parents[2] / "docs"

GOOD = """\
monitors:
  - name: churn-drift
    model: churn
    type: feature_drift
    max: 0
    severity: page
    for_windows: 2
    labels: {tier: gold}
  - {name: churn-volume, model: churn, type: volume, min: 100}
slos:
  - {name: churn-volume-slo, monitor: churn-volume, objective: 0.99}
route:
  receiver: ml-team
  group_by: [model]
  routes:
    - receiver: on-call
      matchers: ['severity="page"']
receivers:
  - name: ml-team
  - name: on-call
inhibit_rules:
  - source_matchers: ['severity="page"']
    target_matchers: ['severity="warning"']
    equal: [model]
"""


def _refused(text: str) -> ConfigFileError:
    with pytest.raises(ConfigFileError) as refused:
        parse_config_text(textwrap.dedent(text), "monitors.yaml")
    return refused.value


def _replace(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


def test_a_whole_file_gives_its_monitors_and_its_alerting() -> None:
    loaded = parse_config_text(GOOD, "monitors.yaml")
    assert [m.name for m in loaded.monitors.monitors] == ["churn-drift", "churn-volume"]
    assert loaded.monitors.monitors[0].labels == {"tier": "gold"}
    assert loaded.alerting is not None
    assert loaded.alerting.receivers_for({"severity": "page"}) == ["on-call"]
    assert len(loaded.alerting.inhibit_rules) == 2  # the file's and the shipped one
    assert loaded.alerting == parse_config(loaded.alerting_data)


def test_a_file_without_route_has_no_alerting() -> None:
    loaded = parse_config_text(GOOD.split("route:")[0])
    assert loaded.alerting is None
    assert loaded.alerting_data == {}
    assert len(loaded.monitors.monitors) == 2
    assert parse_config_text("").monitors.monitors == []
    assert parse_config_text("# nothing yet\n").alerting is None


@pytest.mark.parametrize(
    ("old", "new", "line", "reason"),
    [
        # the four: unknown receiver, bad matcher, a route without a receiver, 5 minutes
        (
            "    - receiver: on-call",
            "    - receiver: on-cal",
            16,
            "route.routes[0].receiver: receiver 'on-cal' is not defined under receivers "
            "(defined: ml-team, on-call)",
        ),
        (
            """['severity="page"']""",
            "['severity==page']",
            17,
            "route.routes[0].matchers[0]: 'severity==page' is not a matcher",
        ),
        (
            "  receiver: ml-team\n",
            "",
            12,
            "route: the root route must name a receiver",
        ),
        (
            "  group_by: [model]\n",
            "  group_by: [model]\n  group_wait: 5 minutes\n",
            15,
            "route.group_wait: '5 minutes' is not a duration",
        ),
        (
            "    equal: [model]",
            "    equal: [model]\n    equals: [team]",
            25,
            "inhibit_rules[0].equals: unknown key",
        ),
        (
            "  - name: on-call\n",
            "  - name: on-call\n  - name: ml-team\n",
            21,
            "receivers[2].name: receiver 'ml-team' is already defined at receivers[0]",
        ),
        (
            "    max: 0\n",
            "    max: lots\n",
            5,
            "monitors[0].max: Input should be a valid number",
        ),
        (
            "    for_windows: 2\n",
            "    for_windows: 0\n",
            7,
            "monitors[0].for_windows: Input should be greater than or equal to 1",
        ),
        (
            "    labels: {tier: gold}\n",
            "    labels: {model: gold}\n",
            8,
            "monitors[0].labels: label 'model' is set by Smokejumper",
        ),
        (
            "    type: feature_drift\n",
            "    type: feature_drfit\n",
            4,
            "monitors[0].type: Input tag 'feature_drfit' found using 'type' does not match",
        ),
        (
            "    severity: page\n",
            "    severity: page\n    sevrity: page\n",
            7,
            "monitors[0].sevrity: unknown key; known keys: columns, for_windows, labels, max,",
        ),
        (
            "    model: churn\n",
            "",
            2,
            "monitors[0].model: Field required",
        ),
        (
            "objective: 0.99}",
            "objective: 0.99, period: 7}",
            11,
            "slos[0].period: unknown key; known keys: monitor, name, objective, period_days",
        ),
        (
            "monitor: churn-volume,",
            "monitor: churn-volum,",
            11,
            "SLO 'churn-volume-slo' names unknown monitor 'churn-volum' (declared: churn-drift, "
            "churn-volume)",
        ),
        (
            "{name: churn-volume, model",
            "{name: churn-drift, model",
            9,
            "monitor name 'churn-drift' is used twice (monitors[0] and monitors[1])",
        ),
    ],
)
def test_each_mistake_is_refused_with_its_line_and_reason(
    old: str, new: str, line: int, reason: str
) -> None:
    err = _refused(_replace(old, new))
    assert err.line == line, str(err)
    assert reason in err.reason
    assert str(err).startswith(f"monitors.yaml:{line}: ")


def test_every_monitor_mistake_is_listed_with_its_line() -> None:
    err = _refused(
        """\
        monitors:
          - {name: a, model: churn, type: volume, min: x}
          - {name: b, model: churn, type: vibes}
          - name: c
            model: churn
            type: latency
            quantile: 2
        """
    )
    assert [line for line, _ in err.problems] == [2, 3, 7]
    assert str(err).splitlines()[2].startswith("monitors.yaml:7: monitors[2].quantile: ")


def test_top_level_keys_other_than_the_known_ones_are_refused() -> None:
    err = _refused("monitors: []\nmonitor: []\ntemplates: [a.tmpl]\n")
    assert err.problems == (
        (2, f"monitor: unknown top-level key; known keys: {', '.join(sorted(KEYS))}"),
        (3, "templates: notification templates are not supported; receivers format their messages"),
    )


def test_receivers_without_a_route_are_not_silently_ignored() -> None:
    err = _refused("monitors: []\nreceivers:\n  - name: team\n")
    assert (err.line, err.reason) == (2, "route: missing; an alerting configuration needs route")


def test_a_key_written_twice_is_refused_rather_than_losing_the_first() -> None:
    err = _refused(GOOD + "route:\n  receiver: on-call\n")
    assert err.line == 25
    assert err.reason.startswith("key 'route' appears twice in this mapping (first on line 12)")
    nested = _refused("route:\n  receiver: a\n  receiver: b\nreceivers: [{name: a}, {name: b}]\n")
    assert nested.line == 3


def test_anchors_aliases_and_merge_keys_work_and_keep_their_lines() -> None:
    text = """\
        defaults: &page
          receiver: on-call
          group_wait: 10s
        """
    assert _refused(text).reason.startswith("defaults: unknown top-level key")
    loaded = parse_config_text(
        textwrap.dedent(
            """\
            route:
              receiver: team
              routes:
                - &paged {receiver: on-call, matchers: ['severity="page"']}
                - <<: *paged
                  matchers: ['severity="critical"']
            receivers: [{name: team}, {name: on-call}]
            """
        )
    )
    assert loaded.alerting is not None
    assert loaded.alerting.receivers_for({"severity": "critical"}) == ["on-call"]
    err = _refused(
        """\
        route:
          receiver: team
          routes:
            - &paged {receiver: on-call, matchers: ['severity=~"("']}
            - *paged
        receivers: [{name: team}, {name: on-call}]
        """
    )
    assert (err.line, err.reason.split(":")[0]) == (4, "route.routes[0].matchers[0]")


def test_yaml_that_does_not_parse_says_where() -> None:
    err = _refused("monitors:\n  - {name: a\nroute: x\n")
    assert err.line == 3
    assert err.reason.startswith("not valid YAML: while parsing a flow mapping (from line 2)")
    assert _refused("a: b\n---\nc: d\n").reason.startswith("not valid YAML")
    assert _refused("key: !!python/object:os.system x\n").line == 1


def test_a_file_that_is_not_a_mapping() -> None:
    err = _refused("- monitors\n- route\n")
    assert (err.line, err.reason) == (
        1,
        "the file must be a mapping with keys such as monitors, slos, route and receivers; "
        "it holds a list",
    )


def test_reading_the_file(tmp_path: Path) -> None:
    path = tmp_path / "monitors.yaml"
    path.write_text(GOOD)
    assert load_config_file(path).file == str(path)
    with pytest.raises(ConfigFileError, match="the configuration file does not exist"):
        load_config_file(tmp_path / "missing.yaml")
    with pytest.raises(ConfigFileError, match="is a directory, not a file"):
        load_config_file(tmp_path)
    path.write_bytes(b"monitors: [\xff]\n")
    with pytest.raises(ConfigFileError, match="cannot be read") as refused:
        load_config_file(path)
    assert isinstance(refused.value, SmokejumperError)


def test_the_documented_examples_load(tmp_path: Path) -> None:
    page = (DOCS / "alerting.md").read_text()
    [example] = [b.split("```")[0] for b in page.split("```yaml\n") if b.startswith("route:")]
    service = (DOCS / "service.md").read_text()
    monitors = service.split("## Monitors (YAML reference)\n\n```yaml\n", 1)[1].split("```")[0]
    path = tmp_path / "monitors.yaml"
    path.write_text(monitors + example)
    loaded = load_config_file(path)
    assert loaded.alerting is not None
    assert len(loaded.monitors.monitors) >= 5
    assert loaded.alerting.receivers_for({"severity": "page"}) == ["on-call"]
    [alert_fields] = [
        b.split("```")[0] for b in page.split("```yaml\n") if b.startswith("monitors:")
    ]
    [drift] = parse_config_text(alert_fields).monitors.monitors
    assert (drift.severity, drift.for_windows, drift.labels) == ("page", 3, {"tier": "gold"})


def test_workers_get_the_same_alerting_configuration() -> None:
    loaded = parse_config_text(GOOD + "global: {smtp_hello: 2026-11-01}\n")
    try:
        alerting_handover.to_environment(loaded.alerting_data)
        held = json.loads(os.environ[alerting_handover.ALERTING_ENV])
        assert held["global"] == {"smtp_hello": "2026-11-01"}  # a YAML date goes as its text
        again, before = alerting_handover.from_environment(), loaded.alerting
        assert again is not None
        assert before is not None
        assert (again.route, again.receivers, again.inhibit_rules) == (
            before.route,
            before.receivers,
            before.inhibit_rules,
        )
        alerting_handover.to_environment({})
        assert alerting_handover.ALERTING_ENV not in os.environ
        assert alerting_handover.from_environment() is None
    finally:
        os.environ.pop(alerting_handover.ALERTING_ENV, None)


def test_the_app_keeps_the_alerting_configuration(tmp_path: Path) -> None:
    loaded = parse_config_text(GOOD)
    settings = Settings(home=tmp_path, evaluate_every=0)
    app = create_app(settings, config=loaded.monitors, alerting=loaded.alerting)
    try:
        assert app.state.smokejumper.alerting_config is loaded.alerting
        assert len(app.state.smokejumper.pending.config.monitors) == 2  # churn not registered
    finally:
        app.state.smokejumper.close()
    plain = create_app(settings)
    try:
        assert plain.state.smokejumper.alerting_config is None
    finally:
        plain.state.smokejumper.close()


def test_the_yaml_of_the_file_is_what_yaml_reads() -> None:
    assert parse_config_text(GOOD).alerting_data == {
        k: v for k, v in yaml.safe_load(GOOD).items() if k not in ("monitors", "slos")
    }


def test_updates_go_to_defined_receivers() -> None:
    loaded = parse_config_text(GOOD + "incidents:\n  updates_to: [on-call, ml-team]\n")
    assert loaded.incidents is not None
    assert loaded.incidents.updates_to == ("on-call", "ml-team")
    err = _refused(
        GOOD + "incidents:\n  join_window: 1h\n  updates_to:\n    - on-call\n    - sre\n"
    )
    assert err.line == 29, str(err)  # the line of "- sre"
    assert err.reason == (
        "incidents.updates_to[1]: receiver 'sre' is not defined under receivers "
        "(defined: ml-team, on-call)"
    )
    alone = _refused("incidents:\n  updates_to: [ml-team]\n")
    assert alone.line == 2
    assert "the file has no receivers" in alone.reason
    empty = _refused(GOOD + "incidents:\n  updates_to: ['']\n")
    assert "incidents.updates_to[0]: expected a non-empty string, got an empty string" in str(empty)
