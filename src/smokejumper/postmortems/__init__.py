"""Post-mortems, pure: the blameless document assembled from an incident's facts, the analysis
people write (root cause, 5 whys, fishbone, lessons) with its revisions, the blameless check,
and action items.

It sits one layer above the incident, alerting, monitoring and change packages, whose facts it
assembles; nothing here does I/O or reads the clock. See ``docs/postmortems.md``.
"""
