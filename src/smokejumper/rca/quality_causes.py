"""The causes a model's data-quality symptoms make (used by the ``data_quality`` collector):

* a **data-quality break** (``data_quality:<model>``, :data:`CAUSE_WEIGHT` times the strongest
  problem's strength) naming the broken columns, for when no pipeline run explains it;
* a **unit change** (``schema:<model>``, :data:`UNIT_WEIGHT`) when a column was rescaled as a
  whole (its mean and spread multiplied by one factor: a specific signature, so it weighs
  more), naming the column;
* otherwise a **schema change** (``schema:<model>``, :data:`SCHEMA_WEIGHT`) when batches were
  refused or categories recoded (new values replacing known ones).

>>> e = Evidence("data_quality", "rescaled", "m: amount about 100 times its usual scale", 1.0,
...              1.0, supports=("schema_change",), details={"column": "amount"})
>>> [(c.cause.key, c.cause.subject["columns"]) for c in quality_causes("dq", "m", [e])]
[('data_quality:m', ['amount']), ('schema:m', ['amount'])]
"""

from __future__ import annotations

from collections.abc import Sequence

from smokejumper.rca.evidence import Cause, Evidence
from smokejumper.rca.series import short_list

CAUSE_WEIGHT = 0.8
SCHEMA_WEIGHT = 1.0
UNIT_WEIGHT = 1.5


def quality_causes(collector: str, model: str, problems: list[Evidence]) -> list[Evidence]:
    """The causes ``problems`` (a model's data-quality symptoms, the strongest first) make:
    the break itself, and a unit change (a rescaled column) or else a schema change (refused
    batches, recoded categories)."""
    shown = short_list([e.summary.split(": ", 1)[1] for e in problems], 3)
    columns = _columns(problems)
    named = f" ({short_list(columns, 3)})" if columns else ""
    cause = Cause(
        f"data_quality:{model}",
        "data_quality",
        "data",
        f"a data-quality break in {model}'s inputs{named}: {shown}",
        next_step="find which source or job writes the broken columns "
        f"({short_list(columns, 3) or 'see the evidence'}) "
        "and what changed there before the onset",
        mitigation="quarantine the affected batches and fall back to the last good data; "
        "fix the producer, then replay",
        subject={"model": model, "columns": columns},
    )
    top = problems[0]
    out = [
        Evidence(
            collector,
            "data_break",
            f"{model}: {len(problems)} data-quality problem(s) since the onset",
            top.strength,
            CAUSE_WEIGHT,
            cause=cause,
            refs=top.refs,
            at=top.at,
            details={"model": model, "columns": columns},
        )
    ]
    rescaled = [e for e in problems if e.kind == "rescaled"]
    refused = [e for e in problems if e.kind in ("rejected_batches", "recoded")]
    if rescaled:
        out.append(_unit_change(collector, model, rescaled))
    elif refused:
        schema = Cause(
            f"schema:{model}",
            "schema_change",
            "data",
            f"a schema or unit change in {model}'s inputs ({refused[0].summary})",
            next_step="read why the batches were refused (the ingest answers name the "
            "fields) and the producer's recent schema changes",
            mitigation="pin the producer to the old schema or map the new fields; replay "
            "the refused batches",
            subject={"model": model, "columns": _columns(refused)},
        )
        out.append(
            Evidence(
                collector,
                "schema_break",
                refused[0].summary,
                refused[0].strength,
                SCHEMA_WEIGHT,
                cause=schema,
                refs=refused[0].refs,
                at=refused[0].at,
                details={"model": model},
            )
        )
    return out


def _unit_change(collector: str, model: str, rescaled: list[Evidence]) -> Evidence:
    columns = _columns(rescaled)
    top = rescaled[0]
    cause = Cause(
        f"schema:{model}",
        "schema_change",
        "data",
        f"a unit change upstream of {model}: {short_list(columns, 3)} rescaled as a "
        f"whole ({top.summary.split(': ', 1)[1]})",
        next_step=f"ask the producer of {short_list(columns, 3)} whether its units or "
        "encoding changed at the onset (cents for euros, ms for s); compare a few raw "
        "values before and after",
        mitigation=f"convert {short_list(columns, 3)} back to the units the model was "
        "trained on at ingest, or pin the producer to the old units; replay the windows "
        "since the onset",
        subject={"model": model, "columns": columns, "column": columns[0]},
    )
    return Evidence(
        collector,
        "unit_change",
        f"{model}: {short_list(columns, 3)} rescaled as a whole since the onset",
        top.strength,
        UNIT_WEIGHT,
        cause=cause,
        refs=top.refs,
        at=top.at,
        details={"model": model, "columns": columns},
    )


def _columns(problems: Sequence[Evidence]) -> list[str]:
    """The columns the problems name, in the order of the problems."""
    named: dict[str, None] = {}
    for e in problems:
        for column in (e.details.get("column"), *(e.details.get("columns") or ())):
            if column:
                named.setdefault(str(column), None)
    return list(named)
