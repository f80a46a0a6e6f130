"""The one interface every drift method implements, and the registry that finds them.

A method gets a :class:`ColumnPair` (reference and current profiles of one column, plus the
sorted raw values when raw data was given) and returns a :class:`MethodResult`.

>>> sorted(m.name for m in available_methods())[:3]
['anderson', 'chisquare', 'cramervonmises']
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar, TypeVar

import numpy as np

from smokejumper.errors import MethodNotApplicableError, RegistrationError, UnknownMethodError
from smokejumper.frames.kinds import ColumnKind
from smokejumper.stats.binning import Floats
from smokejumper.stats.categorical import CategoricalProfile
from smokejumper.stats.dataset import ColumnProfile
from smokejumper.stats.numeric import NumericProfile

NUMERIC = frozenset({ColumnKind.NUMERIC, ColumnKind.DATETIME})
DISCRETE = frozenset({ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN, ColumnKind.TEXT})
ALL_KINDS = NUMERIC | DISCRETE


@dataclass(frozen=True, eq=False)
class ColumnPair:
    """One column in the reference and in the current data."""

    name: str
    kind: ColumnKind
    reference: ColumnProfile
    current: ColumnProfile
    ref_values: Floats | None = None  # sorted finite values, when raw data was given
    cur_values: Floats | None = None

    @property
    def has_raw(self) -> bool:
        """Whether the sorted raw values of both sides are at hand."""
        return self.ref_values is not None and self.cur_values is not None

    def numeric(self) -> tuple[NumericProfile, NumericProfile]:
        """Both profiles, known to be numeric."""
        ref, cur = self.reference, self.current
        assert isinstance(ref, NumericProfile)
        assert isinstance(cur, NumericProfile)
        return ref, cur

    def raw(self) -> tuple[Floats, Floats]:
        """Both sorted raw samples (call only when :attr:`has_raw`)."""
        assert self.ref_values is not None
        assert self.cur_values is not None
        return self.ref_values, self.cur_values

    def fine_cdfs(self) -> tuple[Floats, Floats, Floats, Floats, float]:
        """Cumulative shares on the reference's fine edges, for bounds inside each bin.

        Returns, for reference then current, ``low`` = F just after the previous edge and
        ``high`` = F just before the next, over the bins from -inf to the first edge, between
        edges, and past the last edge; F lies in [low, high] inside each bin. The last value is
        the largest error of any current share (0 when exact). Gaps at the edges themselves are
        in ``low[1:]``.
        """
        ref, cur = self.numeric()
        ref_at, ref_below, _ = ref.cdf_on(ref.binning)
        cur_at, cur_below, bound = cur.cdf_on(ref.binning)
        return (
            np.concatenate([[0.0], ref_at]),
            np.concatenate([ref_below, [1.0]]),
            np.clip(np.concatenate([[0.0], cur_at]), 0.0, 1.0),
            np.clip(np.concatenate([cur_below, [1.0]]), 0.0, 1.0),
            bound,
        )

    def binned(self) -> tuple[Floats, Floats, list[str], float]:
        """Counts per bin (coarse bins for numbers, categories otherwise), bin labels, and
        the largest error of any bin's current share (0 when exact)."""
        if isinstance(self.reference, NumericProfile):
            ref, cur = self.numeric()
            cur_fine, bound = cur.counts_on(ref.binning)
            return (
                ref.binning.coarsen(ref.counts),
                np.clip(ref.binning.coarsen(cur_fine), 0.0, None),
                list(ref.binning.coarse_labels),
                2 * bound,
            )
        ref_c, cur_c = self.reference, self.current
        assert isinstance(ref_c, CategoricalProfile)
        assert isinstance(cur_c, CategoricalProfile)
        ref_f, cur_f = ref_c.frequencies(), cur_c.frequencies()
        labels = sorted(set(ref_f) | set(cur_f), key=lambda v: (-ref_f.get(v, 0), v))
        ref_counts = np.array([ref_f.get(v, 0) for v in labels], dtype=np.float64)
        cur_counts = np.array([cur_f.get(v, 0) for v in labels], dtype=np.float64)
        # A sketch names only frequent values: the rest of each side goes to one "other" bin.
        ref_rest = ref_c.non_null - ref_counts.sum()
        cur_rest = cur_c.non_null - cur_counts.sum()
        if ref_rest > 0 or cur_rest > 0:
            labels.append("(other)")
            ref_counts = np.append(ref_counts, max(ref_rest, 0.0))
            cur_counts = np.append(cur_counts, max(cur_rest, 0.0))
        n = max(min(ref_c.non_null, cur_c.non_null), 1)
        bound = max(ref_c.count_error, cur_c.count_error) / n
        return ref_counts, cur_counts, labels, bound


