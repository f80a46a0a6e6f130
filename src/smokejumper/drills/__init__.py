"""Incident drills: scenarios with an injected fault and a known root cause, replayed through
the real product (SDK, server, monitors, alerts, incident, post-mortem draft) on a simulated
clock, and scored.

The drills drive the product from outside, through :mod:`smokejumper.client` and
:mod:`smokejumper.harness` only (an import-linter contract keeps it so).
"""
