"""Thin HTTP routes; the work happens in ``monitoring`` and ``store``."""
