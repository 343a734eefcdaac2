"""``crmscan frameworks list|show`` and framework options of ``checks`` and ``scan``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from scanner.cli import cli

FIXTURES = Path(__file__).parents[2] / "checks" / "fixtures"
WIDE = {"COLUMNS": "200"}


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=WIDE)
    return result.exit_code, result.stdout, result.stderr


def test_frameworks_list_shows_every_framework() -> None:
    code, out, _ = invoke("frameworks", "list")
    assert code == 0
    for framework_id in ("soc2", "iso27001", "nist-800-53", "cis-v8", "pci-dss", "gdpr", "sbs"):
        assert framework_id in out
    assert "7 frameworks" in out


def test_frameworks_show_lists_requirements_checks_and_manual_ones() -> None:
    code, out, _ = invoke("frameworks", "show", "pci-dss")
    assert code == 0
    assert "8.3.6" in out and "AUTH-006" in out
    assert "3.6.1" in out and "MANUAL (no check)" in out


def test_frameworks_show_unknown_name_is_a_usage_error() -> None:
    code, _, err = invoke("frameworks", "show", "hipaa")
    assert code == 2
    assert "no framework 'hipaa'" in err and "soc2" in err


def test_checks_list_filters_by_framework_platform_and_severity() -> None:
    code, out, _ = invoke("checks", "list", "--framework", "sbs", "--severity", "critical")
    assert code == 0
    assert "PRIV-002" in out and "AUTH-001" not in out
    assert "1 checks" in out
    code, out, _ = invoke("checks", "list", "--platform", "hubspot")
    assert "INT-005" in out and "AUTH-004" not in out  # AUTH-004 covers Salesforce only
    assert "GOV-001" in out  # a check without a platforms list covers every platform


def test_checks_show_prints_parameters_and_frameworks() -> None:
    code, out, _ = invoke("checks", "show", "AUTH-008", "--policy", "strict")
    assert code == 0
    assert "auth.session.max_timeout_minutes = 15" in out
    assert "Frameworks" in out and "pci-dss 8.2.8" in out and "nist-800-53 AC-12" in out


def test_scan_framework_runs_its_checks_and_reports_each_requirement(tmp_path: Path) -> None:
    snapshot = FIXTURES / "AUTH-008" / "long_timeout" / "inventory.yaml"
    code, out, _ = invoke(
        "scan", "--snapshot", str(snapshot), "--framework", "pci-dss",
        "--format", "console,json", "--out", str(tmp_path),
    )  # fmt: skip
    assert code == 1  # AUTH-008 fails: 8 hour sessions
    document = json.loads((tmp_path / "crmscan-results.json").read_text(encoding="utf-8"))
    report = document["frameworks"][0]
    assert report["id"] == "pci-dss"
    statuses = {r["id"]: r["status"] for r in report["requirements"]}
    assert statuses["8.2.8"] == "FAIL"
    assert statuses["3.6.1"] == "MANUAL"
    assert len(statuses) == 24  # 3.2.1 (DATA-007) joined in issue 18
    assert statuses["3.2.1"] in ("PASS", "FAIL", "ERROR")
    ran = {c["id"] for c in document["checks"]}
    assert "PRIV-006" in ran and "INT-001" not in ran  # only the framework's checks
    assert len(ran) == 34  # + DATA-004 (10.5.1) and DATA-007 (3.2.1), issue 18
    assert "8.2.8" in out and "Requirements:" in out


def test_scan_without_framework_still_maps_checks(tmp_path: Path) -> None:
    snapshot = FIXTURES / "AUTH-008" / "meets_policy" / "inventory.yaml"
    code, _, _ = invoke(
        "scan", "--snapshot", str(snapshot), "--check", "AUTH-008",
        "--format", "json", "--out", str(tmp_path),
    )  # fmt: skip
    assert code == 0
    document = json.loads((tmp_path / "crmscan-results.json").read_text(encoding="utf-8"))
    assert document["frameworks"] == []
    mapped = {(m["framework"], m["requirement"]) for m in document["checks"][0]["frameworks"]}
    assert {("pci-dss", "8.2.8"), ("nist-800-53", "AC-12"), ("soc2", "CC6.1")} <= mapped
