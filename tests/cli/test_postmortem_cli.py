"""``smokejumper postmortem ...`` against a real server (``smokejumper serve`` in a subprocess),
as people type it: the draft to a file in each format, sections written from the command line
and from YAML, their history, the status, the library, and ``lint`` offline for CI."""

from __future__ import annotations

import json
from pathlib import Path

import pypdf
import pytest
from tests.cli.support import cli

from smokejumper.harness import ServerHarness


@pytest.mark.slow
def test_a_post_mortem_from_the_command_line(server: ServerHarness, tmp_path: Path) -> None:
    made = cli(
        server, "incident", "declare", "fraud scores frozen", "--severity", "SEV2", "--by", "li"
    )
    assert made.returncode == 0, made.stderr
    blaming = cli(
        server, "postmortem", "edit", "INC-1", "root_cause", "--text",
        "The operator forgot to resume the snapshot job.", "--by", "li",
    )  # fmt: skip
    assert blaming.returncode == 0, blaming.stderr
    assert "Saved root_cause revision 1." in blaming.stdout
    assert "blameless check:" in blaming.stdout
    assert "'The operator forgot'" in blaming.stdout
    fixed = cli(
        server, "postmortem", "edit", "INC-1", "root_cause", "--text",
        "The snapshot job stayed paused after maintenance.", "--by", "li",
    )  # fmt: skip
    assert "revision 2" in fixed.stdout
    assert "blameless check" not in fixed.stdout
    bones = tmp_path / "fishbone.yaml"
    bones.write_text("- {category: infrastructure, cause: pause has no expiry}\n")
    assert (
        cli(server, "postmortem", "edit", "INC-1", "fishbone", "--file", str(bones)).returncode == 0
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {category: people, cause: li}\n")
    refused = cli(server, "postmortem", "edit", "INC-1", "fishbone", "--file", str(bad))
    assert refused.returncode == 2
    assert "not one of data, model" in refused.stderr

    history = cli(server, "postmortem", "history", "INC-1", "root_cause", "--format", "json")
    assert [r["number"] for r in json.loads(history.stdout)] == [1, 2]
    sections = cli(server, "postmortem", "sections", "INC-1")
    assert "fishbone" in sections.stdout
    assert "root_cause" in sections.stdout

    for fmt, check in (
        ("markdown", lambda b: b.startswith(b"# Post-mortem INC-1: fraud scores frozen")),
        ("html", lambda b: b"<svg" in b and b"pause has no expiry" in b),
        (
            "pdf",
            lambda b: (
                "fraud scores frozen"
                in pypdf.PdfReader(str(tmp_path / "pm.pdf")).pages[0].extract_text()
            ),
        ),
    ):
        target = tmp_path / f"pm.{ {'markdown': 'md'}.get(fmt, fmt) }"
        wrote = cli(server, "postmortem", "INC-1", "--format", fmt, "-o", str(target))
        assert wrote.returncode == 0, wrote.stderr
        assert f"Wrote {target}" in " ".join(wrote.stderr.split())
        assert check(target.read_bytes()), fmt
    stdout = cli(server, "postmortem", "INC-1")
    assert "## Root cause\n\nThe snapshot job stayed paused after maintenance." in stdout.stdout

    assert cli(server, "postmortem", "status", "INC-1", "final", "--by", "li").returncode == 0
    found = cli(server, "postmortem", "search", "snapshot", "paused", "--format", "json")
    assert [p["incident_id"] for p in json.loads(found.stdout)] == ["INC-1"]
    listed = cli(server, "postmortem", "list", "--status", "final")
    assert "fraud scores frozen" in listed.stdout
    counted = cli(server, "postmortem", "causes", "--period", "year", "--format", "json")
    assert json.loads(counted.stdout)["total"]["categories"] == {"infrastructure": 1}
    unconfigured = cli(server, "postmortem", "publish", "INC-1")
    assert unconfigured.returncode == 2
    assert "integrations: confluence:" in unconfigured.stderr


def test_lint_fails_ci_on_blaming_wording_and_passes_the_rephrasing(tmp_path: Path) -> None:
    blaming = tmp_path / "inc-7.md"
    blaming.write_text("# INC-7\n\nThe on-call engineer ignored the page.\n")
    systemic = tmp_path / "inc-8.md"
    systemic.write_text("# INC-8\n\nThe page went to a channel nobody watched at night.\n")
    flagged = cli(None, "postmortem", "lint", str(blaming), str(systemic))
    assert flagged.returncode == 1
    assert f"{blaming}:line 3, column 1: 'The on-call engineer ignored'" in " ".join(
        flagged.stdout.split()
    )
    assert "1 finding(s) in 2 file(s)" in flagged.stdout
    clean = cli(None, "postmortem", "lint", str(systemic))
    assert clean.returncode == 0
    assert "No blaming wording in 1 file(s)." in clean.stdout
