"""The post-mortem's fishbone and 5 whys are suggested from the diagnosis while nobody has
written them, marked as suggestions and citing evidence; what people write replaces them."""

from __future__ import annotations

from datetime import timedelta

from tests.rca.support import HOUR, LOW, ONSET, feature_run, inputs, model, null_obs

from smokejumper.incidents import Incident
from smokejumper.postmortems.document import assemble
from smokejumper.postmortems.facts import Facts
from smokejumper.postmortems.render import to_markdown
from smokejumper.postmortems.sections import CATEGORIES, EVIDENCE_KINDS, Revision, parse_content
from smokejumper.rca import CATEGORIES as RCA_CATEGORIES
from smokejumper.rca import diagnose


def _hypotheses() -> list[dict[str, object]]:
    broken = feature_run("r-bad", ONSET - 2 * HOUR, 950, "snap-4")
    found = diagnose(inputs(model(observations=tuple(null_obs())), runs=((broken, (LOW,)),)))
    return found.to_dict()["hypotheses"]


def test_the_categories_agree_with_the_post_mortem() -> None:
    assert RCA_CATEGORIES == CATEGORIES


def test_suggested_until_written() -> None:
    incident, events = Incident.open(
        "INC-1", "churn: age null", "SEV2", ONSET, source="alerting", models=["churn"]
    )
    facts = Facts(incident, events, hypotheses=_hypotheses())
    pm = assemble(facts, {}, status="draft", now=ONSET + HOUR)
    assert pm.fishbone_suggested
    assert pm.five_whys_suggested
    assert pm.fishbone[0]["category"] == "data"
    assert pm.fishbone[0]["suggested"]
    assert "etl/churn_features" in pm.fishbone[0]["cause"]
    assert "snap-4" in pm.five_whys[1]["because"]
    cited = [e for step in pm.five_whys for e in step["evidence"]]
    assert {"kind": "run", "id": "r-bad"} in cited
    assert {"kind": "observation", "id": "nulls@0112"} in cited
    assert all(e["kind"] in EVIDENCE_KINDS for e in cited)
    parse_content("five_whys", list(pm.five_whys))  # people may save it as it stands
    parse_content("fishbone", list(pm.fishbone))
    text = to_markdown(pm)
    assert "Suggested by the root-cause analysis" in text
    assert pm.to_dict()["five_whys_suggested"] is True

    mine = Revision.make(
        "fishbone",
        1,
        [{"category": "process", "cause": "no row-count gate"}],
        "ana",
        ONSET + 2 * HOUR,
    )
    pm = assemble(facts, {mine.section: mine}, status="draft", now=ONSET + timedelta(hours=3))
    assert not pm.fishbone_suggested
    assert pm.five_whys_suggested
    assert [c["cause"] for c in pm.fishbone] == ["no row-count gate"]


def test_nothing_suggested_without_a_diagnosis() -> None:
    incident, events = Incident.open("INC-1", "t", "SEV3", ONSET, source="user", actor="ana")
    pm = assemble(Facts(incident, events), {}, status="draft", now=ONSET)
    assert pm.fishbone == ()
    assert pm.five_whys == ()
    assert not pm.fishbone_suggested
    assert "Suggested" not in to_markdown(pm)
