"""Severities SEV1 (worst) to SEV4, what each means, and how often its updates are due.

Each severity is defined in the two terms responders judge by at 03:00: the **traffic**
affected (the share of predictions, or which models and segments) and the **business impact**.
Each has a **status update interval**: while the incident is open, a new status update is due
that long after the last one (see :mod:`~smokejumper.incidents.updates`).

The defaults can be changed per severity in the configuration file::

    incidents:
      severities:
        SEV1: {update_every: 15m}
        SEV3: {traffic: "under 10% of predictions", impact: "minor", update_every: 8h}

>>> from datetime import timedelta
>>> table = parse_severities({"SEV1": {"update_every": "15m"}})
>>> table[Severity.SEV1].update_every, table[Severity.SEV2].update_every
(datetime.timedelta(seconds=900), datetime.timedelta(seconds=3600))
>>> parse_severity("sev2"), Severity.SEV1.worse_than(Severity.SEV2)
(<Severity.SEV2: 'SEV2'>, True)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum

from smokejumper.errors import IncidentConfigError, IncidentError
from smokejumper.incidents.document import duration, mapping, only_keys, text


class Severity(StrEnum):
    """How bad an incident is: SEV1 is the worst."""

    SEV1 = "SEV1"
    SEV2 = "SEV2"
    SEV3 = "SEV3"
    SEV4 = "SEV4"

    @property
    def rank(self) -> int:
        """1 for SEV1 ... 4 for SEV4."""
        return int(self.value[3])

    def worse_than(self, other: Severity) -> bool:
        """Whether this severity is worse (a lower number) than ``other``."""
        return self.rank < other.rank


def parse_severity(value: object, what: str = "severity") -> Severity:
    """The severity ``value`` names (``SEV2``, ``sev2``, ``2``), or :class:`IncidentError`."""
    raw = str(value).strip().upper() if isinstance(value, str | int) else ""
    if raw.isdigit():
        raw = f"SEV{raw}"
    try:
        return Severity(raw)
    except ValueError:
        raise IncidentError(
            f"{what} must be one of SEV1, SEV2, SEV3, SEV4 (SEV1 the worst), got {value!r}"
        ) from None


@dataclass(frozen=True)
class SeverityDefinition:
    """What one severity means and how often its status updates are due."""

    severity: Severity
    traffic: str
    impact: str
    update_every: timedelta

    def describe(self) -> str:
        """One line for a page or a help text.

        >>> print(DEFAULT_SEVERITIES[Severity.SEV4].describe())
        SEV4: traffic: none yet (a warning sign, or a shadow or canary model); impact: none \
yet, a risk to watch; updates every 1d
        """
        every = _words(self.update_every)
        return (
            f"{self.severity}: traffic: {self.traffic}; impact: {self.impact}; "
            f"updates every {every}"
        )


def _words(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@dataclass(frozen=True)
class SeverityTable(Mapping[Severity, SeverityDefinition]):
    """The four definitions, by severity (a read-only mapping)."""

    definitions: tuple[SeverityDefinition, ...]

    def __post_init__(self) -> None:
        if [d.severity for d in self.definitions] != list(Severity):
            raise IncidentError("a severity table defines SEV1, SEV2, SEV3 and SEV4, in order")

    def __getitem__(self, key: Severity) -> SeverityDefinition:
        return self.definitions[Severity(key).rank - 1]

    def __iter__(self) -> Iterator[Severity]:
        return iter(Severity)

    def __len__(self) -> int:
        return len(self.definitions)

    def update_interval(self, severity: Severity) -> timedelta:
        """How long after the last status update the next is due, at ``severity``."""
        return self[severity].update_every


#: The shipped definitions.
DEFAULT_SEVERITIES = SeverityTable(
    (
        SeverityDefinition(
            Severity.SEV1,
            "more than 25% of predictions, or a model serving nothing or nonsense",
            "critical: customers, revenue, safety or legal duties are hit now",
            timedelta(minutes=30),
        ),
        SeverityDefinition(
            Severity.SEV2,
            "5% to 25% of predictions, or a key segment or key model",
            "major: a product feature is degraded for many users",
            timedelta(hours=1),
        ),
        SeverityDefinition(
            Severity.SEV3,
            "under 5% of predictions, or a minor segment",
            "minor: quality is degraded, a workaround exists",
            timedelta(hours=4),
        ),
        SeverityDefinition(
            Severity.SEV4,
            "none yet (a warning sign, or a shadow or canary model)",
            "none yet, a risk to watch",
            timedelta(days=1),
        ),
    )
)

_KEYS = ("traffic", "impact", "update_every")


def parse_severities(
    data: object,
    path: str = "incidents.severities",
    base: SeverityTable = DEFAULT_SEVERITIES,
) -> SeverityTable:
    """``base`` with the changes of ``data`` (a mapping of severity to some of ``traffic``,
    ``impact`` and ``update_every``); errors name the place in the document.

    >>> parse_severities({"SEV5": {}})
    Traceback (most recent call last):
    ...
    smokejumper.errors.IncidentConfigError: incidents.severities.SEV5: unknown severity; \
known: SEV1, SEV2, SEV3, SEV4
    """
    doc = mapping(data, path)
    definitions = list(base.definitions)
    for key, value in doc.items():
        where = f"{path}.{key}"
        try:
            severity = Severity(key.strip().upper())
        except ValueError:
            raise IncidentConfigError(
                where, "unknown severity; known: SEV1, SEV2, SEV3, SEV4"
            ) from None
        fields = mapping(value, where)
        only_keys(fields, _KEYS, where)
        changes: dict[str, object] = {}
        for name in ("traffic", "impact"):
            if name in fields:
                changes[name] = text(fields[name], f"{where}.{name}")
        if "update_every" in fields:
            changes["update_every"] = duration(fields["update_every"], f"{where}.update_every")
        index = severity.rank - 1
        definitions[index] = replace(definitions[index], **changes)  # type: ignore[arg-type]
    return SeverityTable(tuple(definitions))
