"""Which columns a comparison tests, with which kind, and the verdicts known without a test.

Columns named in ``columns`` must exist on both sides; otherwise the columns on both sides are
compared, and a column on one side only is a quality finding (a schema change). Left out of the
tests, each with a note: columns in ``exclude``, unsupported types (naming the encoding option
for CSV bytes that are not UTF-8), timestamps and text unless named, and integer identifiers
(unique per row and increasing) unless their kind is given. A column whose kind differs between
the sides is an error and a quality finding.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from smokejumper.errors import InputError, NoCommonColumnsError, UnknownColumnError
from smokejumper.frames.kinds import DRIFT_KINDS, ColumnKind
from smokejumper.frames.sources import not_text_note
from smokejumper.stats.inputs import Side
from smokejumper.stats.report import ColumnDrift, QualityFinding
from smokejumper.stats.screening import is_identifier


def _kind_mismatch(name: str, ref_kind: ColumnKind, cur_kind: ColumnKind) -> ColumnDrift:
    note = (
        f"type changed: {ref_kind} in the reference, {cur_kind} in the current data; fix the "
        f"pipeline, or compare them as one kind: --kind {name}={ref_kind} on the command line, "
        f"kinds={{{name!r}: {str(ref_kind)!r}}} in Python"
    )
    finding = QualityFinding(name, "type_changed", note.partition(";")[0])
    return ColumnDrift(name, ref_kind.value, "error", drift=True, note=note, quality=(finding,))


def select_columns(
    ref: Side,
    cur: Side,
    columns: Sequence[str] | None,
    notes: list[str],
    schema: list[QualityFinding],
) -> list[str]:
    """The columns to compare: those named, or those on both sides (the others become notes
    and schema findings, in ``notes`` and ``schema``)."""
    common = [c for c in ref.columns if c in cur.kinds]
    if columns is not None:
        for role, side in (("reference", ref), ("current", cur)):
            missing = [c for c in columns if c not in side.kinds]
            if missing:
                raise UnknownColumnError(
                    f"column(s) not in the {role}: {', '.join(missing)}. "
                    f"Its columns are: {', '.join(side.available) or '(none)'}"
                )
        return list(columns)
    if not common:
        raise NoCommonColumnsError(
            "the reference and the current data share no column "
            f"(reference: {', '.join(ref.columns[:10])}; current: {', '.join(cur.columns[:10])})"
        )
    for role, side, other in (("reference", ref, cur), ("current", cur, ref)):
        only = [c for c in side.columns if c not in other.kinds]
        if only:
            notes.append(f"only in the {role}, not compared: {', '.join(only)}")
        for name in only:
            if role == "reference":
                schema.append(
                    QualityFinding(
                        name, "column_missing", "in the reference, missing from the current data"
                    )
                )
            else:
                schema.append(
                    QualityFinding(
                        name, "column_added", "in the current data, not in the reference"
                    )
                )
    return common


def exclude_columns(
    names: list[str],
    exclude: Sequence[str],
    ref: Side,
    cur: Side,
    notes: list[str],
    schema: list[QualityFinding],
) -> list[str]:
    """The columns left once ``exclude`` is taken out (their schema findings go too)."""
    if isinstance(exclude, str):
        exclude = [exclude]
    unknown = [c for c in exclude if c not in ref.available and c not in cur.available]
    if unknown:
        raise UnknownColumnError(
            f"cannot exclude column(s) not in the data: {', '.join(unknown)}. "
            f"Columns are: {', '.join(dict.fromkeys([*ref.available, *cur.available]))}"
        )
    if not exclude:
        return names
    schema[:] = [f for f in schema if f.column not in exclude]
    notes.append(f"excluded on request, not compared: {', '.join(exclude)}")
    return [n for n in names if n not in exclude]


def _identifier(name: str, sides: Sequence[Side]) -> bool:
    """Whether the column is an increasing, unique integer on every side given as raw data."""
    raw = [side.raw for side in sides if side.raw is not None]
    return bool(raw) and all(is_identifier(r.column(name)) for r in raw)


def _arrow_type(side: Side, name: str) -> Any:
    return side.raw.schema.field(name).type if side.raw is not None else None


def plan(
    names: list[str],
    ref: Side,
    cur: Side,
    overrides: Mapping[str, ColumnKind],
    *,
    named: bool,
) -> tuple[list[tuple[str, ColumnKind]], dict[str, ColumnDrift]]:
    """Columns to test (with their kind), and the verdicts known without testing."""
    tasks: list[tuple[str, ColumnKind]] = []
    judged: dict[str, ColumnDrift] = {}
    for name in names:
        for side in (ref, cur):
            if (
                side.profile is not None
                and overrides.get(name, side.kinds[name]) != side.kinds[name]
            ):
                raise InputError(
                    f"column {name!r} was profiled as {side.kinds[name]}; a kind cannot change "
                    f"after profiling. Re-profile the data with the kind: smokejumper profile "
                    f"... --kind {name}={overrides[name]} (kinds={{...}} in Python)"
                )
        ref_kind = overrides.get(name, ref.kinds[name])
        cur_kind = overrides.get(name, cur.kinds[name])
        if ref_kind is not cur_kind:
            judged[name] = _kind_mismatch(name, ref_kind, cur_kind)
        elif ref_kind is ColumnKind.UNSUPPORTED:
            note = next(
                (n for s in (ref, cur) if (n := not_text_note(name, _arrow_type(s, name)))),
                "type not supported",
            )
            judged[name] = ColumnDrift(name, ref_kind.value, "skipped", note=note)
        elif ref_kind not in DRIFT_KINDS and not named:
            why = "timestamp" if ref_kind is ColumnKind.DATETIME else "text or identifier"
            note = f"{why}: not tested unless named (--columns, or columns= in Python)"
            judged[name] = ColumnDrift(name, ref_kind.value, "skipped", note=note)
        elif (
            ref_kind is ColumnKind.NUMERIC
            and name not in overrides
            and _identifier(name, (ref, cur))
        ):
            # Skipped whether named or not, so that a report over many columns and one over
            # this column alone agree (the service's monitors share reports); a kind given
            # explicitly is the way to test it.
            note = (
                f"identifier (integers unique per row and increasing): not tested; to test it, "
                f"give its kind: --kind {name}=numeric (kinds={{{name!r}: 'numeric'}} in Python)"
            )
            judged[name] = ColumnDrift(name, ref_kind.value, "skipped", note=note)
        else:
            tasks.append((name, ref_kind))
    return tasks, judged
