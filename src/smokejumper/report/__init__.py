"""Renderings of a drift report (Markdown, HTML, charts); the report itself is
:class:`smokejumper.stats.report.DriftReport`."""
