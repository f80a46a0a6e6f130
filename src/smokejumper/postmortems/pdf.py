"""The post-mortem as PDF: the same Markdown, rendered to HTML and laid out by fpdf2 (pure
Python, from the package index), with the fishbone and the charts as images drawn by
vl-convert. Text is set in DejaVu Sans when the system has it (``fonts-dejavu-core`` on
Debian), so every character of the document prints; without it, in the PDF core font, where
characters outside Latin-1 are replaced by ``?``.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from smokejumper.postmortems.charts import chart_png
from smokejumper.postmortems.document import PostMortem
from smokejumper.postmortems.fishbone import fishbone_svg
from smokejumper.postmortems.render import CHARTS_MARK, FISHBONE_MARK, body_html, to_markdown

#: Where DejaVu Sans is looked for (Debian and Ubuntu, Fedora, Alpine).
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu-sans-fonts"),
    Path("/usr/share/fonts/dejavu"),
)


def _font_dir() -> Path | None:
    for folder in FONT_DIRS:
        if (folder / "DejaVuSans.ttf").is_file() and (folder / "DejaVuSans-Bold.ttf").is_file():
            return folder
    return None


def to_pdf(pm: PostMortem, markdown_template: str | None = None) -> bytes:
    """The document as PDF bytes (A4)."""
    import vl_convert
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(pm.title)
    pdf.set_author(", ".join(pm.authors) or "Smokejumper")
    pdf.set_creator("Smokejumper")
    fonts = _font_dir()
    family = "Helvetica"
    if fonts is not None:
        family = "DejaVu"
        pdf.add_font(family, "", str(fonts / "DejaVuSans.ttf"))
        pdf.add_font(family, "B", str(fonts / "DejaVuSans-Bold.ttf"))
        oblique = fonts / "DejaVuSans-Oblique.ttf"
        pdf.add_font(family, "I", str(oblique if oblique.is_file() else fonts / "DejaVuSans.ttf"))
        pdf.add_font(family, "BI", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font(family, size=10)
    html = body_html(to_markdown(pm, markdown_template, marks=True))
    if fonts is None:
        html = html.encode("latin-1", "replace").decode("latin-1")
    for piece in re.split(f"<p>({FISHBONE_MARK}|{CHARTS_MARK})</p>", html):
        if piece == FISHBONE_MARK:
            svg = fishbone_svg(pm.incident.title, pm.fishbone)
            pdf.image(io.BytesIO(bytes(vl_convert.svg_to_png(svg, scale=2.0))), w=pdf.epw)
        elif piece == CHARTS_MARK:
            for series in pm.series:
                png = chart_png(series, pm.incident.onset_at)
                pdf.image(io.BytesIO(png), w=pdf.epw * 0.9)
        elif piece.strip():
            pdf.write_html(piece, font_family=family, table_line_separators=True)
    return bytes(pdf.output())
