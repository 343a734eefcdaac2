"""The CLI contract: exit codes, errors without tracebacks, validate, checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from benchmarks.synthetic_org import make_inventory
from scanner import __version__
from scanner.cli import cli
from scanner.model.inventory import Inventory
from scanner.model.snapshot import save_snapshot


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    return save_snapshot(make_inventory(users=30), tmp_path / "snap.json")


#: The checks `_healthy` was built for; the gate tests run only these, because the full
#: catalogue also judges data the synthetic org does not model (integrations, TLS, ...).
GATE_CHECKS = [
    arg
    for cid in ("AUTH-002", "AUTH-008", "ENC-002", "PRIV-005", "PRIV-009")
    for arg in ("--check", cid)
]


def _healthy() -> Inventory:
    inventory = make_inventory(users=10)
    assert inventory.users is not None and inventory.auth.session_policy is not None
    inventory.auth.session_policy.timeout_minutes = 60
    inventory.auth.session_policy.lock_to_ip = True
    for user in inventory.users:
        user.kind = "human"
        user.last_login_at = (
            user.created_at.replace(year=2026, month=11, day=20) if user.created_at else None
        )
        assert user.mfa is not None
        user.mfa.status = "enrolled"
    inventory.encryption.fields = []
    return inventory


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_scan_snapshot_gate_fails_on_high(snapshot: Path, tmp_path: Path) -> None:
    result = invoke(
        "scan", "--snapshot", str(snapshot), "--fail-on", "high", "--out", str(tmp_path / "o")
    )
    assert result.exit_code == 1, result.output
    assert "AUTH-002" in result.output


def test_scan_snapshot_gate_passes_when_no_high_fails(tmp_path: Path) -> None:
    path = save_snapshot(_healthy(), tmp_path / "healthy.json")
    result = invoke("scan", "--snapshot", str(path), "--fail-on", "high", *GATE_CHECKS)
    assert result.exit_code == 0, result.output


def test_scan_exit_3_when_incomplete(tmp_path: Path) -> None:
    inventory = _healthy()
    assert inventory.users is not None
    inventory.users[0].mfa = None  # not collected → ERROR, nothing failed
    path = save_snapshot(inventory, tmp_path / "partial.json")
    result = invoke("scan", "--snapshot", str(path), "--fail-on", "high", *GATE_CHECKS)
    assert result.exit_code == 3, result.output
    assert "ERROR" in result.output


def test_json_report_written(snapshot: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("scan", "--snapshot", str(snapshot), "--format", "json", "--out", str(out))
    assert result.exit_code == 1
    document = json.loads((out / "crmscan-results.json").read_text())
    assert document["policy"]["name"] == "baseline"
    assert document["gate"] == {"fail_on": "low", "exit_code": 1}
    assert {f["check_id"] for f in document["findings"] if f["status"] == "FAIL"} >= {
        "AUTH-002",
        "ENC-002",
    }


def test_single_check_to_stdout(
    snapshot: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(
        "scan", "--snapshot", str(snapshot), "--check", "ENC-002", "--format", "json", "--out", "-"
    )
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert {f["check_id"] for f in document["findings"]} == {"ENC-002"}
    assert not (tmp_path / "-").exists()


def test_unknown_check_is_usage_error(snapshot: Path) -> None:
    result = invoke("scan", "--snapshot", str(snapshot), "--check", "NOPE-999")
    assert result.exit_code == 2
    assert "unknown check id" in result.output and "Traceback" not in result.output


def test_platform_and_snapshot_are_exclusive(snapshot: Path) -> None:
    assert invoke("scan").exit_code == 2
    assert invoke("scan", "--snapshot", str(snapshot), "--platform", "salesforce").exit_code == 2


def test_unknown_platform(tmp_path: Path) -> None:
    result = invoke("scan", "--platform", "nosuchcrm")
    assert result.exit_code == 2 and "unknown adapters 'nosuchcrm'" in result.output


def test_unknown_format(snapshot: Path) -> None:
    result = invoke("scan", "--snapshot", str(snapshot), "--format", "pdf")
    assert result.exit_code == 2 and "unknown format" in result.output


def test_malformed_policy_exit_2_names_file_line_field(snapshot: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad-policy.yaml"
    bad.write_text("name: bad\nchecks:\n  include: AUTH-*\n", encoding="utf-8")
    result = invoke("scan", "--snapshot", str(snapshot), "--policy", str(bad))
    assert result.exit_code == 2
    assert f"{bad}:3" in result.output and "include" in result.output
    assert "Traceback" not in result.output


def test_malformed_check_dir_exit_2(snapshot: Path, tmp_path: Path) -> None:
    checks = tmp_path / "mychecks"
    checks.mkdir()
    (checks / "X-001.yaml").write_text(
        "id: X-001\ntitle: broken\nseverity: urgent\nresource: users\n"
        "assert: {field: active, op: eq, value: true}\nmessage: m\nremediation: r\n",
        encoding="utf-8",
    )
    result = invoke("scan", "--snapshot", str(snapshot), "--checks-dir", str(checks))
    assert result.exit_code == 2
    assert "X-001.yaml:3" in result.output and "severity" in result.output


def test_malformed_snapshot_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "snap.json"
    bad.write_text('{"tenant": {"platform": "salesforce"}, "users": [{"id": 5}]}', encoding="utf-8")
    result = invoke("scan", "--snapshot", str(bad))
    assert result.exit_code == 2 and str(bad) in result.output and "Traceback" not in result.output


def test_custom_check_from_dir(snapshot: Path, tmp_path: Path) -> None:
    checks = tmp_path / "mychecks"
    checks.mkdir()
    (checks / "ACME-001.yaml").write_text(
        """
