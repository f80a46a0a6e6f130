"""``smokejumper postmortem``: an incident's post-mortem from a running server
(SMOKEJUMPER_URL, SMOKEJUMPER_TOKEN): ``postmortem INCIDENT`` writes the document;
``edit``, ``sections``, ``history`` and ``status`` work on its sections; ``list``, ``search``
and ``causes`` read the library; ``lint`` checks Markdown files for blaming wording offline
(exit 1 on findings, for CI on a repository of post-mortems)."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.markup import escape
from rich.table import Table
from typer.core import TyperGroup

from smokejumper.cli.admin import By, Format, admin_client, check_format, emit, me
from smokejumper.cli.console import make_console
from smokejumper.errors import InputError
from smokejumper.postmortems.blameless import Finding, lint_markdown

#: What ``postmortem INCIDENT`` writes.
DOCUMENT_FORMATS = ("markdown", "html", "pdf", "json")


class _DocumentFirst(TyperGroup):
    """``postmortem INCIDENT ...`` means ``postmortem draft INCIDENT ...``: a first argument
    that is not a command names an incident."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["draft", *args]
        return super().parse_args(ctx, args)


postmortem_app = typer.Typer(
    cls=_DocumentFirst,
    help="Post-mortems: 'postmortem INCIDENT' writes the draft; edit its sections, lint, "
    "search the library.",
    no_args_is_help=True,
)


@postmortem_app.command("draft")
def draft(
    incident_id: str,
    fmt: Annotated[
        str, typer.Option("--format", help="markdown, html (self-contained), pdf or json")
    ] = "markdown",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="write it here")] = None,
) -> None:
    """The incident's post-mortem, assembled now from its facts and the sections written
    (the same as 'smokejumper postmortem INCIDENT')."""
    if fmt not in DOCUMENT_FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of: {', '.join(DOCUMENT_FORMATS)}")
    if fmt == "pdf" and output is None and sys.stdout.isatty():
        raise InputError("a PDF is not for the terminal: give -o FILE.pdf")
    with admin_client() as admin:
        body = admin.postmortem(incident_id, fmt)
    if output is None:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
        return
    output.write_bytes(body)
    make_console(stderr=True).print(f"Wrote {output} ({len(body):,} bytes).")


def _content(section: str, text: str | None, file: Path | None) -> str | list[dict[str, Any]]:
    if (text is None) == (file is None):
        raise InputError("give the section's content with --text TEXT or --file FILE")
    raw = text if text is not None else Path(file).read_text("utf-8")  # type: ignore[arg-type]
    if section.replace("-", "_") not in ("five_whys", "fishbone"):
        return raw
    try:
        parsed = yaml.safe_load(raw)
    except yaml.YAMLError as err:
        raise InputError(f"{section} is a YAML or JSON list; it does not parse: {err}") from err
    if not isinstance(parsed, list):
        raise InputError(
            f"{section} is a list: of {{why, because, evidence}} for five_whys, of "
            "{category, cause, evidence} for fishbone"
        )
    return parsed


@postmortem_app.command("edit")
def edit(
    incident_id: str,
    section: Annotated[
        str,
        typer.Argument(
            help="summary, impact, root_cause, trigger, five_whys, fishbone, resolution, "
            "went_well, went_wrong, lucky, lessons"
        ),
    ],
    text: Annotated[str | None, typer.Option(help="the new text")] = None,
    file: Annotated[
        Path | None,
        typer.Option(help="read it from FILE (Markdown; YAML/JSON list for five_whys, fishbone)"),
    ] = None,
    by: By = None,
) -> None:
    """Save a new revision of a section and show what the blameless check found in it."""
    content = _content(section, text, file)
    with admin_client() as admin:
        saved = admin.write_section(incident_id, section, content, by=me(by))
    console = make_console()
    console.print(f"Saved {saved['section']} revision {saved['number']}.")
    for finding in saved["findings"]:
        console.print(f"[yellow]blameless check:[/] {escape(str(Finding.from_dict(finding)))}")


def sections_table(answer: Mapping[str, Any]) -> Table:
    """The post-mortem's sections as a table."""
    table = Table(
        title=f"{answer['incident_id']}: post-mortem {answer['status']}", title_justify="left"
    )
    for column in ("section", "revision", "by", "at", "findings"):
        table.add_column(column)
    for name, revision in answer["sections"].items():
        table.add_row(
            name,
            str(revision["number"]),
            escape(revision["author"]),
            revision["at"],
            str(len(revision["findings"])) if revision["findings"] else "",
        )
    return table


