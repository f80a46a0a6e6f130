"""Alerts indexed by label value, to find the ones a list of matchers selects without testing
every alert against every silence and inhibition rule.

For each label, the index keeps the alerts by value. A matcher that cannot match an absent
label (``model="churn"``, ``type=~"volume|rejected_batches"``) is tested once per distinct value
of its label, not once per alert: the alerts with a matching value form a set, and the sets of
all such matchers are intersected. The other matchers are tested on what is left alone.
Matchers that also match an absent label (``team!="ml"``, ``team=""``) select nothing on their
own, so a list made only of them scans every alert.

>>> from datetime import UTC, datetime
>>> from smokejumper.alerting.matchers import parse_matcher
>>> t = datetime(2026, 11, 1, tzinfo=UTC)
>>> alerts = [Alert({"model": m, "type": k}, {}, t) for m in ("a", "b") for k in ("volume", "x")]
>>> index = LabelIndex(alerts)
>>> [dict(a.labels) for a in index.select([parse_matcher("type=volume"),
...                                        parse_matcher('model!="a"')])]
[{'model': 'b', 'type': 'volume'}]
"""

from __future__ import annotations

from collections.abc import Sequence

from smokejumper.alerting.alert import Alert
from smokejumper.alerting.matchers import Matcher, matches_all


class LabelIndex:
    """An index of ``alerts`` by label name and value (see the module docstring)."""

    def __init__(self, alerts: Sequence[Alert]) -> None:
        self.alerts = list(alerts)
        self._by_label: dict[str, dict[str, list[int]]] = {}
        for i, alert in enumerate(self.alerts):
            for name, value in alert.labels.items():
                self._by_label.setdefault(name, {}).setdefault(value, []).append(i)

    def select(self, matchers: Sequence[Matcher]) -> list[Alert]:
        """The alerts every matcher matches, in the order they were indexed."""
        chosen: set[int] | None = None
        rest: list[Matcher] = []
        for m in matchers:
            if m.matches_value(""):
                rest.append(m)  # it matches alerts without the label too: not selective
                continue
            found: set[int] = set()
            for value, rows in self._by_label.get(m.name, {}).items():
                if m.matches_value(value):
                    found.update(rows)
            chosen = found if chosen is None else chosen & found
            if not chosen:
                return []
        if chosen is None:
            return [a for a in self.alerts if matches_all(rest, a.labels)]
        picked = (self.alerts[i] for i in sorted(chosen))
        return [a for a in picked if matches_all(rest, a.labels)] if rest else list(picked)
