"""Alerting use cases: a pass that fires and resolves alerts from the monitors' observations and
the SLOs' states and writes the notifications to the outbox; acknowledging; silences; the
delivery of the outbox. The rules themselves are the pure :mod:`smokejumper.alerting`."""
