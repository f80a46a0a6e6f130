"""When to try a failed delivery again: exponential backoff with full jitter, capped, with the
receiver's ``Retry-After`` as a floor, and a number of attempts after which the message is dead.

Attempt ``n`` (1 for the first retry) waits a uniformly random time in
``[0, min(cap, base * 2 ** (n - 1))]`` ("full jitter": retries of many messages spread out
instead of arriving together), then at least ``retry_after`` when the receiver gave one. The
random source is passed in, so a seeded :class:`random.Random` gives the same delays.

>>> import random
>>> policy = Backoff(base=1.0, cap=60.0, max_attempts=5)
>>> rng = random.Random(7)
>>> [round(policy.delay(n, rng), 2) for n in range(1, 6)]
[0.32, 0.3, 2.6, 0.58, 8.57]
>>> policy.delay(1, rng, retry_after=30.0) >= 30.0
True
>>> policy.exhausted(5), policy.exhausted(4)
(True, False)
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from smokejumper.errors import InputError


@dataclass(frozen=True)
class Backoff:
    """The retry policy: ``base`` and ``cap`` in seconds; after ``max_attempts`` failed
    attempts a message is dead."""

    base: float = 2.0
    cap: float = 600.0
    max_attempts: int = 10

    def __post_init__(self) -> None:
        if not (self.base > 0 and self.cap >= self.base and self.max_attempts >= 1):
            raise InputError(
                f"backoff needs base > 0, cap >= base and max_attempts >= 1; got base={self.base}, "
                f"cap={self.cap}, max_attempts={self.max_attempts}"
            )

    def delay(self, attempt: int, rng: random.Random, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (1 for the first retry)."""
        ceiling = min(self.cap, self.base * 2.0 ** min(max(attempt - 1, 0), 62))
        wait = rng.uniform(0.0, ceiling)
        return max(wait, retry_after) if retry_after is not None else wait

    def exhausted(self, attempts: int) -> bool:
        """Whether ``attempts`` failed attempts are all the policy allows."""
        return attempts >= self.max_attempts
