"""Change intake, pure: the change log's records (:mod:`.records`), OpenLineage events read and
checked against the spec (:mod:`.openlineage`), and what looks wrong about a pipeline run
judged against the job's previous runs (:mod:`.health`).

The store keeps them (``store/changes.py``, ``store/lineage.py``), the service records them
(``service/changes.py``, ``service/lineage.py``) and the incident timeline reads them there.
"""

from smokejumper.changes.health import Flag
from smokejumper.changes.openlineage import (
    EVENT_TYPES,
    TERMINAL,
    Assertion,
    DatasetEvent,
    DatasetUse,
    JobEvent,
    LineageEvent,
    ParentRun,
    RunEvent,
    parse_event,
)
from smokejumper.changes.records import KINDS, Change, make_change, parse_details

__all__ = [
    "EVENT_TYPES",
    "KINDS",
    "TERMINAL",
    "Assertion",
    "Change",
    "DatasetEvent",
    "DatasetUse",
    "Flag",
    "JobEvent",
    "LineageEvent",
    "ParentRun",
    "RunEvent",
    "make_change",
    "parse_details",
    "parse_event",
]
