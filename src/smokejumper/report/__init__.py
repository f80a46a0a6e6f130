"""Drift reports and their renderings (JSON, Markdown, HTML)."""
