"""The HTML report's trend section: score and counts over the target's earlier scans.

Rendered only when the result document has the optional ``trend`` list, which the scan
pipeline adds when the posture store holds earlier scans of the target
(docs/results.md, "trend"). The chart is inline SVG, like the report's other charts.
"""

from __future__ import annotations

from functools import cache
from html import escape
from importlib import resources
from typing import Any

STATUSES = ("FAIL", "ERROR", "MANUAL", "PASS", "NOT_APPLICABLE")
WIDTH, HEIGHT, PAD = 520, 150, 28


@cache
def _template() -> str:
    return resources.files("scanner.outputs").joinpath("templates/trend.html").read_text("utf-8")


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _chart(points: list[dict[str, Any]]) -> str:
    """A line of the posture score (0-100) over the scans; gaps where it was undecided."""
    step = (WIDTH - 2 * PAD) / max(1, len(points) - 1)
    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="Posture score over time">',
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'stroke="#90a4ae"/>',
        f'<text x="2" y="{PAD}">100</text><text x="2" y="{HEIGHT - PAD}">0</text>',
    ]
    line: list[str] = []
    for index, point in enumerate(points):
        score = point.get("score")
        x = PAD + index * step
        if score is None:
            continue
        y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * float(score) / 100
        line.append(f"{x:.1f},{y:.1f}")
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#1565c0" data-score="{_e(score)}">'
            f"<title>{_e(str(point.get('scanned_at'))[:16])}: {_e(score)}</title></circle>"
        )
    if len(line) > 1:
        parts.insert(3, f'<polyline fill="none" stroke="#1565c0" points="{" ".join(line)}"/>')
    parts.append("</svg>")
    return "".join(parts)


def trend_section(document: dict[str, Any]) -> str:
    """The trend section, or "" when the document has no trend of earlier scans."""
    points = document.get("trend")
    if not isinstance(points, list) or len(points) < 2:
        return ""
    heads = "".join(f"<th>{_e(s.replace('_', ' ').title())}</th>" for s in STATUSES)
    rows = "".join(
        f'<tr data-scanned="{_e(p.get("scanned_at"))}"><td>{_e(str(p.get("scanned_at"))[:16])}'
        f"</td><td><b>{_e('n/a' if p.get('score') is None else p.get('score'))}</b></td>"
        + "".join(f"<td>{_e((p.get('by_status') or {}).get(s, 0))}</td>" for s in STATUSES)
        + "</tr>"
        for p in points
    )
    return (
        _template()
        .replace("{{count}}", str(len(points)))
        .replace("{{chart}}", _chart(points))
        .replace("{{status_heads}}", heads)
        .replace("{{rows}}", rows)
        .strip()
    )
