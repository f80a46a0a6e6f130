"""How long to wait before the next attempt: exponential, capped, with jitter.

Half of each delay is fixed and half random ("equal jitter"), so many clients that lost the
server at the same moment do not come back in lock step, and no delay collapses to zero.

>>> b = Backoff(base=1.0, cap=8.0)
>>> [b.delay(n, rng=lambda: 0.0) for n in range(5)]
[0.5, 1.0, 2.0, 4.0, 4.0]
>>> [b.delay(n, rng=lambda: 1.0) for n in range(5)]
[1.0, 2.0, 4.0, 8.0, 8.0]
>>> b.delay(0, retry_after=3.0, rng=lambda: 0.0)  # the server's Retry-After wins when longer
3.0
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """Delays of ``base * 2**attempt`` seconds, at most ``cap``, jittered."""

    base: float = 0.2
    cap: float = 30.0

    def delay(
        self,
        attempt: int,
        retry_after: float | None = None,
        rng: Callable[[], float] = random.random,
    ) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (0 for the first)."""
        ceiling = min(self.cap, self.base * 2.0 ** min(attempt, 60))
        wait = ceiling / 2 + ceiling / 2 * rng()
        if retry_after is not None and retry_after > wait:
            wait = min(retry_after, self.cap)
        return wait
