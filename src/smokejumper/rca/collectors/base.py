"""The one interface every evidence collector implements, and the registry that finds them.

A collector is one module of this package holding one class with a ``name`` and
``collect(inputs) -> list[Evidence]``, decorated with :func:`register`, which checks it and
adds it. :func:`collectors` imports every module of the package once, so each registers
itself, and answers one instance of each, in :data:`ORDER`.

>>> list(collectors())
['drift', 'data_quality', 'slices', 'changes', 'lineage', 'model', 'labels', \
'calibration', 'serving', 'external']
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
from typing import Protocol, TypeVar, runtime_checkable

from smokejumper.errors import RegistrationError
from smokejumper.rca.evidence import Evidence
from smokejumper.rca.inputs import DiagnosisInputs


@runtime_checkable
class Collector(Protocol):
    """Finds evidence of one kind in the inputs."""

    name: str

    def collect(self, inputs: DiagnosisInputs) -> list[Evidence]:
        """The evidence found (none: an empty list)."""
        ...


#: The order collectors run and are listed in; any other follows by name.
ORDER = (
    "drift",
    "data_quality",
    "slices",
    "changes",
    "lineage",
    "model",
    "labels",
    "calibration",
    "serving",
    "external",
)
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_REGISTRY: dict[str, type[Collector]] = {}
_C = TypeVar("_C", bound=type)


def register(cls: _C) -> _C:
    """Class decorator: check a collector class and add it to the registry."""
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise RegistrationError(
            f"collector {cls.__qualname__} needs a class attribute name of lowercase letters, "
            "digits and '_'"
        )
    if not callable(getattr(cls, "collect", None)):
        raise RegistrationError(f"collector {name!r} ({cls.__qualname__}) lacks collect()")
    if not (cls.__doc__ or "").strip():
        raise RegistrationError(f"collector {name!r} ({cls.__qualname__}) lacks a docstring")
    if name in _REGISTRY and _REGISTRY[name] is not cls:
        known = _REGISTRY[name]
        raise RegistrationError(
            f"a collector named {name!r} is already registered ({known.__module__}."
            f"{known.__qualname__}); give {cls.__qualname__} another name"
        )
    _REGISTRY[name] = cls
    return cls


@functools.cache
def _discover() -> None:
    package = __name__.rsplit(".", 1)[0]
    for info in pkgutil.iter_modules(importlib.import_module(package).__path__):
        if info.name != "base":
            importlib.import_module(f"{package}.{info.name}")


def collectors() -> dict[str, Collector]:
    """One instance of every registered collector, by name, in :data:`ORDER`."""
    _discover()

    def rank(name: str) -> tuple[int, str]:
        return (ORDER.index(name) if name in ORDER else len(ORDER), name)

    return {name: _REGISTRY[name]() for name in sorted(_REGISTRY, key=rank)}
