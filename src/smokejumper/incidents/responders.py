"""Responders by discipline, assembled from the owners each model declares in its schema.

An ML incident needs more than the engineer on call: the **ML engineer** who serves the
model, the **data scientist** who knows what it learned, the **data engineer** whose pipeline
feeds it, and **product**, who knows what users see. A model's schema names its owners
(``owners: [{name, slack, email, discipline}]``); an incident's responders are the owners of
its models, grouped by discipline in that order, each person once (by Slack user id, else
email, else name) with the models they own.

>>> owners = {
...     "churn": [{"name": "ana", "slack": "U01ANA", "discipline": "ml_engineer"},
...               {"name": "bo", "email": "bo@example.com", "discipline": "product"}],
...     "upsell": [{"name": "ana", "slack": "U01ANA", "discipline": "ml_engineer"},
...                {"name": "cy", "slack": "U02CY", "discipline": "data_engineer"}]}
>>> [(r.discipline.value, r.name, r.models) for r in assemble_responders(owners)]
[('ml_engineer', 'ana', ('churn', 'upsell')), ('data_engineer', 'cy', ('upsell',)), \
('product', 'bo', ('churn',))]
>>> slack_ids(assemble_responders(owners))
('U01ANA', 'U02CY')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from smokejumper.errors import IncidentError


class Discipline(Enum):
    """The disciplines an ML incident calls on, in the order responders are listed."""

    ML_ENGINEER = "ml_engineer"
    DATA_SCIENTIST = "data_scientist"
    DATA_ENGINEER = "data_engineer"
    PRODUCT = "product"

    @property
    def title(self) -> str:
        """The discipline in words (``ML engineer``)."""
        return _TITLES[self]


_TITLES = {
    Discipline.ML_ENGINEER: "ML engineer",
    Discipline.DATA_SCIENTIST: "Data scientist",
    Discipline.DATA_ENGINEER: "Data engineer",
    Discipline.PRODUCT: "Product",
}
_ORDER = {d: i for i, d in enumerate(Discipline)}

#: A Slack user id (``U0123ABC``; ``W...`` on Enterprise Grid).
SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")


def parse_discipline(value: str) -> Discipline:
    """The discipline ``value`` names (``ml_engineer``, ``ML engineer``, ``data-scientist``...).

    >>> parse_discipline("Data engineer")
    <Discipline.DATA_ENGINEER: 'data_engineer'>
    >>> parse_discipline("devops")
    Traceback (most recent call last):
    ...
    smokejumper.errors.IncidentError: 'devops' is not a discipline; use one of: ml_engineer, \
data_scientist, data_engineer, product
    """
    slug = re.sub(r"[\s\-]+", "_", value.strip().lower())
    for d in Discipline:
        if slug == d.value:
            return d
    known = ", ".join(d.value for d in Discipline)
    raise IncidentError(f"{value!r} is not a discipline; use one of: {known}")


@dataclass(frozen=True)
class Responder:
    """A person called to the incident: their discipline, name, Slack user id, email and
    the incident's models they own."""

    discipline: Discipline
    name: str | None = None
    slack: str | None = None
    email: str | None = None
    models: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """How to call them: the name, else the email, else the Slack id."""
        return self.name or self.email or self.slack or "?"

    def key(self) -> str:
        """Who they are: the Slack id, else the email, else the name."""
        return self.slack or (self.email or "").lower() or self.label

    def to_dict(self) -> dict[str, Any]:
        """The responder as JSON data."""
        return {
            "discipline": self.discipline.value,
            "name": self.name,
            "slack": self.slack,
            "email": self.email,
            "models": list(self.models),
        }


def assemble_responders(
    owners: Mapping[str, Sequence[Mapping[str, Any]]],
) -> tuple[Responder, ...]:
    """The responders of the models of ``owners`` (``{model: [owner, ...]}``, each owner
    a mapping with ``discipline`` and some of ``name``, ``slack``, ``email``): by
    discipline, then in the order the owners were first met; a person owning several models
    is listed once per discipline, with every model."""
    found: dict[tuple[Discipline, str], Responder] = {}
    for model, declared in owners.items():
        for owner in declared:
            person = Responder(
                parse_discipline(str(owner.get("discipline", ""))),
                owner.get("name") or None,
                owner.get("slack") or None,
                owner.get("email") or None,
                (model,),
            )
            key = (person.discipline, person.key())
            if key in found:
                known = found[key]
                if model not in known.models:
                    found[key] = replace(known, models=(*known.models, model))
            else:
                found[key] = person
    return tuple(sorted(found.values(), key=lambda r: _ORDER[r.discipline]))


def slack_ids(responders: Iterable[Responder]) -> tuple[str, ...]:
    """The responders' Slack user ids, each once, in order."""
    return tuple(dict.fromkeys(r.slack for r in responders if r.slack))


def by_slack_id(responders: Iterable[Responder], user_id: str) -> Responder | None:
    """The responder with Slack user id ``user_id``, if any."""
    return next((r for r in responders if r.slack == user_id), None)
