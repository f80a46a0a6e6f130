"""Routing as ``amtool config routes test`` answers it: depth first, first match, continue."""

from __future__ import annotations

import pytest

from smokejumper.alerting import parse_config

TREE = parse_config(
    {
        "route": {
            "receiver": "default",
            "routes": [
                {
                    "receiver": "pager",
                    "matchers": ['severity="page"'],
                    "continue": True,
                    "routes": [
                        {"receiver": "fraud-pager", "matchers": ['model="fraud"']},
                        {"receiver": "never", "matchers": ['model="fraud"']},  # shadowed
                    ],
                },
                {"receiver": "data", "matchers": ['type=~"null_rate|out_of_range"']},
                {"receiver": "drift", "matchers": ['type=~".*drift"'], "continue": True},
                {"receiver": "ml", "matchers": ['team="ml"']},
                {"receiver": "catch-ml", "matchers": ['team="ml"']},  # after a stop: never
            ],
        },
        "receivers": [
            {"name": n}
            for n in ("default", "pager", "fraud-pager", "never", "data", "drift", "ml", "catch-ml")
        ],
    }
)


@pytest.mark.parametrize(
    ("labels", "receivers"),
    [
        ({"model": "churn"}, ["default"]),  # nothing below matches: the root takes it
        # a match that continues, with no later sibling matching, does not fall back to the root
        ({"severity": "page", "model": "churn"}, ["pager"]),
        ({"severity": "page", "model": "fraud"}, ["fraud-pager"]),
        ({"severity": "page", "type": "null_rate"}, ["pager", "data"]),
        ({"type": "feature_drift"}, ["drift"]),
        ({"type": "feature_drift", "team": "ml"}, ["drift", "ml"]),
        ({"type": "prediction_drift", "team": "ml", "severity": "page"}, ["pager", "drift", "ml"]),
        ({"type": "null_rate", "team": "ml"}, ["data"]),  # data does not continue
    ],
)
def test_receivers_for_labels(labels: dict[str, str], receivers: list[str]) -> None:
    assert TREE.receivers_for(labels) == receivers


def test_the_routes_taken_are_named_by_their_path() -> None:
    from smokejumper.alerting import match_routes

    taken = match_routes(TREE.route, {"severity": "page", "model": "fraud", "team": "ml"})
    assert [r.path for r in taken] == ["route.routes[0].routes[0]", "route.routes[3]"]