id: ACME-001
title: Admins use the corporate email domain
severity: medium
resource: users
where: {field: profile, op: eq, value: System Administrator}
assert: {field: email, op: regex, value: '@corp\\.example$'}
message: "{username} is an admin with email {email}"
remediation: Change the email or remove admin access.
""",
        encoding="utf-8",
    )
    result = invoke(
        "scan", "--snapshot", str(snapshot), "--checks-dir", str(checks), "--check", "ACME-001"
    )
    assert result.exit_code == 1
    assert "ACME-001" in result.output and "is an admin" in result.output


def test_validate_reports_each_file(tmp_path: Path, snapshot: Path) -> None:
    good = Path(__file__).parents[3] / "checks/auth/AUTH-002.yaml"
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: B-1\ntitle: test check\nseverity: high\nresource: users\nassert: {field: active, op: equals, value: 1}\nmessage: m\nremediation: r\n"
    )
    result = CliRunner().invoke(cli, ["validate", str(good), str(snapshot), str(bad)])
    assert result.exit_code == 2
    assert "ok" in result.output and "check AUTH-002" in result.output
    assert f"{bad}:5" in result.output and "op" in result.output


def test_validate_ok_policies() -> None:
    root = Path(__file__).parents[3]
    result = invoke(
        "validate", str(root / "policies/baseline.yaml"), str(root / "policies/strict.yaml")
    )
    assert result.exit_code == 0 and "policy strict" in result.output


def test_checks_list_and_show() -> None:
    listed = invoke("checks", "list", "--severity", "high")
    assert listed.exit_code == 0 and "AUTH-002" in listed.output and "AUTH-008" not in listed.output
    shown = invoke("checks", "show", "PRIV-005")
    assert shown.exit_code == 0
    assert "identity.stale_after_days = 90" in shown.output and "Remediation" in shown.output
    strict = invoke("checks", "show", "PRIV-005", "--policy", "strict")
    assert "identity.stale_after_days = 45" in strict.output
    assert invoke("checks", "show", "NOPE-1").exit_code == 2


def test_no_color_when_not_a_tty(snapshot: Path) -> None:
    result = invoke("scan", "--snapshot", str(snapshot))
    assert "\x1b[" not in result.output


def test_checks_fields_lists_what_a_check_can_read() -> None:
    result = invoke("checks", "fields", "users")
    assert result.exit_code == 0
    assert "mfa.status" in result.output and "grants[].source_kind" in result.output
    every = invoke("checks", "fields")
    assert "resource: encryption.fields" in every.output and "auth.session_policy" in every.output
    assert invoke("checks", "fields", "nothing").exit_code == 2


def test_checks_list_by_domain() -> None:
    listed = invoke("checks", "list", "--domain", "data")
    assert listed.exit_code == 0, listed.output
    ids = [line.split()[0] for line in listed.output.splitlines() if line.startswith("DATA-")]
    assert ids == [f"DATA-{n:03d}" for n in range(1, 8)]
    assert "AUTH-001" not in listed.output and "7 checks" in listed.output
    unknown = invoke("checks", "list", "--domain", "NOPE")
    assert unknown.exit_code == 2 and "domains: AUTH" in unknown.output
