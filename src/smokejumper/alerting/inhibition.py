"""Inhibition: a firing alert mutes others that are its symptoms.

A rule has ``source_matchers``, ``target_matchers`` and ``equal`` (label names), as in
Alertmanager: a firing alert that matches the target matchers is inhibited while some *other*
firing alert matches the source matchers and has the same values for the ``equal`` labels (an
absent label counts as ``""``, so two alerts without it agree). An alert that matches both sides
is never inhibited by an alert that also matches both sides, so such alerts cannot mute each
other (Alertmanager's rule). Silenced or inhibited sources still inhibit. Resolved alerts are
neither sources nor targets.

Shipped default (no peer has it): :data:`PIPELINE_BROKE` — a ``rejected_batches`` or ``volume``
alert of a model inhibits that model's drift and data-quality alerts (``feature_drift``,
``prediction_drift``, ``null_rate``, ``out_of_range``, ``unseen_categories``). When the pipeline
broke, the drift is its symptom; the page should say the pipeline broke. Turn it off with
``default_inhibit_rules: false`` in the configuration.

>>> from datetime import UTC, datetime
>>> t = datetime(2026, 11, 1, tzinfo=UTC)
>>> volume = Alert({"model": "churn", "type": "volume"}, {}, t)
>>> drift = Alert({"model": "churn", "type": "feature_drift"}, {}, t)
>>> other = Alert({"model": "fraud", "type": "feature_drift"}, {}, t)
>>> muted = inhibit([volume, drift, other], [PIPELINE_BROKE])
>>> muted == {drift.fingerprint: volume.fingerprint}
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from smokejumper.alerting.alert import Alert
from smokejumper.alerting.document import mapping, only_keys, sequence, texts
from smokejumper.alerting.index import LabelIndex
from smokejumper.alerting.matchers import LABEL_NAME, Matcher, matches_all, parse_matcher
from smokejumper.errors import AlertingConfigError

_HINTS = {
    f"{side}_{old}": f"'{side}_{old}' is Alertmanager's old form; write {side}_matchers"
    for side in ("source", "target")
    for old in ("match", "match_re")
}


@dataclass(frozen=True)
class InhibitRule:
    """Firing alerts matching ``source_matchers`` mute those matching ``target_matchers`` that
    agree with them on the ``equal`` labels. ``name`` says where the rule comes from."""

    source_matchers: tuple[Matcher, ...]
    target_matchers: tuple[Matcher, ...]
    equal: tuple[str, ...] = ()
    name: str = ""


PIPELINE_BROKE = InhibitRule(
    source_matchers=(Matcher("type", "=~", "rejected_batches|volume"),),
    target_matchers=(
        Matcher(
            "type",
            "=~",
            "feature_drift|prediction_drift|null_rate|out_of_range|unseen_categories",
        ),
    ),
    equal=("model",),
    name="default: a model's broken pipeline (rejected batches, volume) mutes its drift and "
    "data-quality alerts",
)

#: The rules shipped on by default (``default_inhibit_rules: false`` turns them off).
DEFAULT_INHIBIT_RULES = (PIPELINE_BROKE,)


def parse_inhibit_rules(data: object, path: str = "inhibit_rules") -> tuple[InhibitRule, ...]:
    """The inhibition rules of ``data`` (a list)."""
    rules = []
    for i, item in enumerate(sequence(data, path)):
        here = f"{path}[{i}]"
        doc = mapping(item, here)
        only_keys(doc, {"source_matchers", "target_matchers", "equal"}, here, _HINTS)
        sides = []
        for side in ("source_matchers", "target_matchers"):
            raw = sequence(doc.get(side, []), f"{here}.{side}")
            if not raw:
                raise AlertingConfigError(
                    f"{here}.{side}", "needs at least one matcher (an empty list matches all)"
                )
            sides.append(tuple(parse_matcher(m, f"{here}.{side}[{j}]") for j, m in enumerate(raw)))
        equal = texts(doc.get("equal", []), f"{here}.equal")
        for j, name in enumerate(equal):
            if not LABEL_NAME.fullmatch(name):
                raise AlertingConfigError(f"{here}.equal[{j}]", f"{name!r} is not a label name")
        rules.append(InhibitRule(sides[0], sides[1], tuple(equal), here))
    return tuple(rules)


def inhibit(alerts: Iterable[Alert], rules: Sequence[InhibitRule]) -> dict[str, str]:
    """The inhibited firing alerts: fingerprint -> the fingerprint of one alert muting it."""
    index = LabelIndex([a for a in alerts if a.firing])
    muted: dict[str, str] = {}
    for rule in rules:
        anywhere: dict[tuple[str, ...], str] = {}
        one_sided: dict[tuple[str, ...], str] = {}
        for source in index.select(rule.source_matchers):
            key = tuple(source.labels.get(name, "") for name in rule.equal)
            anywhere.setdefault(key, source.fingerprint)
            if not matches_all(rule.target_matchers, source.labels):
                one_sided.setdefault(key, source.fingerprint)
        if not anywhere:
            continue
        for target in index.select(rule.target_matchers):
            if target.fingerprint in muted:
                continue
            key = tuple(target.labels.get(name, "") for name in rule.equal)
            both = matches_all(rule.source_matchers, target.labels)
            by = (one_sided if both else anywhere).get(key)
            if by is not None and by != target.fingerprint:
                muted[target.fingerprint] = by
    return muted
