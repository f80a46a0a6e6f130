"""Markdown rendering of a drift report."""

from __future__ import annotations

from smokejumper.report.format import fmt, limit_fmt, p_fmt, verdict
from smokejumper.stats.report import DriftReport


def render_markdown(report: DriftReport) -> str:
    """The report as GitHub-flavoured Markdown: summary, then one row per column."""
    head = "**Dataset drift detected.**" if report.dataset_drift else "No dataset drift."
    lines = [
        "# Drift report",
        "",
        f"{head} {report.drifted_columns} of {report.tested_columns} tested columns drifted "
        f"({report.share_drifted:.0%}; dataset drift at {report.drift_share:.0%}). "
        f"Reference {report.reference_rows:,} rows, current {report.current_rows:,} rows; "
        f"p-values corrected by {report.correction}, alpha {report.alpha}.",
        "",
    ]
    if report.quality_failed:
        lines += [
            f"**Broken pipeline** in {', '.join(report.broken_columns)}:",
            "",
            *(f"- {f.column}: {f.message} ({f.check})" for f in report.quality_findings),
            "",
        ]
    if report.multivariate is not None:
        m = report.multivariate
        lines += [
            f"Multivariate ({m.method}): AUC {m.auc:.3f}, p {p_fmt(m.p_value)}, "
            f"{'DRIFT' if m.drift else 'no drift'} (threshold {m.threshold}).",
            "",
        ]
    lines += [
        "| column | kind | verdict | method | statistic | p (adjusted) | effect size | threshold "
        "| note |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for c in report.columns:
        bound = f" ± {fmt(c.bound, 2)}" if c.bound else ""
        lines.append(
            f"| {c.name} | {c.kind} | {verdict(c.drift, c.status, bool(c.quality))} | "
            f"{c.method or '-'} | "
            f"{fmt(c.statistic)} | {p_fmt(c.p_value_adjusted)} | {fmt(c.effect_size)}{bound} | "
            f"{limit_fmt(c.threshold, c.noise_floor)} | {(c.note or '').replace('|', '/')} |"
        )
    lines += [f"- {note}" for note in (["", *report.notes] if report.notes else [])]
    return "\n".join(lines).rstrip() + "\n"
