"""The fishbone (Ishikawa) diagram as SVG: the problem at the head, a bone per category
(Data, Model and Infrastructure above the spine; External and Process below), each cause a
rib on its bone. Plain SVG 1.1 with the text escaped, so it embeds in HTML and converts to
PNG for the PDF. A cause too long for its rib is cut short, whole in its ``<title>``.

>>> import xml.etree.ElementTree as ET
>>> svg = fishbone_svg("income arrives null", [{"category": "data", "cause": "join <key> broke"}])
>>> root = ET.fromstring(svg)
>>> [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")][:3]
['income arrives null', 'Data', 'join <key> broke']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape

from smokejumper.postmortems.sections import CATEGORIES

_TOP = ("data", "model", "infrastructure")
_BOTTOM = ("external", "process")
_WIDTH = 960
_HEAD = 200
_RIB = 18  # vertical room per cause
_MAX_CHARS = 34


def _short(text: str, limit: int = _MAX_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fishbone_svg(problem: str, causes: Sequence[Mapping[str, Any]]) -> str:
    """The diagram of ``causes`` (``{category, cause}``) leading to ``problem``."""
    by_category: dict[str, list[str]] = {c: [] for c in CATEGORIES}
    for cause in causes:
        by_category[str(cause["category"])].append(str(cause["cause"]))
    depth = max(3, *(len(v) for v in by_category.values())) * _RIB + 50
    height = 2 * depth + 40
    spine_y = depth + 20
    spine_end = _WIDTH - _HEAD - 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height}" '
        f'viewBox="0 0 {_WIDTH} {height}" font-family="DejaVu Sans, Arial, sans-serif" '
        'font-size="12">',
        f'<rect width="{_WIDTH}" height="{height}" fill="white"/>',
        f'<line x1="20" y1="{spine_y}" x2="{spine_end}" y2="{spine_y}" stroke="#333" '
        'stroke-width="3"/>',
        f'<rect x="{spine_end}" y="{spine_y - 30}" width="{_HEAD}" height="60" rx="6" '
        'fill="#fde8e8" stroke="#d62828"/>',
        f'<text x="{spine_end + 10}" y="{spine_y + 4}" font-weight="bold">'
        f"{escape(_short(problem, 28))}</text>",
    ]
    slots = (spine_end - 40) / 3
    for row, (names, sign) in enumerate(((_TOP, -1), (_BOTTOM, 1))):
        for i, category in enumerate(names):
            x_end = 40 + slots * (i + 1) - (0 if row == 0 else slots / 2)
            x_start = x_end - 90
            y_tip = spine_y + sign * (depth - 10)
            parts.append(
                f'<line x1="{x_start:.0f}" y1="{y_tip}" x2="{x_end:.0f}" y2="{spine_y}" '
                'stroke="#555" stroke-width="2"/>'
            )
            label_y = y_tip - 6 if sign < 0 else y_tip + 16
            parts.append(
                f'<text x="{x_start - 10:.0f}" y="{label_y}" font-weight="bold" '
                f'font-size="13">{escape(category.capitalize())}</text>'
            )
            for k, text in enumerate(by_category[category]):
                y = spine_y + sign * (depth - 30 - k * _RIB)
                # where the rib meets the bone (the bone runs from the tip to the spine)
                t = (y - y_tip) / (spine_y - y_tip)
                x_bone = x_start + t * (x_end - x_start)
                parts.append(
                    f'<line x1="{x_bone - 12:.0f}" y1="{y}" x2="{x_bone:.0f}" y2="{y}" '
                    'stroke="#999"/>'
                )
                parts.append(  # the whole cause in the title (a tooltip) when cut short
                    f'<g><title>{escape(text)}</title><text x="{x_bone + 4:.0f}" y="{y + 4}">'
                    f"{escape(_short(text))}</text></g>"
                )
    parts.append("</svg>")
    return "\n".join(parts)
