"""What tabletop mode reveals after each answer: the evidence Smokejumper gathered (alerts and
timeline, blast radius, ranked hypotheses, the suggested mitigation, the post-mortem draft),
the drill's truth, and at the end the responder's score. Rendering only: the judging is in
:mod:`smokejumper.drills.tabletop`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from smokejumper.drills.scenario import Scenario
from smokejumper.drills.tabletop import (
    QUESTIONS,
    Answer,
    Question,
    mitigation_key,
    tally,
)
from smokejumper.drills.tabletop_truth import TabletopTruth
from smokejumper.incidents.taxonomy import taxonomy_label

if TYPE_CHECKING:
    # For the annotations only: the runner loads the drill model (scikit-learn).
    from smokejumper.drills.runner import DrillResult

#: How many hypotheses, segments and changes are shown at most.
SHOWN = 8
#: Timeline events that would give the cause away before step 3.
SPOILERS = frozenset({"diagnosed", "labels_changed"})


@dataclass(frozen=True)
class Gathered:
    """What the drill's server answered: the run, the model's alerts, and for its incident the
    ranked hypotheses (None: the server has no diagnosis) and the post-mortem draft."""

    result: DrillResult
    alerts: list[dict[str, Any]]
    hypotheses: list[dict[str, Any]] | None
    postmortem: str | None

    @property
    def incident(self) -> dict[str, Any] | None:
        """The incident the drill opened (None: none opened)."""
        return self.result.incident


def blast_share(incident: dict[str, Any] | None) -> float | None:
    """The largest share of a model's predictions the incident affected (None: no incident).

    >>> radius = {"models": [{"share_of_traffic": 0.25}, {"share_of_traffic": 0.5}]}
    >>> blast_share({"blast_radius": radius}), blast_share(None)
    (0.5, None)
    """
    if incident is None:
        return None
    models = (incident.get("blast_radius") or {}).get("models") or []
    return max((float(m.get("share_of_traffic") or 0.0) for m in models), default=0.0)


def _verdict(verdict: bool | None) -> str:
    if verdict is None:
        return "[yellow]not judged[/]"
    return "[green]right[/]" if verdict else "[red]not right[/]"


def _choice_text(question: Question, key: str | None) -> str:
    return next((c.text for c in question.choices if c.key == key), key or "your own words")


def _you(console: Console, question: Question, answer: Answer, verdict: bool | None) -> None:
    console.print(
        f"\nYou said: {answer.text} ([italic]{_choice_text(question, answer.key)}[/]): "
        f"{_verdict(verdict)}."
    )


def _short(details: dict[str, Any]) -> str:
    for key in ("summary", "title", "text", "monitor"):
        if details.get(key):
            return str(details[key])
    parts = [f"{k}={v}" for k, v in details.items() if isinstance(v, str | int | float) and v]
    return ", ".join(parts)[:160]


def nearest(changes: list[dict[str, Any]], onset: str) -> list[dict[str, Any]]:
    """The changes nearest the onset, in time order: the last few before it (the candidates for
    a trigger) and the first few at or after it, :data:`SHOWN` in all.

    >>> at = [{"time": f"2026-11-30T{h:02d}:00:00+00:00"} for h in range(12)]
    >>> [c["time"][11:13] for c in nearest(at, "2026-11-30T08:00:00+00:00")]
    ['03', '04', '05', '06', '07', '08', '09', '10']
    """
    ordered = sorted(changes, key=lambda c: str(c["time"]))
    before = [c for c in ordered if onset and str(c["time"]) < onset]
    after = ordered[len(before) :]
    shown = before[-(SHOWN - 3) :]
    return shown + after[: SHOWN - len(shown)]


def _alerts_and_timeline(console: Console, g: Gathered, truth: TabletopTruth) -> None:
    table = Table(title="Alerts of the model")
    for column in ("monitor", "severity", "state", "what"):
        table.add_column(column)
    for alert in g.alerts:
        labels, notes = alert.get("labels", {}), alert.get("annotations", {})
        what = notes.get("description") or notes.get("summary") or ""
        table.add_row(labels.get("monitor", "-"), labels.get("severity", "-"), alert["state"], what)
    console.print(table if g.alerts else "No alert fired for the model.")
    incident = g.incident
    if incident is None:
        console.print("[bold]No incident opened.[/] Nothing paged: the alerts above, if any, warn.")
        return
    console.print(
        f"Incident [bold]{incident['id']}[/] ({incident['severity']}): {incident['title']}; "
        f"onset {incident.get('onset_at') or '-'}, detected {incident.get('detected_at')}."
    )
    timeline = Table(title="Timeline")
    for column in ("time", "event", "source", "what"):
        timeline.add_column(column)
    for event in incident.get("timeline", [])[: SHOWN * 2]:
        what = _short(event.get("details") or {})
        if event["kind"] in SPOILERS:
            what = "(revealed at step 3)"
        timeline.add_row(event["at"], event["kind"], event.get("source") or "", what)
    console.print(timeline)
    onset = incident.get("onset_at") or ""
    changes = incident.get("changes") or []
    if not changes:
        console.print("No change (deploy, alias move, data, pipeline) was recorded around it.")
        return
    table = Table(title="Changes nearest the onset")
    for column in ("time", "kind", "summary", "before the onset"):
        table.add_column(column)
    for change in nearest(changes, onset):
        before = "⚑ yes" if onset and change["time"] < onset else "no"
        table.add_row(change["time"], change["kind"], change.get("summary") or "", before)
    console.print(table)


def _blast_radius(console: Console, g: Gathered, truth: TabletopTruth) -> None:
    incident = g.incident
    if incident is None:
        console.print("No incident, so no blast radius: no prediction is known to be harmed.")
        return
    radius = incident.get("blast_radius") or {}
    for model in radius.get("models") or []:
        console.print(
            f"Model [bold]{model['model']}[/]: {model['affected_predictions']} of "
            f"{model['predictions']} predictions since the onset affected "
            f"({float(model['share_of_traffic'] or 0):.0%}); {model.get('affected_by') or ''}."
        )
        segments = Table(title="Segments")
        for column in ("segment", "affected", "share"):
            segments.add_column(column)
        for s in (model.get("segments") or [])[:SHOWN]:
            affected = f"{s['affected_predictions']} of {s['predictions']}"
            segments.add_row(s["segment"], affected, f"{s['share']:.0%}")
        if model.get("segments"):
            console.print(segments)
    budget = radius.get("error_budget") or {}
    for slo in budget.get("slos") or []:
        console.print(f"Error budget: {_short(slo) or slo}")
    if not budget.get("slos"):
        console.print(f"Error budget: {budget.get('reason') or 'not measured'}.")
    downstream = radius.get("downstream") or {}
    if downstream.get("datasets") or downstream.get("jobs"):
        found = [*downstream.get("datasets", []), *downstream.get("jobs", [])]
        names = [
            f"{x.get('namespace', '')}/{x.get('name', '')}" if isinstance(x, dict) else str(x)
            for x in found
        ]
        console.print(f"Downstream of the broken run: {', '.join(names)}.")


def _hypotheses(console: Console, g: Gathered, scenario: Scenario, truth: TabletopTruth) -> None:
    if g.incident is None:
        console.print("No incident opened, so no diagnosis ran.")
    elif g.hypotheses is None:
        console.print("This server has no diagnosis (GET .../hypotheses answered 404).")
    elif not g.hypotheses:
        console.print("The diagnosis found no hypothesis.")
    else:
        table = Table(title="Smokejumper's ranked hypotheses")
        for column in ("rank", "label", "confidence", "cause"):
            table.add_column(column)
        for h in g.hypotheses[:SHOWN]:
            table.add_row(str(h.get("rank")), h.get("label", "-"), f"{h.get('confidence', 0):.0%}",
                          h.get("title", ""))  # fmt: skip
        console.print(table)
        top = g.hypotheses[0].get("label")
        console.print(f"Its top hypothesis names {top}: {_verdict(top in truth.cause)}.")
    component = scenario.truth.component
    named = f"{component.kind}: {component.name}" if component.name else component.kind
    label = scenario.truth.label
    console.print(
        f"\n[bold]The truth:[/] {scenario.title}. {scenario.story}\nLabel: "
        f"{taxonomy_label(label).name if label else 'none'}; root cause: {named}; "
        f"an incident {'must' if scenario.truth.incident else 'must not'} open."
    )


def _mitigation(console: Console, g: Gathered, scenario: Scenario, truth: TabletopTruth) -> None:
    top = (g.hypotheses or [{}])[0]
    suggested = str(top.get("mitigation") or "")
    if suggested:
        key = mitigation_key(suggested)
        console.print(
            f"Smokejumper suggests (top hypothesis): {suggested} "
            f"({_choice_text(QUESTIONS[3], key)}: {_verdict(key in truth.mitigation)})."
        )
    else:
        console.print("Smokejumper has no suggested mitigation here (no hypothesis names one).")
    accepted = " or ".join(_choice_text(QUESTIONS[3], k) for k in truth.mitigation)
    console.print(f"[bold]The truth:[/] {accepted}: {truth.mitigation_why}.")


Reveal = Callable[[Console, Gathered, Scenario, TabletopTruth], None]
REVEALS: dict[str, Reveal] = {
    "first_check": lambda c, g, s, t: _alerts_and_timeline(c, g, t),
    "blast_radius": lambda c, g, s, t: _blast_radius(c, g, t),
    "cause": _hypotheses,
    "mitigation": _mitigation,
}


def reveal(
    console: Console,
    question: Question,
    gathered: Gathered,
    scenario: Scenario,
    truth: TabletopTruth,
    answer: Answer,
    verdict: bool | None,
) -> None:
    """Say whether the answer was right, then show what Smokejumper gathered for ``question``."""
    _you(console, question, answer, verdict)
    accepted = truth.accepted(question.key)
    if accepted and verdict is not True:
        console.print(f"Expected: {' or '.join(_choice_text(question, k) for k in accepted)}.")
    console.print()
    REVEALS[question.key](console, gathered, scenario, truth)


def reveal_postmortem(console: Console, gathered: Gathered) -> None:
    """The generated post-mortem draft, rendered."""
    from rich.markdown import Markdown  # markdown-it: loaded only when a draft is shown

    if gathered.postmortem is None:
        console.print("No incident, so no post-mortem draft. A drill without harm ends here.")
        return
    console.print("[bold]The post-mortem draft Smokejumper wrote from the recorded facts:[/]\n")
    console.print(Markdown(gathered.postmortem))


def show_score(
    console: Console,
    judged: list[tuple[Question, Answer, bool | None]],
    truth: TabletopTruth,
) -> None:
    """The responder's answers against the truth, and the total."""
    table = Table(title="Your score")
    for column in ("question", "your answer", "verdict", "expected"):
        table.add_column(column)
    for question, answer, verdict in judged:
        expected = " or ".join(_choice_text(question, k) for k in truth.accepted(question.key))
        table.add_row(question.prompt, answer.text, _verdict(verdict), expected or "-")
    console.print(table)
    console.print(f"[bold]{tally([v for _, _, v in judged])}[/]")
