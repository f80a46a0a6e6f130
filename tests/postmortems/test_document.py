"""The post-mortem document, pure: sections checked, the facts assembled into the SRE
template's parts, rendered to Markdown, HTML (fishbone and charts as SVG) and PDF."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pypdf
import pytest

from smokejumper.errors import PostmortemError
from smokejumper.incidents import Incident, Timeline
from smokejumper.incidents.timeline import change, pin
from smokejumper.postmortems.document import assemble
from smokejumper.postmortems.facts import Facts, Point, Series, duration
from smokejumper.postmortems.fishbone import fishbone_svg
from smokejumper.postmortems.pdf import to_pdf
from smokejumper.postmortems.render import to_html, to_markdown
from smokejumper.postmortems.sections import Revision, Section, parse_content

T = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
SVG = "{http://www.w3.org/2000/svg}"


def facts() -> Facts:
    """A resolved incident with an onset, a change before it, a pinned note and a chart."""
    inc, opened = Incident.open(
        "INC-4", "fraud: merchant_id frozen", "SEV2", T, source="alerting", models=["fraud"]
    )
    inc, onset = inc.record_onset("merchant-stale", T - timedelta(hours=1))
    inc, noted = inc.note(
        "feature store snapshot stuck at 01:00", T + timedelta(minutes=9), actor="li"
    )
    inc, moved = inc.transition("mitigated", T + timedelta(minutes=30), actor="li")
    inc, ended = inc.transition("resolved", T + timedelta(hours=2), actor="li")
    deploy = change(
        "INC-4", "feature_store", "snapshot job paused", T - timedelta(hours=2), source="ci"
    )
    events = [*opened, *onset, *noted, *moved, *ended, deploy]
    line = Timeline().append(events)
    key = pin(noted[0], T + timedelta(minutes=10), actor="li")
    line = line.append(key)
    radius = {
        "models": [
            {
                "model": "fraud",
                "predictions": 8000,
                "affected_predictions": 2000,
                "segments": [{"segment": "EU", "affected_predictions": 2000, "share": 0.5}],
            }
        ],
        "error_budget": {
            "slos": [{"slo": "fraud-fresh", "burned_since_onset": 0.25, "budget_now": 0.6}]
        },
    }
    series = Series(
        "fraud",
        "merchant-stale",
        "frozen",
        tuple(Point(T + timedelta(hours=h), 0.1 if h < -1 else 0.9, h < -1) for h in range(-6, 3)),
    )
    return Facts(inc, tuple(line), frozenset(e.id for e in line.pinned()), (), radius, (series,))


def written() -> dict[Section, Revision]:
    revisions = [
        Revision.make(
            "root_cause", 1, "The snapshot job stayed paused after maintenance.", "li", T
        ),
        Revision.make(
            "fishbone",
            1,
            [
                {"category": "infrastructure", "cause": "pause had no expiry"},
                {"category": "process", "cause": "maintenance runbook has no resume step"},
            ],
            "li",
            T,
        ),
    ]
    return {r.section: r for r in revisions}


def test_the_facts_become_numbers_and_an_ordered_timeline() -> None:
    pm = assemble(facts(), written(), status="review", now=T + timedelta(hours=5))
    impact = dict(pm.impact)
    assert impact["Predictions affected"] == "2,000 of 8,000"
    assert impact["Share of traffic affected"] == "25.0%"
    assert impact["Duration"] == "3 h 00 min"  # onset 02:00 to resolved 05:00
    assert impact["Segments affected"] == "EU (50%)"
    assert impact["Error budget burned (fraud-fresh)"] == "25.0% of the budget (left: 60.0%)"
    detection = dict(pm.detection)
    assert detection["Time to detect"] == "1 h 00 min"
    assert detection["Time to mitigate"] == "30 min"  # from detection, as response metrics
    assert [r.at for r in pm.timeline] == sorted(r.at for r in pm.timeline)
    assert [r.what for r in pm.timeline if r.key] == ["feature store snapshot stuck at 01:00"]
    assert [r.kind for r in pm.timeline if r.before_onset] == ["change"]
    assert pm.root_cause.text == "The snapshot job stayed paused after maintenance."
    assert not pm.root_cause.generated
    assert pm.resolution.generated
    assert "status investigating -> mitigated" not in (pm.resolution.text or "")
    assert "status triage -> mitigated" in (pm.resolution.text or "")
    assert pm.authors == ("li",)


def test_markdown_html_and_pdf_carry_the_same_document() -> None:
    pm = assemble(facts(), written(), status="review", now=T + timedelta(hours=5))
    markdown = to_markdown(pm)
    assert "| Predictions affected | 2,000 of 8,000 |" in markdown
    assert "★" in markdown  # the pinned note is a key moment
    assert "- **Infrastructure**: pause had no expiry" in markdown
    assert "@@" not in markdown
    html = to_html(pm)
    drawn = [ET.fromstring(m) for m in re.findall(r"<svg\b.*?</svg>", html, flags=re.S)]
    assert len(drawn) == 2  # the fishbone and one chart
    chart_texts = [t.text for t in drawn[1].iter(f"{SVG}text")]
    assert "fraud / merchant-stale" in chart_texts
    reader = pypdf.PdfReader(io.BytesIO(to_pdf(pm)))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Post-mortem INC-4: fraud: merchant_id frozen" in text
    assert "feature store snapshot stuck at 01:00" in text
    assert sum(len(p.images) for p in reader.pages) == 2  # fishbone and chart


def test_a_custom_template_replaces_the_shipped_one() -> None:
    pm = assemble(facts(), {}, status="draft", now=T)
    assert (
        to_markdown(pm, "{{ pm.incident.id }} for {{ pm.incident.models[0] }}")
        == "INC-4 for fraud\n"
    )
    with pytest.raises(PostmortemError, match="template"):
        to_markdown(pm, "{{ pm.nothing_here }}")


def test_what_people_write_in_html_is_shown_not_run() -> None:
    hostile = Revision.make("summary", 1, "<script>alert(1)</script> **bold**", "x", T)
    html = to_html(assemble(facts(), {Section.SUMMARY: hostile}, status="draft", now=T))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <strong>bold</strong>" in html


def test_sections_refuse_what_they_cannot_hold() -> None:
    with pytest.raises(PostmortemError, match="Markdown text"):
        parse_content("summary", ["a"])
    with pytest.raises(PostmortemError, match="'because' must be a non-empty string"):
        parse_content("five_whys", [{"why": "why?"}])
    with pytest.raises(PostmortemError, match="kind one of event, observation, change"):
        parse_content("five_whys", [{"why": "w", "because": "b", "evidence": [{"kind": "gut"}]}])
    with pytest.raises(PostmortemError, match="the sections are: summary, impact"):
        parse_content("conclusions", "x")


def test_the_fishbone_is_valid_svg_with_every_category() -> None:
    long_cause = "a cause far longer than any rib of the diagram could ever hold in one line"
    svg = ET.fromstring(
        fishbone_svg("p & q <broken>", [{"category": "external", "cause": long_cause}])
    )
    drawn = [t.text for t in svg.iter(f"{SVG}text")]
    assert drawn[0] == "p & q <broken>"
    assert {"Data", "Model", "Infrastructure", "External", "Process"} <= set(drawn)
    assert [t.text for t in svg.iter(f"{SVG}title")] == [long_cause]


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(40, "40 s"), (720, "12 min"), (7500, "2 h 05 min"), (3 * 86400 + 3600, "3 d 1 h")],
)
def test_durations_read_as_people_say_them(seconds: int, shown: str) -> None:
    assert duration(timedelta(seconds=seconds)) == shown
