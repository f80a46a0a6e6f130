"""Timers wrapped around the runner's calls, and a context manager that swaps an attribute for
the length of a pass."""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any


class Timers:
    """Seconds and calls per label."""

    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()

    def wrap(self, label: str | Callable[..., str], func: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            name = label(*args, **kwargs) if callable(label) else label
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start
                self.calls[name] += 1

        return timed

    def wrap_iterator(
        self, label: str, func: Callable[..., Iterator[Any]]
    ) -> Callable[..., Iterator[Any]]:
        """Time each step of the iterator ``func`` returns (the caller's work in between
        is not counted)."""

        def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
            steps = func(*args, **kwargs)
            while True:
                start = time.perf_counter()
                try:
                    item = next(steps)
                except StopIteration:
                    return
                finally:
                    self.seconds[label] += time.perf_counter() - start
                self.calls[label] += 1
                yield item

        return timed


@contextlib.contextmanager
def patched(target: Any, name: str, value: Any) -> Iterator[None]:
    original = getattr(target, name)
    setattr(target, name, value)
    try:
        yield
    finally:
        setattr(target, name, original)
