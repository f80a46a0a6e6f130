"""Data quality: null or zero spikes, out-of-range values, unseen categories, volume drops,
frozen (stale) values, rescaled columns and refused batches, from the quality monitors'
observations and from the window profiles around the onset (so a break shows even where no
monitor watches it).

Weights: each problem (one per model, column and kind, the strongest source kept) is a
symptom worth :data:`SYMPTOM_WEIGHT` at full strength, supporting a data-quality / pipeline
failure and a schema change (unseen categories while the known ones keep coming, a new kind
of input: data drift too); a rescaled column (mean and spread multiplied alike) supports a
schema or unit change only, and refutes drift (the column did not move, its units did). The
causes the problems make (a data-quality break naming its columns, a schema or unit change)
are built by :mod:`smokejumper.rca.quality_causes`, with their weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from smokejumper.rca.collectors.base import register
from smokejumper.rca.evidence import Evidence, Ref, clamp
from smokejumper.rca.inputs import DiagnosisInputs, ModelFacts, Observed
from smokejumper.rca.profile_checks import profile_findings
from smokejumper.rca.quality_causes import quality_causes
from smokejumper.rca.series import median, short_list

SYMPTOM_WEIGHT = 1.0
#: A window's volume under this share of the usual counts as a drop.
VOLUME_DROP = 0.5
SUPPORTS = ("data_quality", "schema_change")
#: Monitor types read, and the problem each reports.
PROBLEMS = {
    "null_rate": "null_spike",
    "out_of_range": "out_of_range",
    "unseen_categories": "unseen_categories",
    "data_quality": "broken_columns",
    "rejected_batches": "rejected_batches",
}


def _split(rows: Sequence[Observed], onset: datetime) -> tuple[list[Observed], list[Observed]]:
    return [o for o in rows if o.window_start < onset], [o for o in rows if o.window_start >= onset]


@register
class DataQuality:
    """What broke in the data since the onset."""

    name = "data_quality"

    def collect(self, inputs: DiagnosisInputs) -> list[Evidence]:
        """Per model: its quality problems, and the break as a cause."""
        out: list[Evidence] = []
        for model in inputs.models.values():
            onset = inputs.onset
            found: dict[tuple[str, str], Evidence] = {}
            for e in (
                *self._monitors(model, onset),
                *self._profiles(model, onset),
                *self._volume(model, onset, inputs.now),
                *self._refusals(model, onset, inputs.now),
            ):
                key = (str(e.details.get("column") or ""), e.kind)
                if key not in found or e.strength > found[key].strength:
                    found[key] = e
            for column, _ in [k for k in found if k[1] == "recoded"]:
                found.pop((column, "unseen_categories"), None)  # the profiles tell which
            problems = sorted(found.values(), key=lambda e: (-e.strength, e.summary))
            out += problems
            if problems:
                out += quality_causes(self.name, model.name, problems)
        return out

    def _evidence(
        self,
        model: ModelFacts,
        kind: str,
        column: str | None,
        summary: str,
        strength: float,
        refs: tuple[Ref, ...],
        at: datetime | None,
        before: float | None,
        after: float | None,
        columns: Sequence[str] = (),
    ) -> Evidence:
        rescaled = kind == "rescaled"
        details = {"model": model.name, "column": column, "before": before, "after": after}
        supports: tuple[str, ...] = ("schema_change",) if rescaled else SUPPORTS
        if kind == "unseen_categories":
            supports = ("data_drift", *SUPPORTS)
        return Evidence(
            self.name,
            kind,
            f"{model.name}: {summary}",
            clamp(strength),
            SYMPTOM_WEIGHT,
            supports=supports,
            refutes=("data_drift", "external_change") if rescaled else (),
            refs=refs,
            at=at,
            details=details | ({"columns": list(columns)} if columns else {}),
        )

    def _monitors(self, model: ModelFacts, onset: datetime) -> list[Evidence]:
        out = []
        for monitor, rows in model.monitors_of(*PROBLEMS).items():
            before, after = _split(rows, onset)
            bad = [o for o in after if o.healthy is False]
            if not bad:
                continue
            kind = PROBLEMS[bad[0].type]
            if kind == "null_spike":
                out += self._nulls(model, monitor, before, bad)
                continue
            usual = median(o.value for o in before if o.value is not None) or 0.0
            worst = max(bad, key=lambda o: o.value or 0.0)
            value = worst.value or 0.0
            column = worst.column
            what = f"{monitor} ({column})" if column else monitor
            extra = ""
            if kind == "unseen_categories" and worst.details.get("examples"):
                extra = f": {short_list([str(x) for x in worst.details['examples']], 3)}"
            broken = sorted({str(c) for o in bad for c in o.details.get("broken_columns") or []})
            if broken:
                extra = f": broken {short_list(broken, 3)}"
            out.append(
                self._evidence(
                    model,
                    kind,
                    column,
                    f"{what} at {value:.3g} from {bad[0].window_start:%Y-%m-%d %H:%M} "
                    f"(usual {usual:.3g}){extra}",
                    0.6 + 0.4 * len(bad) / max(len(after), 1),
                    (Ref("observation", bad[0].id, monitor), Ref("observation", worst.id, monitor)),
                    bad[0].window_start,
                    usual,
                    value,
                    broken,
                )
            )
        return out

    def _nulls(
        self, model: ModelFacts, monitor: str, before: list[Observed], bad: list[Observed]
    ) -> list[Evidence]:
        rates: dict[str, list[tuple[Observed, float]]] = {}
        for o in bad:
            per = o.details.get("rates") or ({o.column: o.value} if o.column else {})
            for column, rate in per.items():
                if rate is not None:
                    rates.setdefault(column, []).append((o, float(rate)))
        out = []
        for column, seen in rates.items():
            was = (
                median(
                    float((o.details.get("rates") or {}).get(column, o.value or 0.0) or 0.0)
                    for o in before
                )
                or 0.0
            )
            first, top = seen[0][0], max(r for _, r in seen)
            if top < was + 0.05:
                continue
            out.append(
                self._evidence(
                    model,
                    "null_spike",
                    column,
                    f"{column} null in {top:.0%} of rows from {first.window_start:%Y-%m-%d %H:%M} "
                    f"(usual {was:.0%})",
                    0.5 + 0.5 * min(1.0, (top - was) / 0.3),
                    (Ref("observation", first.id, monitor),),
                    first.window_start,
                    was,
                    top,
                )
            )
        return out

    def _profiles(self, model: ModelFacts, onset: datetime) -> list[Evidence]:
        before = [p for t, p in model.profiles if t < onset]
        after = [p for t, p in model.profiles if t >= onset]
        start = min((t for t, _ in model.profiles if t >= onset), default=None)
        out = []
        for column, kind, was, now, message in profile_findings(before, after, model.reference):
            if kind == "recoded":
                strength = 0.9
            elif kind == "rescaled":
                strength = 1.0 if message.endswith("a unit change") else 0.8
            elif kind in ("frozen", "out_of_range"):
                strength = 0.9
            else:
                strength = 0.5 + 0.5 * min(1.0, (now - was) / 0.3)
            refs = (Ref("window", start.isoformat(), "window profiles"),) if start else ()
            out.append(
                self._evidence(model, kind, column, message, strength, refs, start, was, now)
            )
        return out

    def _volume(self, model: ModelFacts, onset: datetime, now: datetime) -> list[Evidence]:
        per: dict[datetime, int] = {}
        for start, _, _, rows in model.traffic:
            per[start] = per.get(start, 0) + rows
        usual = median(n for t, n in per.items() if t < onset)
        closed = [t for t in per if onset <= t and t + model.window <= now]
        starts = sorted(closed)
        if not usual or not starts:
            return []
        low = [t for t in starts if per[t] < VOLUME_DROP * usual]
        if not low:
            return []
        least = min(per[t] for t in low)
        return [
            self._evidence(
                model,
                "volume_drop",
                None,
                f"volume fell to {least:,} rows a window from {low[0]:%Y-%m-%d %H:%M} "
                f"(usual {usual:,.0f})",
                0.5 + 0.5 * (1 - least / usual),
                (Ref("window", low[0].isoformat(), "rows logged"),),
                low[0],
                usual,
                float(least),
            )
        ]

    def _refusals(self, model: ModelFacts, onset: datetime, now: datetime) -> list[Evidence]:
        after = [t for t in model.refusals if onset - model.window <= t < now]
        before = [t for t in model.refusals if t < onset - model.window]
        if not after:
            return []
        return [
            self._evidence(
                model,
                "rejected_batches",
                None,
                f"{len(after)} batches refused since the onset (before: {len(before)})",
                0.6 + 0.4 * min(1.0, len(after) / 5),
                (Ref("window", min(after).isoformat(), "refused batches"),),
                min(after),
                float(len(before)),
                float(len(after)),
            )
        ]
