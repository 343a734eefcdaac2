"""``crmscan demo`` end to end: the bundled sample org through the Salesforce adapter."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from scanner.cli import cli

PLANTED = {
    "AUTH-002": "bob.ng@acme-outfitters.example",  # admin without MFA
    "PRIV-005": "carol.diaz@acme-outfitters.example",  # stale privileged user
    "PRIV-009": "integration@acme-outfitters.example",  # integration user with Modify All Data
    "ENC-002": "Contact.SSN__c",  # unencrypted sensitive field
    "AUTH-008": "Acme Outfitters",  # 12-hour session timeout
}


def test_demo_shows_every_planted_problem(tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = CliRunner().invoke(cli, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output  # the demo exits 0 unless --fail-on is given
    document = json.loads((out / "crmscan-results.json").read_text())
    assert document["tenant"]["name"] == "Acme Outfitters"
    assert document["tenant"]["platform"] == "salesforce"
    failing = {
        (f["check_id"], f["resource"]["name"])
        for f in document["findings"]
        if f["status"] == "FAIL"
    }
    for check_id, resource in PLANTED.items():
        assert (check_id, resource) in failing, check_id
        assert check_id in result.output
    assert "Traceback" not in result.output


def test_demo_gate_and_formats(tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = CliRunner().invoke(
        cli, ["demo", "--fail-on", "high", "--format", "console,html,sarif,csv", "--out", str(out)]
    )
    assert result.exit_code == 1  # explicit gate: high failures exist
    written = sorted(p.name for p in out.iterdir())
    assert written == [
        "crmscan-findings.csv",
        "crmscan-report.html",
        "crmscan-results.json",
        "crmscan.sarif",
    ]


def test_demo_single_check_passes_gate(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["demo", "--check", "AUTH-004", "--fail-on", "low", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