@dataclass(frozen=True)
class MethodResult:
    """What a method found for one column.

    ``bound`` is the largest possible absolute error of ``statistic`` and ``effect_size`` when
    they come from profiles (``None`` when exact, or when the method cannot bound them).
    """

    statistic: float
    p_value: float | None
    effect_size: float
    bound: float | None = None
    note: str | None = None


class DriftMethod(ABC):
    """A two-sample drift method. Subclasses set the class attributes and :meth:`compute`."""

    name: ClassVar[str]
    title: ClassVar[str]
    kinds: ClassVar[frozenset[ColumnKind]]
    effect: ClassVar[str]  # what effect_size measures, in words a person can read
    threshold: ClassVar[float]  # default effect-size threshold for a drift verdict
    has_p_value: ClassVar[bool]
    needs_raw: ClassVar[bool] = False  # True when profiles cannot give the statistic

    def evaluate(self, pair: ColumnPair) -> MethodResult:
        """Check that the method applies to the pair, then compute."""
        if pair.kind not in self.kinds:
            raise MethodNotApplicableError(
                f"method {self.name!r} does not apply to {pair.kind} column {pair.name!r}; "
                f"it takes {', '.join(sorted(k.value for k in self.kinds))} columns"
            )
        if self.needs_raw and not pair.has_raw:
            raise MethodNotApplicableError(
                f"method {self.name!r} needs raw data and column {pair.name!r} was given as a "
                "profile; pass the data itself or use a profile method such as 'ks' or 'psi'"
            )
        return self.compute(pair)

    @abstractmethod
    def compute(self, pair: ColumnPair) -> MethodResult:
        """The method's statistic, p-value and effect size for the pair."""

    def noise_floor(self, pair: ColumnPair) -> float | None:
        """The effect size that samples of these sizes from one distribution exceed at most
        once in 10,000 comparisons (see :mod:`smokejumper.stats.noise`); ``None`` when the
        method has no such floor."""
        return None


_REGISTRY: dict[str, DriftMethod] = {}
_M = TypeVar("_M", bound=type[DriftMethod])


def register(cls: _M) -> _M:
    """Class decorator: validate a method and add it to the registry."""
    missing = [
        attr
        for attr in ("name", "title", "kinds", "effect", "threshold", "has_p_value")
        if not hasattr(cls, attr)
    ]
    if missing:
        raise RegistrationError(f"drift method {cls.__name__} lacks {', '.join(missing)}")
    if cls.name in _REGISTRY and type(_REGISTRY[cls.name]) is not cls:
        raise RegistrationError(f"a drift method named {cls.name!r} is already registered")
    if not cls.kinds or cls.threshold <= 0:
        raise RegistrationError(f"drift method {cls.name!r} needs kinds and a positive threshold")
    _REGISTRY[cls.name] = cls()
    return cls


@functools.cache
def _discover() -> None:
    """Import every method module once, so that each registers itself."""
    package = __name__.rsplit(".", 1)[0]
    for info in pkgutil.iter_modules(importlib.import_module(package).__path__):
        if info.name != "base":
            importlib.import_module(f"{package}.{info.name}")


def available_methods() -> list[DriftMethod]:
    """Every registered method, in name order."""
    _discover()
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


def get_method(name: str) -> DriftMethod:
    """The method registered as ``name``, or :class:`UnknownMethodError`."""
    _discover()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownMethodError(
            f"unknown drift method {name!r}; available: {', '.join(sorted(_REGISTRY))}"
        ) from None


def shares(counts: Floats, floor: float = 0.0) -> Floats:
    """Counts as shares summing to 1; shares below ``floor`` are raised to it first."""
    total = counts.sum()
    p = counts / total if total > 0 else np.full(counts.shape, 1.0 / max(counts.size, 1))
    if floor > 0:
        p = np.maximum(p, floor)
        p = p / p.sum()
    return p
