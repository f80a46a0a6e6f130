"""The alerting package's curated public names."""

from __future__ import annotations

import smokejumper.alerting as alerting


def test_public_names_resolve_and_are_listed_in_order() -> None:
    assert all(getattr(alerting, name) is not None for name in alerting.__all__)
    assert alerting.__all__ == sorted(alerting.__all__, key=lambda n: (not n.isupper(), n))
    assert {"Alert", "AlertSet", "parse_config", "run_pass", "Silence"} <= set(alerting.__all__)
