"""The auditor report in html, csv and md: content, and hostile CRM text made harmless."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from scanner.reports.framework_report import AuditReport, build_report
from scanner.reports.source import read_result
from scanner.reports.writers import AUDIT_FORMATS, audit_filename, render_audit, write_audit
from tests.scanner.reports.builders import (
    attestation,
    document,
    exception,
    finding,
    framework,
    save,
)

FORMULA = '=HYPERLINK("http://evil.example","click")'
MARKUP = "<img src=x onerror=alert(1)>"
MENTION = "@everyone see https://evil.example and #12 www.evil.example"
CONTROLS = "ann\x1b[2J\u202egnp.exe"
SESSION = "00D000000000001!AQ0AQH7x9mK2pLqRsTuVwXyZ012345678abcdefGHIJ"
FW = framework(
    ("CC6.1", ["AUTH-002"]), ("CC6.2", ["PRIV-005"]), ("A.8.13", ["GOV-003"]), ("CC1.1", [])
)


def _hostile_report(tmp_path: Path) -> AuditReport:
    findings = [
        finding("AUTH-002", "FAIL", "u1", FORMULA, message=f"{FORMULA} has no MFA"),
        finding("AUTH-002", "FAIL", "u2", MARKUP, message=f"{MARKUP} has no MFA"),
        finding("AUTH-002", "FAIL", "u3", MENTION, message=f"token {SESSION} seen"),
        finding("AUTH-002", "FAIL", "u4", CONTROLS, exception=exception()),
        finding(
            "PRIV-005", "ERROR", None, rtype="tenant", message="users.permissions was not collected"
        ),
        finding("GOV-003", "PASS", None, rtype="tenant", attestation=attestation()),
    ]
    doc = document(findings, passed={"AUTH-002": [("u9", "zoe")]})
    return build_report(FW, read_result(save(doc, tmp_path)), {})


@pytest.fixture()
def report(tmp_path: Path) -> AuditReport:
    return _hostile_report(tmp_path)


def test_every_format_carries_every_requirement(report: AuditReport) -> None:
    for fmt in AUDIT_FORMATS.values():
        text = render_audit(report, fmt)
        for requirement in ("CC6.1", "CC6.2", "A.8.13", "CC1.1"):
            assert requirement in text.replace("\\.", "."), (fmt.name, requirement)
        assert SESSION not in text and "REDACTED" in text, fmt.name
        assert "\x1b" not in text and "\u202e" not in text, fmt.name
        assert "\\x1b" in text, fmt.name  # the attempt stays visible


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_escapes_crm_text_and_links_only_evidence(report: AuditReport) -> None:
    text = render_audit(report, AUDIT_FORMATS["html"])
    parser = _Collect()
    parser.feed(text)
    assert not [t for t, _ in parser.tags if t == "img"], "CRM markup stays text"
    assert MARKUP in "".join(parser.text)
    links = [
        a.get("href")
        for t, a in parser.tags
        if t == "a" and not (a.get("href") or "").startswith("#")
    ]
    assert links == ["https://wiki.example/backup-restore-2026"]
    scripts = [t for t, _ in parser.tags if t == "script"]
    assert len(scripts) == 1
    assert "default-src 'none'" in text
    sections = [a for t, a in parser.tags if t == "section" and a.get("data-requirement")]
    assert [(s["data-requirement"], s["data-status"]) for s in sections] == [
        ("CC6.1", "FAIL"),
        ("CC6.2", "ERROR"),
        ("A.8.13", "PASS"),
        ("CC1.1", "MANUAL"),
    ]
    assert "ciso@example.com" in text and "SEC-1" in text  # the excepted resource's approval
    assert "it-ops@example.com" in text and "83" in text  # attestation and its age


def test_csv_rows_and_formula_neutralised(report: AuditReport) -> None:
    text = render_audit(report, AUDIT_FORMATS["csv"])
    assert text.startswith("\ufeff") and "\r\n" in text
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [(r["requirement"], r["check_id"], r["requirement_status"]) for r in rows] == [
        ("CC6.1", "AUTH-002", "FAIL"),
        ("CC6.2", "PRIV-005", "ERROR"),
        ("A.8.13", "GOV-003", "PASS"),
        ("CC1.1", "", "MANUAL"),
    ]
    auth = rows[0]
    assert (auth["passed"], auth["failing_count"], auth["excepted_count"]) == ("1", "3", "1")
    # The first resource is a formula: the cell starts with ' so a spreadsheet shows text.
    assert auth["failing_resources"].startswith("'=HYPERLINK")
    assert "break-glass account" in auth["excepted_resources"]
    assert rows[3]["manual_requirement"] == "yes"
    gov = rows[2]
    assert "it-ops@example.com" in gov["attestations"] and "age 83 days" in gov["attestations"]
    assert "results.json" in gov["proof"] and "policy/00-baseline.yaml" in gov["proof"]
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value


def test_markdown_escapes_and_makes_no_mention_or_link_from_crm(report: AuditReport) -> None:
    text = render_audit(report, AUDIT_FORMATS["md"])
    assert re.search(r"(?<!\\)<img", text) is None and "\\<img src" in text
    assert "@everyone" not in text and "@<!-- -->everyone" in text
    assert "https://evil.example" not in text
    assert "#12" not in text
    assert "<https://wiki.example/backup-restore-2026>" in text  # the attestation's evidence
    assert "## ❌ CC6\\.1" in text or "## ❌ CC6.1" in text
    assert "Still open (1)" in text


def test_long_lists_are_cut_and_say_where_the_rest_is(tmp_path: Path) -> None:
    findings = [finding("AUTH-002", "FAIL", f"u{i}", f"user{i}") for i in range(120)]
    doc = document(findings)
    report = build_report(framework(("R", ["AUTH-002"])), read_result(save(doc, tmp_path)), {})
    html = render_audit(report, AUDIT_FORMATS["html"])
    assert "and 70 more in results.json" in html and "user49" in html and "user50 " not in html
    md = render_audit(report, AUDIT_FORMATS["md"])
    assert "and 110 more in results.json" in md
    rows = list(csv.DictReader(io.StringIO(render_audit(report, AUDIT_FORMATS["csv"])[1:])))
    assert rows[0]["failing_count"] == "120" and "user119" in rows[0]["failing_resources"]


def test_files_are_named_after_the_framework(report: AuditReport, tmp_path: Path) -> None:
    out = tmp_path / "out"
    written = [write_audit(report, fmt, out) for fmt in AUDIT_FORMATS.values()]
    assert [p.name for p in written] == [
        "crmscan-audit-test-fw.html",
        "crmscan-audit-test-fw.csv",
        "crmscan-audit-test-fw.md",
    ]
    hostile: Any = type("F", (), {"id": "../../etc/passwd"})
    fake = AuditReport(framework=hostile, scan={}, requirements=[])
    assert audit_filename(fake, AUDIT_FORMATS["md"]) == "crmscan-audit-etc-passwd.md"
