"""Drift reports and their renderings (JSON, Markdown, HTML)."""

from smokejumper.report.model import ColumnDrift, DriftReport, MultivariateDrift

__all__ = ["ColumnDrift", "DriftReport", "MultivariateDrift"]
