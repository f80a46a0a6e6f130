"""The client's logger, and a throttle so a hot loop of bad calls cannot flood the logs.

>>> clock = iter([0.0, 1.0, 11.0]).__next__
>>> throttle = Throttle(every=10.0, clock=clock)
>>> throttle.allow("bad-args"), throttle.allow("bad-args"), throttle.allow("bad-args")
((True, 0), (False, 0), (True, 1))
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

logger = logging.getLogger("smokejumper.client")


class Throttle:
    """Allows one message per ``key`` every ``every`` seconds and counts the ones held back."""

    def __init__(self, every: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._every = every
        self._clock = clock
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def allow(self, key: str) -> tuple[bool, int]:
        """Whether to log now, and how many messages of ``key`` were held back since the last."""
        now = self._clock()
        with self._lock:
            last = self._last.get(key)
            if last is not None and now - last < self._every:
                self._held[key] = self._held.get(key, 0) + 1
                return False, 0
            self._last[key] = now
            return True, self._held.pop(key, 0)

    def warning(self, key: str, message: str, *args: object) -> None:
        """Log ``message`` as a warning unless one of ``key`` was logged a moment ago."""
        allowed, held = self.allow(key)
        if allowed:
            suffix = f" ({held} similar messages suppressed)" if held else ""
            logger.warning(message + suffix, *args)
