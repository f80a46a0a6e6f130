"""What changed in a model registry between two snapshots, as change-log records: new model
versions (kind ``model_version``), stage transitions and alias moves (kind ``alias_move``),
deleted versions (``model_version``) and removed aliases (``alias_move``).

MLflow keeps no alias history, and setting an alias does not touch any timestamp, so an alias
move is dated when the poller saw it (``now``); its details say since when it may have
happened (``not_before``: the previous poll). A new version is dated by its creation time and a
stage transition by its version's last update (kept within ``[since, now]``), both MLflow's.

>>> from datetime import UTC, datetime
>>> from smokejumper.changes.registry import ModelState, RegistrySnapshot, VersionState
>>> t = datetime(2026, 11, 30, 12, tzinfo=UTC)
>>> v = VersionState(created_ms=1796000000000, updated_ms=1796000000000)
>>> old = RegistrySnapshot({"churn": ModelState({"3": v}, {"champion": "3"})})
>>> new = RegistrySnapshot({"churn": ModelState({"3": v, "4": v}, {"champion": "4"})})
>>> found = registry_changes(old, new, now=t, since=t.replace(hour=11),
...                          ui_url="http://mlflow:5000")
>>> [(c.kind, c.summary) for c in found]
[('model_version', 'new version v4 of churn in MLflow'), \
('alias_move', 'alias champion moved from v3 to v4')]
>>> found[1].link, found[1].details["old_version"], found[1].details["new_version"]
('http://mlflow:5000/#/models/churn/versions/4', '3', '4')
>>> registry_changes(new, new, now=t, since=t, ui_url="http://mlflow:5000")
[]
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from smokejumper.changes.records import EARLIEST, MAX_KEY, Change, make_change
from smokejumper.changes.registry import ModelState, RegistrySnapshot, VersionState

#: Where the poller's changes come from (``Change.source``) and how their keys begin.
SOURCE = "mlflow"


@dataclass(frozen=True)
class ModelMapping:
    """Which registered models are watched (``watched``; ``None``: all) and the Smokejumper
    model each stands for (``renamed``; by default the same name).

    >>> mapping = ModelMapping(frozenset({"churn-prod"}), {"churn-prod": "churn"})
    >>> mapping.model_of("churn-prod"), mapping.model_of("fraud")
    ('churn', None)
    >>> ModelMapping().model_of("fraud")
    'fraud'
    """

    watched: frozenset[str] | None = None
    renamed: Mapping[str, str] = field(default_factory=dict)

    def model_of(self, registered: str) -> str | None:
        """The Smokejumper model of the registered model ``registered`` (``None``: not
        watched)."""
        if self.watched is not None and registered not in self.watched:
            return None
        return self.renamed.get(registered, registered)


def version_link(ui_url: str, name: str, version: str) -> str:
    """The MLflow UI page of a model version.

    >>> version_link("http://mlflow:5000/", "fraud model", "7")
    'http://mlflow:5000/#/models/fraud%20model/versions/7'
    """
    return f"{ui_url.rstrip('/')}/#/models/{quote(name, safe='')}/versions/{quote(version)}"


def registry_changes(
    old: RegistrySnapshot,
    new: RegistrySnapshot,
    *,
    now: datetime,
    since: datetime | None,
    ui_url: str,
    mapping: ModelMapping | None = None,
) -> list[Change]:
    """The changes from ``old`` to ``new`` (seen at ``now``; ``since``: when ``old`` was
    seen), oldest first, for the watched models of ``mapping`` only."""
    mapping = mapping or ModelMapping()
    out: list[Change] = []
    for name in sorted(set(old.models) | set(new.models)):
        model = mapping.model_of(name)
        if model is None:
            continue
        diff = _ModelDiff(name, model, now, since, ui_url)
        diff.compare(old.models.get(name, ModelState()), new.models.get(name, ModelState()))
        out += diff.changes
    return sorted(out, key=lambda c: (c.at, c.key))


class _ModelDiff:
    """The changes of one registered model."""

    def __init__(
        self, name: str, model: str, now: datetime, since: datetime | None, ui_url: str
    ) -> None:
        self.name, self.model, self.now, self.since, self.ui_url = name, model, now, since, ui_url
        self.changes: list[Change] = []

    def compare(self, old: ModelState, new: ModelState) -> None:
        for number in sorted(set(old.versions) | set(new.versions), key=_number):
            self._version(number, old.versions.get(number), new.versions.get(number))
        for alias in sorted(set(old.aliases) | set(new.aliases)):
            before, after = old.aliases.get(alias), new.aliases.get(alias)
            if before != after:
                self._alias(alias, before, after)

    def _version(self, number: str, old: VersionState | None, new: VersionState | None) -> None:
        if new is None:
            assert old is not None
            self._add(
                f"v{number}:deleted:{_ms(self.now)}",
                self.now,
                "model_version",
                f"version v{number} of {self.name} deleted from MLflow",
                number,
                {"event": "deleted", "version": number, "stage": old.stage},
            )
            return
        facts = {"version": number, "stage": new.stage, "status": new.status}
        facts |= {"run_id": new.run_id, "source": new.source} if new.run_id else {}
        if old is None:
            created = _bounded(new.created_ms, None, self.now)
            self._add(
                f"v{number}:created:{new.created_ms}",
                created,
                "model_version",
                f"new version v{number} of {self.name} in MLflow",
                number,
                {"event": "created", **facts},
            )
        if new.stage != old_stage(old):
            at = _bounded(new.updated_ms, self.since, self.now)
            self._add(
                f"v{number}:stage:{new.stage}:{new.updated_ms}",
                at,
                "alias_move",
                f"v{number} moved from stage {old_stage(old)} to {new.stage}",
                number,
                {"move": "stage", "old_stage": old_stage(old), "new_stage": new.stage, **facts},
            )

    def _alias(self, alias: str, before: str | None, after: str | None) -> None:
        if before is None:
            summary = f"alias {alias} set to v{after}"
        elif after is None:
            summary = f"alias {alias} removed (was v{before})"
        else:
            summary = f"alias {alias} moved from v{before} to v{after}"
        facts: dict[str, Any] = {
            "move": "alias",
            "alias": alias,
            "old_version": before,
            "new_version": after,
            "observed_at": self.now.isoformat(),
            "not_before": None if self.since is None else self.since.isoformat(),
        }
        key = f"alias:{alias}:{before or '-'}:{after or '-'}:{_ms(self.now)}"
        self._add(key, self.now, "alias_move", summary, after or before, facts)

    def _add(
        self,
        key: str,
        at: datetime,
        kind: str,
        summary: str,
        version: str | None,
        details: Mapping[str, Any],
    ) -> None:
        self.changes.append(
            make_change(
                key=change_key(self.name, key),
                at=at,
                kind=kind,
                summary=summary,
                model=self.model,
                link=None if version is None else version_link(self.ui_url, self.name, version),
                details={"registered_model": self.name, **details},
                source=SOURCE,
            )
        )


def old_stage(old: VersionState | None) -> str:
    """The stage a version had before (a new version had none)."""
    return "None" if old is None else old.stage


def change_key(name: str, tail: str) -> str:
    """The change-log key of a registry change: readable, or hashed when over the limit.

    >>> change_key("churn", "v4:created:1796000000000")
    'mlflow:churn:v4:created:1796000000000'
    >>> len(change_key("m" * 300, "v1")), change_key("m" * 300, "v1")[:7]
    (71, 'mlflow:')
    """
    key = f"{SOURCE}:{name}:{tail}"
    if len(key) <= MAX_KEY:
        return key
    return f"{SOURCE}:{hashlib.sha256(key.encode()).hexdigest()}"


def _number(version: str) -> tuple[int, str]:
    return (int(version), version) if version.isdigit() else (1 << 62, version)


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def _bounded(millis: int, low: datetime | None, high: datetime) -> datetime:
    """MLflow's time ``millis`` kept within ``[low, high]`` (another machine's clock, or an
    update after the move it dates)."""
    try:
        when = datetime.fromtimestamp(millis / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        when = high
    when = max(when, EARLIEST)
    if low is not None:
        when = max(when, low)
    return min(when, high)
