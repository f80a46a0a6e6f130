"""Drift methods, one module each, found automatically by :func:`available_methods`."""

from smokejumper.stats.methods.base import (
    ColumnPair,
    DriftMethod,
    MethodResult,
    available_methods,
    get_method,
    register,
)

__all__ = [
    "ColumnPair",
    "DriftMethod",
    "MethodResult",
    "available_methods",
    "get_method",
    "register",
]
