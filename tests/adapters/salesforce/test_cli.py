"""``crmscan scan --platform salesforce`` against the emulator, end to end."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from scanner.cli import cli
from scanner.errors import EXIT_GATE_FAILED, EXIT_USAGE
from tests.emulators.salesforce import SalesforceEmulator


def _scan(emulator: SalesforceEmulator, token: str, out: Path, *extra: str) -> Result:
    args = ["scan", "--platform", "salesforce", "--instance-url", emulator.url]
    return CliRunner().invoke(cli, [*args, "--access-token", token, "--out", str(out), *extra])


def test_scan_reports_the_planted_findings(emulator: SalesforceEmulator, tmp_path: Path) -> None:
    token = emulator.credentials.access_token
    result = _scan(emulator, token, tmp_path, "--format", "json")
    assert result.exit_code == EXIT_GATE_FAILED, result.output
    assert token not in result.output
    report_text = (tmp_path / "crmscan-results.json").read_text(encoding="utf-8")
    assert token not in report_text
    report = json.loads(report_text)
    failed = {
        (f["check_id"], f["resource"]["name"]) for f in report["findings"] if f["status"] == "FAIL"
    }
    assert ("AUTH-002", "bob.ng@acme-outfitters.example") in failed
    assert ("PRIV-005", "carol.diaz@acme-outfitters.example") in failed
    assert ("PRIV-009", "integration@acme-outfitters.example") in failed
    assert ("ENC-002", "Contact.SSN__c") in failed
    assert ("AUTH-008", "Acme Outfitters") in failed
    assert all(r.method == "GET" or "/Soap/m/" in r.path for r in emulator.log)


def test_scan_with_a_wrong_token_exits_2(emulator: SalesforceEmulator, tmp_path: Path) -> None:
    wrong = "00D000000000001!AQthisisnottherighttoken000000000"
    result = _scan(emulator, wrong, tmp_path)
    assert result.exit_code == EXIT_USAGE, result.output
    assert "INVALID_SESSION_ID" in result.output
    assert wrong not in result.output
