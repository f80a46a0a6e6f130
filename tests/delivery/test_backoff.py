"""Exponential backoff with full jitter: bounded, spread, deterministic, Retry-After as a floor."""

from __future__ import annotations

import random
import statistics

import pytest

from smokejumper.delivery.backoff import Backoff
from smokejumper.errors import InputError


def test_delays_stay_within_the_exponential_ceiling_and_the_cap() -> None:
    policy = Backoff(base=2.0, cap=60.0, max_attempts=10)
    rng = random.Random(1)
    for attempt in range(1, 12):
        ceiling = min(60.0, 2.0 * 2 ** (attempt - 1))
        delays = [policy.delay(attempt, rng) for _ in range(300)]
        assert min(delays) >= 0.0
        assert max(delays) <= ceiling
        # full jitter spreads over the whole range: the mean is about half the ceiling
        assert statistics.mean(delays) == pytest.approx(ceiling / 2, rel=0.15)


def test_same_seed_same_delays() -> None:
    policy = Backoff()
    one = [policy.delay(n, random.Random(9)) for n in range(1, 8)]
    two = [policy.delay(n, random.Random(9)) for n in range(1, 8)]
    assert one == two


def test_retry_after_is_a_floor() -> None:
    policy = Backoff(base=1.0, cap=10.0)
    rng = random.Random(3)
    assert all(policy.delay(1, rng, retry_after=30.0) == 30.0 for _ in range(50))
    assert all(policy.delay(5, rng, retry_after=0.0) <= 10.0 for _ in range(50))


def test_large_attempt_numbers_do_not_overflow() -> None:
    assert Backoff(cap=300.0).delay(10_000, random.Random(0)) <= 300.0


def test_exhausted_after_max_attempts() -> None:
    policy = Backoff(max_attempts=3)
    assert [policy.exhausted(n) for n in range(1, 5)] == [False, False, True, True]


@pytest.mark.parametrize("kwargs", [{"base": 0}, {"base": 5, "cap": 1}, {"max_attempts": 0}])
def test_bad_policy_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(InputError, match="backoff needs"):
        Backoff(**kwargs)  # type: ignore[arg-type]
