"""The HTML report's trend section appears only with earlier scans, and escapes its data."""

from __future__ import annotations

from scanner.outputs.trend_html import trend_section


def _point(when: str, score: float | None, failing: int) -> dict[str, object]:
    return {"scanned_at": when, "by_status": {"FAIL": failing, "PASS": 10}, "score": score}


def test_no_section_without_earlier_scans() -> None:
    assert trend_section({}) == ""
    assert trend_section({"trend": [_point("2026-11-01T10:00:00+00:00", 50.0, 3)]}) == ""


def test_section_shows_score_line_and_counts() -> None:
    html = trend_section(
        {
            "trend": [
                _point("2026-11-01T10:00:00+00:00", 40.0, 5),
                _point("2026-11-08T10:00:00+00:00", None, 4),  # nothing decided: a gap
                _point("2026-11-15T10:00:00+00:00", 60.5, 2),
            ]
        }
    )
    assert html.startswith('<section id="trend">')
    assert html.count("<circle") == 2 and "<polyline" in html
    assert 'data-score="60.5"' in html and "2026-11-15 10:00" in html
    assert html.count("<tr data-scanned=") == 3 and "<td>n/a</td>" not in html
    assert "<b>n/a</b>" in html


def test_section_escapes_what_it_shows() -> None:
    html = trend_section(
        {"trend": [_point("<script>x</script>", 1.0, 1), _point("2026-11-15", 2.0, 1)]}
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
