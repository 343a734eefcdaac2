"""HTML: self-contained, escaped, with counts, charts and a table (structure checks;
the behaviour in a real browser is in test_html_browser.py)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from scanner.outputs import write_report
from scanner.outputs.html_data import _sort_key, decode_payload, unembed, view_of
from scanner.results.reader import ResultReader
from scanner.sanitize import clean_document
from tests.scanner.outputs.conftest import MARKUP_NAME


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _render(document: dict[str, Any], tmp_path: Path) -> str:
    return write_report(document, "html", tmp_path).read_text("utf-8")


def test_references_nothing_outside_the_file(document: dict[str, Any], tmp_path: Path) -> None:
    text = _render(document, tmp_path)
    parser = _Collector()
    parser.feed(text)
    for tag, attrs in parser.tags:
        assert tag not in ("link", "iframe", "object", "embed", "img"), tag
        assert not (tag == "script" and attrs.get("src")), "no external scripts"
        for name in ("src", "href", "action", "xlink:href"):
            value = attrs.get(name)
            assert value is None or value.startswith(("#", "data:")), (tag, name, value)
    assert "default-src 'none'" in text, "CSP forbids network fetches"
    assert not re.search(r"url\((?!data:)", text), "no CSS url() fetches"
    assert "@import" not in text


def _payload(text: str) -> dict[str, Any]:
    match = re.search(
        r'<script type="application/octet-stream" id="crmscan-data" '
        r'data-encoding="gzip\+base64">([A-Za-z0-9+/=]*)</script>',
        text,
    )
    assert match, "the findings data is embedded"
    return dict(unembed(match.group(1)))


def test_counts_charts_and_table(document: dict[str, Any], tmp_path: Path) -> None:
    text = _render(document, tmp_path)
    summary = document["summary"]
    for severity, row in summary["by_severity"].items():
        assert f'data-severity-count="{severity}">{row["FAIL"]}<' in text
    assert f'id="score">{summary["score"]:g}<' in text
    assert 'id="chart-domain"' in text and 'id="chart-framework"' in text
    assert "SOC 2" in text and "PCI DSS 4.0" in text
    assert "exception expired" in text
    assert "the API user lacks View Setup and Configuration" in text
    # Every finding that did not pass is embedded in full, in report order; PASS is
    # counted per check and its resources are listed in the data.
    view = view_of(clean_document(document))
    back = decode_payload(_payload(text))
    assert back.findings == sorted(view.findings, key=_sort_key)
    reasons = {(f.get("exception") or {}).get("reason") for f in back.findings}
    assert "break-glass account kept in a safe" in reasons
    assert {k: sorted(v) for k, v in view.passing.items()} == back.passing
    assert 'class="finding"' not in text, "no PASS (nor any) finding rendered row by row"
    verdicts = list(ResultReader(document).every_finding())
    assert any(f["status"] == "PASS" for f in verdicts)
    for check in document["checks"]:
        statuses = [f["status"] for f in verdicts if f["check_id"] == check["id"]]
        row = re.search(f'<tr class="check-row" data-check="{check["id"]}">(.*?)</tr>', text)
        assert row, check["id"]
        for status in ("FAIL", "ERROR", "MANUAL", "NOT_APPLICABLE"):
            cell = f'data-count-status="{status}">{statuses.count(status)}<'
            assert cell in row.group(1), (check["id"], status)
        passing = statuses.count("PASS")
        assert (f">{passing} passing</button>" if passing else '"PASS">0<') in row.group(1)


def test_crm_data_is_escaped(document: dict[str, Any], tmp_path: Path) -> None:
    hostile = "</script><script>alert(1)</script><!--<b>x</b>"
    fail = next(f for f in document["findings"] if f["status"] == "FAIL")
    fail["resource"]["name"] = hostile
    fail["message"] = f"{hostile} fails"
    document["groups"][0]["examples"] = [MARKUP_NAME]
    text = _render(document, tmp_path)
    assert MARKUP_NAME not in text and hostile not in text
    assert "<img" not in text and "<b>x" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;@synthetic.example" in text  # the causes table
    # Only the report's own script elements open and close.
    assert text.count("<script") == text.count("</script>") == 2
    names = _payload(text)["resources"]["n"]
    assert hostile in names and MARKUP_NAME in names


def test_framework_chart_says_when_nothing_is_mapped(
    document: dict[str, Any], tmp_path: Path
) -> None:
    for check in document["checks"]:
        check["frameworks"] = []
    text = _render(document, tmp_path)
    assert "No framework mappings in this result." in text
