"""HTML: self-contained, escaped, with counts, charts and a table (structure checks;
the behaviour in a real browser is in test_html_browser.py)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from scanner.outputs import write_report
from scanner.results.reader import read
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


def test_counts_charts_and_table(document: dict[str, Any], tmp_path: Path) -> None:
    text = _render(document, tmp_path)
    summary = document["summary"]
    for severity, row in summary["by_severity"].items():
        assert f'data-severity-count="{severity}">{row["FAIL"]}<' in text
    assert f'id="score">{summary["score"]:g}<' in text
    assert text.count('<tbody class="finding"') == read(document).finding_count()
    assert 'id="chart-domain"' in text and 'id="chart-framework"' in text
    assert "SOC 2" in text and "PCI DSS 4.0" in text
    assert "break-glass account kept in a safe" in text
    assert "exception expired" in text
    assert "the API user lacks View Setup and Configuration" in text


def test_crm_data_is_escaped(document: dict[str, Any], tmp_path: Path) -> None:
    text = _render(document, tmp_path)
    assert MARKUP_NAME not in text
    assert "&lt;img src=x onerror=alert(1)&gt;@synthetic.example" in text


def test_framework_chart_says_when_nothing_is_mapped(
    document: dict[str, Any], tmp_path: Path
) -> None:
    for check in document["checks"]:
        check["frameworks"] = []
    text = _render(document, tmp_path)
    assert "No framework mappings in this result." in text
