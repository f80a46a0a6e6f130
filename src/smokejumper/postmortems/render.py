"""The post-mortem as Markdown (pastes into Confluence and GitHub) and as self-contained,
offline HTML with its fishbone and charts inline.

The Markdown comes from one Jinja2 template (``templates/postmortem.md.j2``); the HTML is that
Markdown rendered (raw HTML in what people wrote is shown as text, never run) inside an HTML
page template (``templates/postmortem.html.j2``). A team may override either by passing its
own template text (the service reads it from the folder the config names).

>>> from datetime import UTC, datetime
>>> from smokejumper.incidents import Incident
>>> from smokejumper.postmortems.document import Facts, assemble
>>> t = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
>>> inc, events = Incident.open("INC-1", "churn: income null", "SEV2", t, source="user",
...                             actor="ana", models=["churn"])
>>> pm = assemble(Facts(inc, events), {}, status="draft", now=t)
>>> to_markdown(pm).splitlines()[0]
'# Post-mortem INC-1: churn: income null'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

import jinja2
from markdown_it import MarkdownIt

from smokejumper.errors import PostmortemError
from smokejumper.postmortems.charts import chart_svg
from smokejumper.postmortems.document import Part, PostMortem
from smokejumper.postmortems.facts import when
from smokejumper.postmortems.fishbone import fishbone_svg
from smokejumper.postmortems.sections import CATEGORIES

#: Paragraphs the HTML replaces with the drawings (the Markdown keeps them out).
FISHBONE_MARK = "@@fishbone@@"
CHARTS_MARK = "@@charts@@"


@cache
def shipped_template(name: str) -> str:
    """The text of a template shipped with Smokejumper (``postmortem.md.j2`` or
    ``postmortem.html.j2``)."""
    return (resources.files("smokejumper.postmortems") / "templates" / name).read_text("utf-8")


def _part(part: Part) -> str:
    if part.text is None:
        return "_Not written yet._"
    if part.generated:
        return (
            f"{part.text}\n\n_Generated from the recorded facts; edit this section to replace it._"
        )
    return part.text


def _cite(evidence: Sequence[Mapping[str, str]]) -> str:
    if not evidence:
        return ""
    return " (evidence: " + ", ".join(f"{e['kind']} `{e['id']}`" for e in evidence) + ")"


def _cell(value: object) -> str:
    return " ".join(str(value or "-").split()).replace("|", "\\|")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # Markdown: escaping happens when the HTML is rendered from it
    )
    env.globals.update(part=_part, cite=_cite, cell=_cell, when=when, categories=CATEGORIES)
    return env


def _render(template: str, **context: Any) -> str:
    try:
        return _environment().from_string(template).render(**context)
    except jinja2.TemplateError as err:
        raise PostmortemError(
            f"the post-mortem template cannot be rendered: {err}; check the template the "
            "configuration names (postmortems: templates:) against the shipped one"
        ) from err


def to_markdown(pm: PostMortem, template: str | None = None, *, marks: bool = False) -> str:
    """The document as Markdown; ``marks`` leaves the places of the fishbone and charts (for
    :func:`to_html`)."""
    text = _render(
        template or shipped_template("postmortem.md.j2"),
        pm=pm,
        fishbone_mark=FISHBONE_MARK if marks else "",
        charts_mark=CHARTS_MARK if marks else "",
    )
    return text.rstrip() + "\n"


def body_html(markdown: str) -> str:
    """Markdown as HTML; raw HTML in it is shown as text (XHTML, so it also suits
    Confluence's storage format)."""
    md = MarkdownIt("commonmark", {"html": False, "xhtmlOut": True}).enable("table")
    return str(md.render(markdown))


def drawings(pm: PostMortem) -> tuple[str, list[str]]:
    """The fishbone's SVG ('' without causes) and each chart's SVG."""
    fishbone = fishbone_svg(pm.incident.title, pm.fishbone) if pm.fishbone else ""
    return fishbone, [chart_svg(s, pm.incident.onset_at) for s in pm.series]


def to_html(
    pm: PostMortem, markdown_template: str | None = None, page_template: str | None = None
) -> str:
    """The document as one self-contained HTML page (no script, no network)."""
    body = body_html(to_markdown(pm, markdown_template, marks=True))
    fishbone, charts = drawings(pm)
    body = body.replace(
        f"<p>{FISHBONE_MARK}</p>",
        f'<figure class="fishbone">{fishbone}</figure>' if fishbone else "",
    )
    body = body.replace(
        f"<p>{CHARTS_MARK}</p>",
        "".join(f'<figure class="chart">{svg}</figure>' for svg in charts),
    )
    return _render(
        page_template or shipped_template("postmortem.html.j2"),
        title=pm.title,
        body=body,
        generated=when(pm.generated_at),
    )
