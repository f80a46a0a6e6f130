"""Label matchers in Alertmanager's syntax: ``severity="page"``, ``model=~"churn|fraud"``.

A matcher is ``<label name><operator><value>``; the value may be double-quoted (with ``\\"``,
``\\\\`` and ``\\n`` escapes) or bare (no quotes, commas or braces). Operators:

==== ===================================================================
``=``  the label's value equals the value
``!=`` it does not
``=~`` it matches the regular expression, anchored at both ends
``!~`` it does not
==== ===================================================================

A label the alert lacks has the value ``""``, so ``team=""`` matches alerts without a team and
``team!="ml"`` matches them too (Alertmanager's rule). Regular expressions are Python's ``re``,
which agrees with Prometheus' RE2 on the usual patterns (alternation, classes, repetition).

>>> m = parse_matcher('model=~"churn|fraud"')
>>> m.matches({"model": "churn"}), m.matches({"model": "churn-v2"}), str(m)
(True, False, 'model=~"churn|fraud"')
>>> parse_matcher("severity == page", "route.routes[1].matchers[0]")
Traceback (most recent call last):
...
smokejumper.errors.AlertingConfigError: route.routes[1].matchers[0]: 'severity == page' is \
not a matcher: the value may not start with '=' (write name="value"; operators =, !=, =~, !~)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from smokejumper.errors import AlertingConfigError

Operator = Literal["=", "!=", "=~", "!~"]

#: A label name, as Prometheus allows it.
LABEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

_MATCHER = re.compile(r"\s*(?P<name>[^=!~\s]+)\s*(?P<op>=~|!~|!=|=)\s*(?P<value>.*?)\s*")
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n"}
_HOW = 'write name="value"; operators =, !=, =~, !~'


@dataclass(frozen=True)
class Matcher:
    """One condition on one label. Regular-expression results are memoised per value, so a
    matcher checked against a thousand alerts compiles and runs each distinct value once.

    >>> Matcher("team", "!=", "ml").matches({})
    True
    >>> Matcher("model", "=~", "(").matches({})
    Traceback (most recent call last):
    ...
    smokejumper.errors.AlertingConfigError: matcher: model=~"(": invalid regular expression: \
missing ), unterminated subpattern at position 0
    """

    name: str
    op: Operator
    value: str
    _pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    _memo: dict[str, bool] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.op in ("=~", "!~"):
            try:
                pattern = re.compile(f"(?:{self.value})")
            except re.error as err:
                raise AlertingConfigError(
                    "matcher", f"{self}: invalid regular expression: {err}"
                ) from None
            object.__setattr__(self, "_pattern", pattern)

    def matches_value(self, value: str) -> bool:
        """Whether a label value (``""`` for an absent label) satisfies the matcher."""
        if self._pattern is None:
            return (value == self.value) == (self.op == "=")
        known = self._memo.get(value)
        if known is None:
            known = (self._pattern.fullmatch(value) is not None) == (self.op == "=~")
            self._memo[value] = known
        return known

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether the labels satisfy the matcher."""
        return self.matches_value(labels.get(self.name, ""))

    def __str__(self) -> str:
        return f"{self.name}{self.op}{json.dumps(self.value, ensure_ascii=False)}"


def matches_all(matchers: Iterable[Matcher], labels: Mapping[str, str]) -> bool:
    """Whether every matcher matches (true for no matchers).

    >>> matches_all([parse_matcher("a=1"), parse_matcher("b!=2")], {"a": "1"})
    True
    """
    return all(m.matches(labels) for m in matchers)


def parse_matcher(text: object, path: str = "matcher") -> Matcher:
    """The matcher ``text`` spells; ``path`` names it in the error if it is not one.

    >>> parse_matcher('summary="say \\\\"hi\\\\""').value
    'say "hi"'
    >>> parse_matcher('9lives="x"')
    Traceback (most recent call last):
    ...
    smokejumper.errors.AlertingConfigError: matcher: '9lives="x"' is not a matcher: label \
name '9lives' must match [A-Za-z_][A-Za-z0-9_]*
    """
    if not isinstance(text, str):
        raise AlertingConfigError(
            path, f"a matcher is a string such as 'severity=\"page\"', got {text!r}"
        )
    found = _MATCHER.fullmatch(text)
    if found is None:
        raise AlertingConfigError(path, f"{text!r} is not a matcher ({_HOW})")
    name, op, raw = found["name"], found["op"], found["value"]
    if not LABEL_NAME.fullmatch(name):
        raise AlertingConfigError(
            path, f"{text!r} is not a matcher: label name {name!r} must match {LABEL_NAME.pattern}"
        )
    if raw.startswith(("=", "~")):
        raise AlertingConfigError(
            path, f"{text!r} is not a matcher: the value may not start with {raw[0]!r} ({_HOW})"
        )
    value = _unquote(raw, text, path)
    try:
        return Matcher(name, op, value)  # type: ignore[arg-type]  # op is one of the four
    except AlertingConfigError as err:
        raise AlertingConfigError(path, err.reason) from None


def _unquote(raw: str, text: str, path: str) -> str:
    if not raw.startswith('"'):
        if any(c in raw for c in '",{}'):
            raise AlertingConfigError(
                path, f"{text!r} is not a matcher: quote a value holding '\"', ',', '{{' or '}}'"
            )
        return raw
    if len(raw) < 2 or not raw.endswith('"'):
        raise AlertingConfigError(path, f"{text!r} is not a matcher: the value's quote is open")
    out: list[str] = []
    chars = iter(raw[1:-1])
    for char in chars:
        if char == '"':
            raise AlertingConfigError(path, f"{text!r} is not a matcher: escape '\"' as '\\\"'")
        if char == "\\":
            escaped = next(chars, "")
            if escaped not in _ESCAPES:
                raise AlertingConfigError(
                    path, f"{text!r} is not a matcher: unknown escape '\\{escaped}'"
                )
            char = _ESCAPES[escaped]
        out.append(char)
    return "".join(out)
