"""Post-mortems through the real API (SQLite and PostgreSQL): an incident opened by alerts after
a pipeline run with a tenth of its usual rows and an alias move, with notes; its draft holds the
real numbers and events in order; sections keep their revisions; the blameless check flags a
blaming sentence and passes its rephrasing; the fishbone and the charts render (parsed, not
looked at); the PDF opens and holds the title and the timeline; the incident closes only once
its post-mortem is final; the library finds it and counts its causes."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pypdf
from tests.server.support import client, records
from tests.server.test_incident_analysis_api import feature_run, hour_of, log, setup_model
from tests.server.test_lineage_api import lineage_client
from tests.support import RunningServer

SVG = "{http://www.w3.org/2000/svg}"

BLAMING = "The data engineer forgot to check the row count before publishing."
REPHRASED = "The feature pipeline published the snapshot with no check of its row count."


def open_incident(c: httpx.Client, server: RunningServer, now: datetime) -> dict[str, Any]:
    """The incident the alerts open: a broken feature run, an alias move, then nulls."""
    onset = hour_of(now, 3)
    broken = hour_of(now, 4) + timedelta(minutes=10)
    setup_model(c)
    lineage = lineage_client(server, server.admin)
    for days, rows in ((3, 10_000), (2, 10_200), (1, 9_900)):
        lineage.emit(feature_run(broken - timedelta(days=days), rows, f"snap-{4 - days}"))
    lineage.emit(feature_run(broken, 950, "snap-4"))
    move = {
        "time": (onset - timedelta(minutes=20)).isoformat(),
        "kind": "alias_move",
        "model": "churn",
        "summary": "champion: v1 -> v2",
    }
    assert c.post("/api/v1/changes", json=move).status_code == 201
    for hours_ago, start in ((7, 0), (6, 1000), (5, 2000)):
        log(c, records(100, start, hour=hour_of(now, hours_ago) + timedelta(minutes=5)), "v1")
    log(c, records(400, 3000, hour=onset + timedelta(minutes=5)), "v2", nulls=True)
    assert c.post("/api/v1/evaluate").json()["alerts"] >= 1
    (incident,) = c.get("/api/v1/incidents").json()
    return dict(incident)


def svgs(html: str) -> list[ET.Element]:
    """Every inline SVG of a page, parsed."""
    return [ET.fromstring(m) for m in re.findall(r"<svg\b.*?</svg>", html, flags=re.S)]


def texts(svg: ET.Element) -> list[str]:
    """The texts drawn in an SVG, and the titles (tooltips) holding whole what is cut short."""
    return [t.text or "" for tag in ("text", "title") for t in svg.iter(f"{SVG}{tag}")]


def test_a_post_mortem_from_the_facts_to_closing(server: RunningServer) -> None:
    now = datetime.now(UTC)
    with client(server) as c:
        incident = open_incident(c, server, now)
        iid = incident["id"]
        for text in ("rolled back champion to v1", "row count of snap-4 confirmed low"):
            assert c.post(f"/api/v1/incidents/{iid}/notes", json={"text": text, "by": "ana"})
        gate = {
            "type": "prevent",
            "description": "add a row-count gate to churn_features",
            "owner": "data-platform",
            "due": (now - timedelta(days=2)).date().isoformat(),
            "by": "ana",
        }
        item = c.post(f"/api/v1/incidents/{iid}/actions", json=gate)
        assert item.status_code == 201, item.text
        shown = c.get(f"/api/v1/incidents/{iid}").json()

        # The draft holds the real numbers and events, in time order.
        draft = c.get(f"/api/v1/incidents/{iid}/postmortem", params={"format": "json"}).json()
        assert draft["status"] == "draft"
        assert draft["title"].startswith(f"Post-mortem {iid}")
        [counted] = shown["blast_radius"]["models"]
        affected, total = counted["affected_predictions"], counted["predictions"]
        assert affected == 400
        assert total == 400, counted
        assert draft["impact"]["numbers"]["Predictions affected"] == f"{affected:,} of {total:,}"
        assert draft["summary"]["generated"]
        assert f"{affected:,} of {total:,}" in draft["summary"]["text"]
        times = [row["at"] for row in draft["timeline"]]
        assert times == sorted(times)
        whats = [row["what"] for row in draft["timeline"]]
        assert any("champion: v1 -> v2" in w for w in whats)  # the change before the onset
        assert next(r for r in draft["timeline"] if "champion" in r["what"])["before_onset"]
        assert whats.index("rolled back champion to v1") < whats.index(
            "row count of snap-4 confirmed low"
        )
        kinds = [row["kind"] for row in draft["timeline"]]
        assert {"opened", "alert_fired", "onset", "note", "change"} <= set(kinds)
        assert draft["detection"]["How"].startswith("by Smokejumper's alerts (age-nulls")
        assert draft["detection"]["Onset"] == hour_of(now, 3).strftime("%Y-%m-%d %H:%M UTC")

        [listed] = draft["action_items"]
        assert (listed["id"], listed["owner"], listed["overdue"]) == (
            item.json()["id"],
            "data-platform",
            True,
        )
        assert any(r["kind"] == "action_item" for r in draft["timeline"])

        markdown = c.get(f"/api/v1/incidents/{iid}/postmortem").text
        assert markdown.startswith(f"# Post-mortem {iid}: ")
        assert (
            f"| {listed['id']}: add a row-count gate to churn_features | prevent | data-platform |"
            in markdown
        )
        assert "| open (overdue) |" in markdown
        assert f"| Predictions affected | {affected:,} of {total:,} |" in markdown
        assert markdown.index("rolled back champion") < markdown.index("confirmed low")

        # People write the analysis; each save is a revision; blaming wording is flagged.
        put = f"/api/v1/incidents/{iid}/postmortem/sections"
        first = c.put(f"{put}/root_cause", json={"content": BLAMING, "by": "ana"}).json()
        assert first["number"] == 1
        assert {f["rule"] for f in first["findings"]} == {"person-subject"}
        assert first["findings"][0]["suggestion"]
        assert c.get(f"{put}").json()["blameless"] is False
        second = c.put(f"{put}/root_cause", json={"content": REPHRASED, "by": "ben"}).json()
        assert second["number"] == 2
        assert second["findings"] == []
        history = c.get(f"{put}/root_cause/revisions").json()
        assert [(r["number"], r["author"], r["content"]) for r in history] == [
            (1, "ana", BLAMING),
            (2, "ben", REPHRASED),
        ]
        onset_event = next(e for e in shown["timeline"] if e["kind"] == "onset")
        whys = [
            {
                "why": "Why did predictions degrade?",
                "because": "age arrived null in half the rows",
                "evidence": [{"kind": "event", "id": onset_event["id"]}],
            },
            {"why": "Why was age null?", "because": "snapshot snap-4 held a tenth of its rows"},
        ]
        assert c.put(f"{put}/five_whys", json={"content": whys, "by": "ana"}).status_code == 200
        fishbone = [
            {"category": "data", "cause": "snap-4 written with 950 rows"},
            {"category": "process", "cause": "no row-count gate before publishing"},
            {"category": "model", "cause": "v2 promoted the same hour"},
        ]
        assert c.put(f"{put}/fishbone", json={"content": fishbone, "by": "ana"}).status_code == 200
        bad = c.put(
            f"{put}/fishbone", json={"content": [{"category": "people", "cause": "x"}], "by": "a"}
        )
        assert bad.status_code == 422
        assert "data, model, infrastructure" in bad.json()["detail"]
        assert c.put(f"{put}/nonsense", json={"content": "x", "by": "a"}).status_code == 422
        assert c.get(f"{put}").json()["blameless"] is True

        markdown = c.get(f"/api/v1/incidents/{iid}/postmortem").text
        assert REPHRASED in markdown
        assert BLAMING not in markdown
        assert (
            f"age arrived null in half the rows (evidence: event `{onset_event['id']}`)" in markdown
        )
        assert "- **Process**: no row-count gate before publishing" in markdown

        # The HTML carries the fishbone and a chart of the monitor that fired, as SVG.
        page = c.get(f"/api/v1/incidents/{iid}/postmortem", params={"format": "html"})
        assert page.headers["content-type"].startswith("text/html")
        assert "<script" not in page.text
        assert "http://" not in page.text.replace("http://www.w3.org", "")
        drawn = svgs(page.text)
        bone = next(s for s in drawn if "Process" in texts(s))
        assert {"Data", "Model", "Infrastructure", "External", "Process"} <= set(texts(bone))
        assert "no row-count gate before publishing" in texts(bone)
        charts = [s for s in drawn if s is not bone and any("age-nulls" in t for t in texts(s))]
        assert len(charts) == 1
        assert len(charts[0].findall(f".//{SVG}path")) >= 2  # the line and its points

        # The PDF opens; its text holds the title and the timeline.
        pdf = c.get(f"/api/v1/incidents/{iid}/postmortem", params={"format": "pdf"})
        assert pdf.headers["content-type"] == "application/pdf"
        reader = pypdf.PdfReader(io.BytesIO(pdf.content))
        text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
        assert f"Post-mortem {iid}" in text
        assert "Timeline" in text
        assert "rolled back champion to v1" in text
        assert "champion: v1 -> v2" in text
        assert reader.metadata is not None
        assert reader.metadata.title.startswith("Post-mortem")

        # Closing waits for the post-mortem (or a forced close with its reason).
        patch = f"/api/v1/incidents/{iid}"
        assert c.patch(patch, json={"status": "resolved", "by": "ana"}).status_code == 200
        refused = c.patch(patch, json={"status": "closed", "by": "ana"})
        assert refused.status_code == 422
        assert "post-mortem" in refused.json()["detail"]
        no_reason = c.patch(patch, json={"status": "closed", "force": True, "by": "ana"})
        assert no_reason.status_code == 422
        assert "reason" in no_reason.json()["detail"]
        status = f"/api/v1/incidents/{iid}/postmortem/status"
        assert c.put(status, json={"status": "final", "by": "ana"}).json()["status"] == "final"
        closed = c.patch(patch, json={"status": "closed", "by": "ana"})
        assert closed.status_code == 200
        assert closed.json()["status"] == "closed", closed.text

        # The library finds it by what the post-mortem says and counts its causes.
        found = c.get("/api/v1/postmortems", params={"q": "row-count gate"}).json()
        assert [p["incident_id"] for p in found] == [iid]
        assert found[0]["categories"] == ["data", "model", "process"]
        assert c.get("/api/v1/postmortems", params={"q": "zeppelin"}).json() == []
        counted_causes = c.get("/api/v1/postmortems/causes", params={"period": "year"}).json()
        assert counted_causes["total"]["categories"] == {"data": 1, "model": 1, "process": 1}


def test_forced_close_records_its_reason(server: RunningServer) -> None:
    with client(server) as c:
        made = c.post(
            "/api/v1/incidents", json={"title": "latency spike", "severity": "SEV3", "by": "ana"}
        ).json()
        patch = f"/api/v1/incidents/{made['id']}"
        assert c.patch(patch, json={"status": "resolved", "by": "ana"}).status_code == 200
        forced = {"status": "closed", "force": True, "reason": "duplicate of a vendor outage"}
        assert c.patch(patch, json={**forced, "by": "ana"}).json()["status"] == "closed"
        timeline = c.get(f"{patch}/timeline").json()
        closing = [e for e in timeline if e["kind"] == "status_changed"][-1]
        assert "duplicate of a vendor outage" in closing["details"]["reason"]
        assert "post-mortem" in closing["details"]["reason"]
        unknown = c.get("/api/v1/incidents/INC-999/postmortem")
        assert unknown.status_code == 404
        wrong = c.get(f"/api/v1/incidents/{made['id']}/postmortem", params={"format": "docx"})
        assert wrong.status_code == 422
        assert "markdown, html, pdf, json" in wrong.json()["detail"]
        linted = c.post("/api/v1/postmortems/lint", json={"text": "Human error, again."}).json()
        assert [f["rule"] for f in linted["findings"]] == ["human-error"]
