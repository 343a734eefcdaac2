"""``crmscan diff``: new, fixed and still-failing findings between two scans."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

from benchmarks.synthetic_org import NOW, make_inventory
from scanner.cli import cli
from scanner.model.snapshot import save_snapshot

CHECKS = ["--check", "AUTH-002", "--check", "PRIV-009", "--check", "AUTH-008"]


def _scan(tmp_path: Path, name: str, inventory: object) -> Path:
    snap = save_snapshot(inventory, tmp_path / f"{name}.json")  # type: ignore[arg-type]
    out = tmp_path / name
    CliRunner().invoke(
        cli, ["scan", "--snapshot", str(snap), "--format", "json", "--out", str(out), *CHECKS]
    )
    return out / "crmscan-results.json"


def _scans(tmp_path: Path) -> tuple[Path, Path]:
    before = make_inventory(users=50)
    after = make_inventory(users=50)
    assert after.users is not None and after.auth.session_policy is not None
    by_name = {u.username: u for u in after.users}
    by_name["user0@synthetic.example"].mfa.status = "enrolled"  # type: ignore[union-attr]  # fixed
    by_name["user3@synthetic.example"].mfa.status = "not_enrolled"  # type: ignore[union-attr]  # new failure
    by_name["user7@synthetic.example"].mfa = None  # newly not collected
    after.auth.session_policy.timeout_minutes = 60
    after.auth.session_policy.lock_to_ip = True  # AUTH-008 fixed
    after.tenant.collected_at = NOW + timedelta(days=1)
    return _scan(tmp_path, "before", before), _scan(tmp_path, "after", after)


def test_diff_json(tmp_path: Path) -> None:
    before, after = _scans(tmp_path)
    result = CliRunner().invoke(cli, ["diff", str(before), str(after), "--format", "json"])
    assert result.exit_code == 1, result.output  # a new high failure
    diff = json.loads(result.output)
    names = {
        k: {(f["check_id"], f["resource"]["name"]) for f in diff[k]} for k in diff if k != "counts"
    }
    assert names["new_failures"] == {("AUTH-002", "user3@synthetic.example")}
    assert ("AUTH-002", "user0@synthetic.example") in names["fixed"]
    assert ("AUTH-008", "Synthetic Org") in names["fixed"]
    assert names["new_errors"] == {("AUTH-002", "user7@synthetic.example")}
    assert ("PRIV-009", "user5@synthetic.example") in names["still_failing"]
    assert diff["counts"]["new_failures"] == 1


def test_diff_console_and_gate(tmp_path: Path) -> None:
    before, after = _scans(tmp_path)
    result = CliRunner().invoke(cli, ["diff", str(before), str(after), "--fail-on", "critical"])
    assert result.exit_code == 0  # the new failure is high, below the critical gate
    assert "New failures: 1" in result.output and "user3@synthetic.example" in result.output
    same = CliRunner().invoke(cli, ["diff", str(after), str(after)])
    assert same.exit_code == 0 and "New failures: 0" in same.output


def test_diff_rejects_bad_input(tmp_path: Path) -> None:
    before, _ = _scans(tmp_path)
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema_version": "1.0"}', encoding="utf-8")
    result = CliRunner().invoke(cli, ["diff", str(before), str(broken)])
    assert result.exit_code == 2 and str(broken) in result.output
    other = json.loads(before.read_text())
    other["tenant"]["id"] = "00DOTHER"
    other_path = tmp_path / "other.json"
    other_path.write_text(json.dumps(other), encoding="utf-8")
    result = CliRunner().invoke(cli, ["diff", str(before), str(other_path)])
    assert result.exit_code == 2 and "different tenants" in result.output
