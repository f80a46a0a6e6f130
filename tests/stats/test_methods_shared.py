"""One suite, run against every registered drift method (found automatically)."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

from smokejumper.errors import MethodNotApplicableError, RegistrationError, UnknownMethodError
from smokejumper.frames.kinds import ColumnKind
from smokejumper.stats import compare as compare_module
from smokejumper.stats.dataset import profile
from smokejumper.stats.methods import DriftMethod, available_methods, get_method, register
from smokejumper.stats.methods.base import ColumnPair

METHODS = available_methods()


def _sample(kind: ColumnKind, rng: np.random.Generator, rows: int, shifted: bool) -> pa.Array:
    if kind is ColumnKind.BOOLEAN:
        return pa.array(rng.random(rows) < (0.55 if shifted else 0.3))
    if kind is ColumnKind.CATEGORICAL:
        p = [0.55, 0.15, 0.15, 0.15] if shifted else [0.25] * 4
        return pa.array(rng.choice(["a", "b", "c", "d"], rows, p=p))
    return pa.array(rng.normal(0.8 if shifted else 0.0, 1.0, rows))


def _kind_for(method: DriftMethod) -> ColumnKind:
    for kind in (ColumnKind.NUMERIC, ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
        if kind in method.kinds:
            return kind
    raise AssertionError(method.name)


def _report(method: DriftMethod, rng: np.random.Generator, rows: int, shifted: bool):  # type: ignore[no-untyped-def]
    kind = _kind_for(method)
    ref = pa.table({"c": _sample(kind, rng, rows, False)})
    cur = pa.table({"c": _sample(kind, rng, rows, shifted)})
    return compare_module.compare(ref, cur, method=method.name).column("c")


def test_all_thirteen_methods_are_found() -> None:
    names = {m.name for m in METHODS}
    assert names == {
        "ks",
        "chisquare",
        "ztest",
        "psi",
        "jensenshannon",
        "wasserstein",
        "hellinger",
        "kl",
        "anderson",
        "cramervonmises",
        "energy",
        "tv",
        "linf",
    }


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.name)
def test_unchanged_column_is_not_flagged(method: DriftMethod, rng: np.random.Generator) -> None:
    for rows in (1000, 50_000):
        col = _report(method, rng, rows, shifted=False)
        assert col.status == "tested"
        assert col.method == method.name
        assert not col.drift, (rows, col)


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.name)
def test_material_shift_is_flagged_at_1k_rows(
    method: DriftMethod, rng: np.random.Generator
) -> None:
    col = _report(method, rng, 1000, shifted=True)
    assert col.drift, col
    assert col.effect_size is not None
    assert col.effect_size >= method.threshold


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.name)
def test_identical_samples_have_zero_effect(method: DriftMethod, rng: np.random.Generator) -> None:
    kind = _kind_for(method)
    data = pa.table({"c": _sample(kind, rng, 500, False)})
    col = compare_module.compare(data, data, method=method.name).column("c")
    assert col.effect_size == pytest.approx(0.0, abs=1e-12)
    if method.has_p_value:
        # 0.25 is the largest p-value SciPy's Anderson-Darling table gives.
        assert col.p_value is not None
        assert col.p_value >= 0.25
    else:
        assert col.p_value is None


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.name)
def test_result_is_finite_and_declared(method: DriftMethod, rng: np.random.Generator) -> None:
    col = _report(method, rng, 300, shifted=True)
    assert col.statistic is not None
    assert math.isfinite(col.statistic)
    assert col.effect == method.effect
    assert col.threshold == method.threshold
    assert (col.p_value is not None) == method.has_p_value
    if col.p_value is not None:
        assert 0.0 <= col.p_value <= 1.0


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.name)
def test_profiles_give_the_raw_answer_within_bound(
    method: DriftMethod, rng: np.random.Generator
) -> None:
    kind = _kind_for(method)
    ref = pa.table({"c": _sample(kind, rng, 20_000, False)})
    cur = pa.table({"c": _sample(kind, rng, 20_000, True)})
    raw = compare_module.compare(ref, cur, method=method.name).column("c")
    ref_p = profile(ref)
    cur_p = profile(cur, reference=ref_p)
    if method.needs_raw:
        with pytest.raises(MethodNotApplicableError, match="needs raw data"):
            method.evaluate(_pair(ref_p, cur_p, kind))
        return
    prof = compare_module.compare(ref_p, cur_p, method=method.name).column("c")
    assert prof.effect_size is not None
    assert raw.effect_size is not None
    tolerance = (prof.bound or 0.0) + 1e-12
    assert abs(prof.effect_size - raw.effect_size) <= tolerance, (raw, prof)
    assert prof.drift == raw.drift


def _pair(ref_p, cur_p, kind):  # type: ignore[no-untyped-def]
    return ColumnPair("c", kind, ref_p.columns["c"], cur_p.columns["c"])


PARTIAL = [m for m in METHODS if not {ColumnKind.NUMERIC, ColumnKind.CATEGORICAL} <= m.kinds]


@pytest.mark.parametrize("method", PARTIAL, ids=lambda m: m.name)
def test_wrong_kind_is_refused_with_a_named_error(
    method: DriftMethod, rng: np.random.Generator
) -> None:
    wrong = [k for k in (ColumnKind.NUMERIC, ColumnKind.CATEGORICAL) if k not in method.kinds]
    data = pa.table({"c": _sample(wrong[0], rng, 50, False)})
    p = profile(data)
    with pytest.raises(MethodNotApplicableError, match=method.name):
        method.evaluate(_pair(p, p, wrong[0]))


def test_unknown_method_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownMethodError, match="available: anderson, chisquare"):
        get_method("kolmogorov")


def test_registering_a_clashing_or_malformed_method_fails() -> None:
    with pytest.raises(RegistrationError, match="already registered"):

        @register
        class Clash(DriftMethod):
            name = "ks"
            title = "x"
            kinds = frozenset({ColumnKind.NUMERIC})
            effect = "x"
            threshold = 0.1
            has_p_value = False

            def compute(self, pair):  # type: ignore[no-untyped-def]
                raise NotImplementedError

    with pytest.raises(RegistrationError, match="lacks"):

        @register
        class Incomplete(DriftMethod):
            name = "incomplete"

            def compute(self, pair):  # type: ignore[no-untyped-def]
                raise NotImplementedError
