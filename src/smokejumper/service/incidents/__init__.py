"""Incident use cases: opening and joining incidents from alerts in the alerting pass, and what
people do with them (declare, acknowledge, change status, assign, note, post updates, merge).
The rules are the pure :mod:`smokejumper.incidents`."""