@postmortem_app.command("sections")
def sections(incident_id: str, fmt: Format = "table") -> None:
    """The post-mortem's status and the current revision of each section written."""
    check_format(fmt)
    with admin_client() as admin:
        answer = admin.postmortem_sections(incident_id)
    emit(answer, fmt, sections_table)


def _revisions_table(revisions: Sequence[Mapping[str, Any]]) -> Table:
    table = Table()
    for column in ("revision", "by", "at", "content"):
        table.add_column(column)
    for r in revisions:
        shown = r["content"] if isinstance(r["content"], str) else yaml.safe_dump(r["content"])
        table.add_row(str(r["number"]), escape(r["author"]), r["at"], escape(shown[:300]))
    return table


@postmortem_app.command("history")
def history(incident_id: str, section: str, fmt: Format = "table") -> None:
    """Every revision of a section: who changed what, when."""
    check_format(fmt)
    with admin_client() as admin:
        found = admin.section_revisions(incident_id, section)
    emit(found, fmt, _revisions_table)


@postmortem_app.command("status")
def status(
    incident_id: str,
    to: Annotated[str, typer.Argument(help="draft, review or final")],
    by: By = None,
) -> None:
    """Move the post-mortem to draft, review or final (the incident closes once it is final)."""
    with admin_client() as admin:
        answer = admin.set_postmortem_status(incident_id, to, by=me(by))
    make_console().print(f"The post-mortem of {incident_id} is {answer['status']}.")


@postmortem_app.command("publish")
def publish(incident_id: str, by: By = None) -> None:
    """Publish the post-mortem to Confluence (a page created once, updated in place)."""
    with admin_client() as admin:
        answer = admin.publish_postmortem(incident_id, by=me(by))
    where = answer.get("url") or f"page {answer['page_id']}"
    make_console().print(f"Published {incident_id} to {where} (version {answer['version']}).")


def library_table(found: Sequence[Mapping[str, Any]]) -> Table:
    """Post-mortems of the library as a table."""
    table = Table()
    for column in ("incident", "status", "severity", "title", "labels", "categories", "updated"):
        table.add_column(column)
    for p in found:
        table.add_row(
            p["incident_id"],
            p["status"],
            p["severity"],
            escape(p["title"]),
            ", ".join(p["labels"]),
            ", ".join(p["categories"]),
            p["updated_at"][:16],
        )
    if not found:
        table.caption = "no post-mortem matches"
    return table


@postmortem_app.command("list")
def list_postmortems(
    status_: Annotated[
        str | None, typer.Option("--status", help="only draft, review or final")
    ] = None,
    fmt: Format = "table",
) -> None:
    """The post-mortems, most recently changed first."""
    check_format(fmt)
    with admin_client() as admin:
        found = admin.postmortems(status=status_)
    emit(found, fmt, library_table)


@postmortem_app.command("search")
def search(words: list[str], fmt: Format = "table") -> None:
    """Post-mortems whose sections, or whose incident's text, hold every word."""
    check_format(fmt)
    with admin_client() as admin:
        found = admin.postmortems(search=" ".join(words))
    emit(found, fmt, library_table)


def _causes_table(answer: Mapping[str, Any]) -> Table:
    table = Table(title=f"Causes by {answer['period']}", title_justify="left")
    for column in ("period", "taxonomy labels", "fishbone categories"):
        table.add_column(column)
    for p in [*answer["periods"], {"period": "total", **answer["total"]}]:
        table.add_row(
            p["period"],
            ", ".join(f"{k} {v}" for k, v in p["labels"].items()),
            ", ".join(f"{k} {v}" for k, v in p["categories"].items()),
        )
    return table


@postmortem_app.command("causes")
def causes(
    period: Annotated[str, typer.Option(help="month, quarter or year")] = "month",
    fmt: Format = "table",
) -> None:
    """What keeps recurring: taxonomy labels and fishbone categories counted per period."""
    check_format(fmt)
    with admin_client() as admin:
        answer = admin.postmortem_causes(period)
    emit(answer, fmt, _causes_table)


@postmortem_app.command("lint")
def lint(
    files: Annotated[list[Path], typer.Argument(help="Markdown files", exists=True)],
) -> None:
    """Check Markdown post-mortems for wording that blames people (offline; exit 1 on
    findings, each with a suggested systemic rephrasing)."""
    console = make_console()
    total = 0
    for path in files:
        for finding in lint_markdown(path.read_text("utf-8")):
            total += 1
            console.print(f"{escape(str(path))}:{escape(str(finding))}", soft_wrap=True)
    if total:
        console.print(f"[red]{total} finding(s)[/] in {len(files)} file(s).")
        raise typer.Exit(1)
    console.print(f"No blaming wording in {len(files)} file(s).")
