"""``--history DIR``: results kept per tenant, changes shown against the previous scan."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from benchmarks.synthetic_org import make_inventory
from scanner.cli import cli
from scanner.model.snapshot import save_snapshot


def _scan(snapshot: Path, history: Path) -> str:
    result = CliRunner().invoke(
        cli, ["scan", "--snapshot", str(snapshot), "--check", "AUTH-002", "--history", str(history)]
    )
    assert result.exit_code == 1, result.output
    return result.output


def test_history_stores_and_compares(tmp_path: Path) -> None:
    history = tmp_path / "history"
    inventory = make_inventory(users=50)
    first = _scan(save_snapshot(inventory, tmp_path / "one.json"), history)
    assert "Since the last scan" not in first  # nothing to compare with yet
    assert inventory.users is not None
    inventory.users[3].mfa.status = "not_enrolled"  # type: ignore[union-attr]
    second = _scan(save_snapshot(inventory, tmp_path / "two.json"), history)
    assert "Since the last scan: 1 new failures, 0 fixed, 3 still failing" in second
    assert "NEW AUTH-002 user3@synthetic.example" in second
    [folder] = list(history.iterdir())
    assert folder.name == "salesforce-00D000000000001"
    stored = sorted(folder.glob("*.json"))
    assert len(stored) == 2
    assert all(json.loads(p.read_text())["tenant"]["id"] == "00D000000000001" for p in stored)
