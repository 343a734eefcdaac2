"""``--store``, ``history``, ``findings``, ``diff --target`` and ``--fail-on-new`` on the CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from benchmarks.synthetic_org import make_inventory
from scanner.cli import cli
from scanner.model.snapshot import save_snapshot

TARGET = "salesforce:00D000000000001"


def _run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def snapshots(tmp_path: Path) -> tuple[Path, Path]:
    inventory = make_inventory(users=30)
    assert inventory.users is not None
    one = save_snapshot(inventory, tmp_path / "one.json")
    inventory.users[3].mfa.status = "not_enrolled"  # type: ignore[union-attr]
    return one, save_snapshot(inventory, tmp_path / "two.json")


def _scan(snapshot: Path, store: str, *extra: str) -> Result:
    return _run(
        "scan",
        "--snapshot",
        str(snapshot),
        "--store",
        store,
        "--out",
        str(snapshot.parent / "out"),
        *extra,
    )


def test_scan_records_and_history_shows_the_trend(
    snapshots: tuple[Path, Path], tmp_path: Path
) -> None:
    store = str(tmp_path / "s.db")
    first = _scan(snapshots[0], store, "--fail-on-new", "high")
    assert first.exit_code == 1, first.output  # first scan: every failure is new
    assert f"recorded scan 1 of {TARGET}" in first.output
    assert "First scan of" in first.output
    same = _scan(snapshots[0], store, "--fail-on-new", "high")
    assert same.exit_code == 3, same.output  # nothing new: gate passed, but ERROR findings
    assert "Since scan 1: 0 new failures" in same.output
    changed = _scan(snapshots[1], store, "--fail-on-new", "high", "--format", "console,json,html")
    assert changed.exit_code == 1, changed.output
    assert "NEW high     AUTH-002 user3@synthetic.example" in changed.output
    document = json.loads((snapshots[1].parent / "out" / "crmscan-results.json").read_text())
    assert [len(document["trend"]), document["gate"]["fail_on_new"]] == [3, "high"]
    html = (snapshots[1].parent / "out" / "crmscan-report.html").read_text()
    assert 'id="trend"' in html and html.count("<circle") >= 3

    history = _run("history", TARGET, "--store", store)
    assert history.exit_code == 0, history.output
    assert "Posture score:" in history.output and "over 3 scans" in history.output
    rows = json.loads(_run("history", "--store", store, "--format", "json").output)
    assert [r["id"] for r in rows] == [3, 2, 1]
    assert rows[0]["by_status"]["FAIL"] == rows[1]["by_status"]["FAIL"] + 1


def test_findings_and_diff_from_the_store(snapshots: tuple[Path, Path], tmp_path: Path) -> None:
    store = str(tmp_path / "s.db")
    _scan(snapshots[0], store)
    _scan(snapshots[1], store)
    found = _run(
        "findings",
        "--store",
        store,
        "--target",
        "00D000000000001",
        "--status",
        "FAIL",
        "--severity",
        "high",
        "--new-since",
        "2000-01-01",
        "--format",
        "json",
    )
    assert found.exit_code == 0, found.output
    rows = json.loads(found.output)
    assert (
        rows
        and {r["status"] for r in rows} == {"FAIL"}
        and {r["severity"] for r in rows} == {"high"}
    )
    assert "user3@synthetic.example" in {r["resource"]["name"] for r in rows}
    none_new = _run("findings", "--store", store, "--new-since", "2999-01-01")
    assert none_new.exit_code == 0 and f"0 finding(s) of {TARGET}" in none_new.output

    diff = _run("diff", "--store", store, "--format", "json")
    assert diff.exit_code == 1, diff.output
    changes = json.loads(diff.output)
    assert [f["resource"]["name"] for f in changes["new_failures"]] == ["user3@synthetic.example"]
    assert (
        _run("diff", "--store", store, "--target", TARGET, "--fail-on", "critical").exit_code == 0
    )
    refused = CliRunner().invoke(cli, ["diff", "--store", store, "--from", "2", "--to", "1"])
    assert refused.exit_code == 2 and "scan 2 is not older than scan 1" in refused.output


def test_history_import_moves_a_history_folder(
    snapshots: tuple[Path, Path], tmp_path: Path
) -> None:
    folder = tmp_path / "history"
    for snapshot in snapshots:
        _run(
            "scan",
            "--snapshot",
            str(snapshot),
            "--history",
            str(folder),
            "--out",
            str(tmp_path / "o"),
        )
    store = str(tmp_path / "imported.db")
    imported = _run("history", "--import", str(folder), "--store", store)
    assert imported.exit_code == 0, imported.output
    assert "imported 2 result(s) of 1 target(s)" in imported.output
    again = _run("history", "--import", str(folder), "--store", store)
    assert "imported 0 result(s)" in again.output and "already in the store" in again.output
    rows = json.loads(_run("history", "--store", store, "--format", "json").output)
    assert len(rows) == 2 and all(r["state"] == "finished" for r in rows)
    diff = json.loads(_run("diff", "--store", store, "--format", "json").output)
    assert [f["resource"]["name"] for f in diff["new_failures"]] == ["user3@synthetic.example"]


def test_default_store_comes_from_the_environment(
    snapshots: tuple[Path, Path], tmp_path: Path
) -> None:
    # The suite's conftest points XDG_DATA_HOME at a temporary folder: never the real one.
    assert os.environ["XDG_DATA_HOME"] != str(Path.home() / ".local" / "share")
    missing = CliRunner().invoke(cli, ["history"])
    assert missing.exit_code == 2
    assert os.environ["XDG_DATA_HOME"] in missing.output and "no posture store" in missing.output
    plain = _run("scan", "--snapshot", str(snapshots[0]), "--out", str(tmp_path / "o"))
    assert "recorded scan" not in plain.output  # no --store, no CRMSCAN_STORE: not recorded
    env = {"CRMSCAN_STORE": str(tmp_path / "env.db")}
    recorded = _run("scan", "--snapshot", str(snapshots[0]), "--out", str(tmp_path / "o"), env=env)
    assert "recorded scan 1" in recorded.output
    assert "salesforce:00D000000000001" in _run("history", env=env).output


def test_fail_on_new_without_a_store_is_a_usage_error(snapshots: tuple[Path, Path]) -> None:
    result = CliRunner().invoke(
        cli, ["scan", "--snapshot", str(snapshots[0]), "--fail-on-new", "high"]
    )
    assert (
        result.exit_code == 2 and "--fail-on-new compares with the previous scan" in result.output
    )


def test_postgresql_store_from_the_cli(snapshots: tuple[Path, Path], postgres_url: str) -> None:
    from tests.scanner.store.conftest import reset_postgres

    reset_postgres(postgres_url)
    try:
        assert _scan(snapshots[0], postgres_url).exit_code == 1
        assert _scan(snapshots[1], postgres_url, "--fail-on-new", "high").exit_code == 1
        history = _run("history", TARGET, "--store", postgres_url)
        assert "over 2 scans" in history.output
        assert "postgres@127.0.0.1" in _scan(snapshots[1], postgres_url).output
    finally:
        reset_postgres(postgres_url)
