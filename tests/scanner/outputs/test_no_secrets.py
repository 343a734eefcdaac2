"""No secret or token appears in any output format, whichever path writes it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scanner.cli import cli
from scanner.outputs import FORMATS, write_report
from scanner.redact import register_secret

# A registered credential with characters formats escape (& < " in HTML, XML, JSON),
# a bearer header and a Salesforce session id (caught by pattern, never registered).
REGISTERED = 'tok&en<"SECRET-7f3a9c1e5b'
BEARER = "Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.sig-0123456789"
SESSION = "00D000000000001!AQ0AQH7x9mK2pLqRsTuVwXyZ012345678abcdefGHIJ"
ESCAPED_FORMS = [
    REGISTERED,
    "tok&amp;en",
    "SECRET-7f3a9c1e5b",
    "eyJhbGciOiJIUzI1NiJ9",
    "AQ0AQH7x9mK2pLqRsTuVwXyZ",
]


@pytest.fixture()
def leaky(document: dict[str, Any]) -> dict[str, Any]:
    """The real document with credentials planted where CRM data goes."""
    register_secret(REGISTERED)
    finding = next(f for f in document["findings"] if f["status"] == "FAIL")
    finding["message"] += f" token={REGISTERED}"
    finding["evidence"]["authorization"] = BEARER
    finding["evidence"][f"session {SESSION}"] = SESSION
    finding["resource"]["name"] = f"integration {REGISTERED}"
    document["gaps"][0]["detail"] += f" (request header {BEARER})"
    document["tenant"]["instance_url"] = f"https://example.my.salesforce.com/?sid={SESSION}"
    return document


def _assert_clean(text: str, where: str) -> None:
    for form in ESCAPED_FORMS:
        assert form not in text, f"{form!r} leaked into {where}"


def test_no_format_leaks_a_secret(leaky: dict[str, Any], tmp_path: Path) -> None:
    names = [n for n in FORMATS.names()]
    assert {"json", "csv", "ocsf", "sarif", "junit", "md", "html", "console"} <= set(names)
    for name in names:
        path = write_report(leaky, name, tmp_path)
        text = path.read_text("utf-8")
        _assert_clean(text, name)
        assert "[REDACTED]" in text or name == "md", name


def test_report_command_redacts(leaky: dict[str, Any], tmp_path: Path) -> None:
    saved = tmp_path / "result.json"
    saved.write_text(json.dumps(leaky), "utf-8")  # a result saved by an older, leakier tool
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            "report",
            str(saved),
            "--format",
            "console,json,csv,ocsf,sarif,junit,md,html",
            "--out",
            str(out),
            "--all-findings",
        ],
    )
    assert result.exit_code == 0, result.output
    _assert_clean(result.output, "report console output")
    files = sorted(out.iterdir())
    assert len(files) == 7
    for path in files:
        _assert_clean(path.read_text("utf-8"), path.name)
