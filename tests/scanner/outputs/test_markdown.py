"""Markdown: a summary for a ticket or a pull-request comment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scanner.outputs import write_report
from scanner.outputs.markdown_format import MAX_CHARS, md
from tests.scanner.outputs.conftest import MARKUP_NAME, build_document


def _render(document: dict[str, Any], tmp_path: Path) -> str:
    return write_report(document, "md", tmp_path).read_text("utf-8")


def test_summary_has_verdict_score_and_counts(document: dict[str, Any], tmp_path: Path) -> None:
    text = _render(document, tmp_path)
    assert text.startswith("## crmscan: salesforce · Synthetic Org")
    assert "❌ gate failed" in text
    assert f"**{document['summary']['score']:g}/100**" in text
    high = document["summary"]["by_severity"]["high"]
    assert (
        f"| high | {high['FAIL']} | {high['ERROR']} | {high['MANUAL']} | {high['PASS']} |" in text
    )


def test_lists_checks_needing_attention_with_fix(document: dict[str, Any], tmp_path: Path) -> None:
    text = _render(document, tmp_path)
    for check_id in ("AUTH-002", "ENC-002", "PRIV-005", "PRIV-009", "AUTH-008"):
        assert f"| `{check_id}` |" in text
    assert text.index("`ENC-002`") < text.index("`AUTH-008`"), "high before medium"
    assert "**Fix:**" in text and "```text\n1. Salesforce" in text
    # An email from the CRM is split after "@" so GitHub makes no mention or mailto link.
    assert (
        "| `AUTH-002` | user40@<!-- -->synthetic.example | break-glass account kept in a safe |"
        in text
    )
    assert "expired |" in text
    assert "- `auth.session_policy` (no\\_api)" in text


def test_crm_text_cannot_inject_markup(document: dict[str, Any], tmp_path: Path) -> None:
    text = _render(document, tmp_path)
    assert MARKUP_NAME not in text
    assert "\\<img src=x onerror=alert\\(1\\)\\>" in text
    assert md("a|b\nc [x](http://e) ") == "a\\|b c \\[x\\]\\(http<!-- -->://e\\)"


def test_large_org_stays_within_a_comment(tmp_path: Path) -> None:
    document = build_document(users=3000)
    text = _render(document, tmp_path)
    assert len(text) <= MAX_CHARS + 100
    assert "… and" in text, "long lists are cut per check"
