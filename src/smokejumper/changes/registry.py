"""A model registry's state as the MLflow poller last saw it: per registered model, its versions
(stage, status, creation and last update times) and its aliases (alias -> version).

MLflow keeps no history of its aliases; Smokejumper keeps the last state it saw (in the store,
as :meth:`RegistrySnapshot.to_dict`) and compares the next one with it (see
:mod:`smokejumper.changes.registry_moves`). :func:`snapshot_from_rest` reads the answers of
MLflow's REST API: the ``registered_models`` of ``GET /api/2.0/mlflow/registered-models/search``
(which carry the ``aliases``) and the ``model_versions`` of
``GET /api/2.0/mlflow/model-versions/search`` (which do not).

>>> snapshot = snapshot_from_rest(
...     [{"name": "churn", "aliases": [{"alias": "champion", "version": "2"}]}],
...     [{"name": "churn", "version": "1", "current_stage": "Archived", "status": "READY",
...       "creation_timestamp": 1796000000000, "last_updated_timestamp": 1796000500000},
...      {"name": "churn", "version": "2", "current_stage": "Production", "status": "READY",
...       "creation_timestamp": 1796001000000, "last_updated_timestamp": 1796001000000}])
>>> snapshot.models["churn"].aliases, snapshot.models["churn"].versions["2"].stage
({'champion': '2'}, 'Production')
>>> RegistrySnapshot.from_dict(snapshot.to_dict()) == snapshot, snapshot.counts()
(True, (1, 2))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from smokejumper.errors import RegistryUnavailableError

#: MLflow's stage of a version that has none.
NO_STAGE = "None"


@dataclass(frozen=True)
class VersionState:
    """One model version: its stage (``None``, ``Staging``, ``Production``, ``Archived``), its
    registration status (``READY``, ``PENDING_REGISTRATION``, ``FAILED_REGISTRATION``), its
    creation and last update (milliseconds since 1970, as MLflow gives them), its run and
    source."""

    stage: str = NO_STAGE
    status: str = "READY"
    created_ms: int = 0
    updated_ms: int = 0
    run_id: str = ""
    source: str = ""


@dataclass(frozen=True)
class ModelState:
    """One registered model: its versions by number (a string, as MLflow writes it) and its
    aliases (alias -> version)."""

    versions: Mapping[str, VersionState] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RegistrySnapshot:
    """Every registered model of a registry, by name."""

    models: Mapping[str, ModelState] = field(default_factory=dict)

    def counts(self) -> tuple[int, int]:
        """(registered models, versions)."""
        return len(self.models), sum(len(m.versions) for m in self.models.values())

    def to_dict(self) -> dict[str, Any]:
        """The snapshot as JSON-ready data (how the store keeps it)."""
        return {
            "models": {
                name: {
                    "versions": {
                        number: {
                            "stage": v.stage,
                            "status": v.status,
                            "created_ms": v.created_ms,
                            "updated_ms": v.updated_ms,
                            "run_id": v.run_id,
                            "source": v.source,
                        }
                        for number, v in sorted(model.versions.items())
                    },
                    "aliases": dict(sorted(model.aliases.items())),
                }
                for name, model in sorted(self.models.items())
            }
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RegistrySnapshot:
        """The snapshot :meth:`to_dict` wrote."""
        return cls(
            {
                name: ModelState(
                    {n: VersionState(**v) for n, v in model.get("versions", {}).items()},
                    dict(model.get("aliases", {})),
                )
                for name, model in data.get("models", {}).items()
            }
        )


def snapshot_from_rest(
    registered_models: Sequence[Mapping[str, Any]], model_versions: Sequence[Mapping[str, Any]]
) -> RegistrySnapshot:
    """The snapshot of MLflow's REST answers (all pages of each search). Fields MLflow leaves
    out when empty (its JSON omits default values) take their defaults; a field of the wrong
    shape is a :class:`~smokejumper.errors.RegistryUnavailableError` naming it.

    >>> snapshot_from_rest([{"name": "churn"}], [{"name": "churn"}])
    Traceback (most recent call last):
    ...
    smokejumper.errors.RegistryUnavailableError: MLflow answered a model version without \
'version' (model-versions/search, item 0); is this an MLflow tracking server?
    """
    versions: dict[str, dict[str, VersionState]] = {}
    aliases: dict[str, dict[str, str]] = {}
    for i, item in enumerate(registered_models):
        name = _text(item, "name", "registered model", "registered-models/search", i)
        found: dict[str, str] = {}
        for j, pair in enumerate(_list(item, "aliases", "registered-models/search", i)):
            alias = _text(pair, "alias", "alias", f"registered-models/search, {name}", j)
            found[alias] = _text(pair, "version", "alias", f"registered-models/search, {name}", j)
        aliases[name] = found
        versions.setdefault(name, {})
    for i, item in enumerate(model_versions):
        where = "model-versions/search"
        name = _text(item, "name", "model version", where, i)
        number = _text(item, "version", "model version", where, i)
        versions.setdefault(name, {})[number] = VersionState(
            stage=str(item.get("current_stage") or NO_STAGE),
            status=str(item.get("status") or "READY"),
            created_ms=_millis(item, "creation_timestamp", where, i),
            updated_ms=_millis(item, "last_updated_timestamp", where, i),
            run_id=str(item.get("run_id") or ""),
            source=str(item.get("source") or ""),
        )
    return RegistrySnapshot(
        {name: ModelState(versions[name], aliases.get(name, {})) for name in sorted(versions)}
    )


def _fault(what: str, where: str, index: int, problem: str) -> RegistryUnavailableError:
    return RegistryUnavailableError(
        f"MLflow answered {what} {problem} ({where}, item {index}); "
        "is this an MLflow tracking server?"
    )


def _text(item: object, key: str, what: str, where: str, index: int) -> str:
    if not isinstance(item, Mapping):
        raise _fault(f"a {what}", where, index, "that is not a JSON object")
    value = item.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value:
        raise _fault(f"a {what}", where, index, f"without {key!r}")
    return value


def _list(item: Mapping[str, Any], key: str, where: str, index: int) -> list[Any]:
    value = item.get(key) or []
    if not isinstance(value, list):
        raise _fault("a registered model", where, index, f"whose {key!r} is not a list")
    return value


def _millis(item: Mapping[str, Any], key: str, where: str, index: int) -> int:
    """A timestamp in milliseconds (a number; protobuf's JSON may write an int64 as text)."""
    value = item.get(key, 0)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _fault("a model version", where, index, f"whose {key!r} is not a number") from None
