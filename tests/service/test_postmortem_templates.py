"""A team's own post-mortem templates (``SMOKEJUMPER_POSTMORTEM_TEMPLATES``): the folder's
``postmortem.md.j2`` shapes the Markdown, the HTML and the PDF; its ``postmortem.html.j2`` the
page; a folder holding neither leaves the shipped ones; a broken template is refused by name."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pytest

from smokejumper.errors import PostmortemError
from smokejumper.service.incidents.actions import declare
from smokejumper.service.postmortems.documents import render
from smokejumper.service.setup import open_store

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_a_teams_templates_shape_every_format(database_url: str, tmp_path: Path) -> None:
    engine, sessions = open_store(database_url)
    try:
        made = declare(sessions, "checkout latency", "SEV3", NOW, actor="ana", models=["checkout"])
        ours = tmp_path / "templates"
        ours.mkdir()
        (ours / "postmortem.md.j2").write_text(
            "# ACME review of {{ pm.incident.id }}\n\n"
            "Models: {{ pm.incident.models | join(', ') }}\n"
        )
        markdown = render(sessions, made["id"], "markdown", NOW, ours).decode()
        assert markdown == f"# ACME review of {made['id']}\n\nModels: checkout\n"
        html = render(sessions, made["id"], "html", NOW, ours).decode()
        assert f"<h1>ACME review of {made['id']}</h1>" in html
        assert "<title>Post-mortem" in html  # the shipped page around it
        pdf = pypdf.PdfReader(io.BytesIO(render(sessions, made["id"], "pdf", NOW, ours)))
        assert "ACME review of" in pdf.pages[0].extract_text()

        (ours / "postmortem.html.j2").write_text("<html><body>{{ body }}<p>ACME</p></body></html>")
        page = render(sessions, made["id"], "html", NOW, ours).decode()
        assert page.startswith("<html><body><h1>ACME review")

        shipped = render(sessions, made["id"], "markdown", NOW, tmp_path).decode()
        assert shipped.startswith(f"# Post-mortem {made['id']}: checkout latency")

        (ours / "postmortem.md.j2").write_text("{{ pm.no_such_part }}")
        with pytest.raises(PostmortemError, match="no_such_part"):
            render(sessions, made["id"], "markdown", NOW, ours)
    finally:
        engine.dispose()
