"""Evidence collectors, one module each behind :class:`~.base.Collector`, found by
:func:`~.base.collectors`."""

from smokejumper.rca.collectors.base import Collector, collectors, register

__all__ = ["Collector", "collectors", "register"]
