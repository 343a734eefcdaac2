"""``crmscan evidence explain``: finding → check, rule, observed values, raw records."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from benchmarks.synthetic_org import make_inventory
from scanner.cli import cli
from scanner.model.snapshot import save_snapshot
from tests.scanner.evidence.kit import new_key, public_pem, read_members, scan_bundle, write_members


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, ["evidence", "explain", *args])


@pytest.mark.parametrize("name", ["bundle", "bundle.zip", "bundle.tar.gz"])
def test_explain_traces_a_finding_to_its_raw_record(tmp_path: Path, name: str) -> None:
    key = new_key()
    _, document = scan_bundle(tmp_path / name, key)
    traced = next(f for f in document["findings"] if f["evidence"].get("records"))
    finding_id = f"{traced['check_id']}:{traced['resource']['id']}"
    (tmp_path / "key.pub").write_bytes(public_pem(key))
    listing = invoke(str(tmp_path / name))
    assert listing.exit_code == 0, listing.output
    ids = [line.split()[0] for line in listing.output.splitlines()[1:]]
    assert ids and all(":" in i for i in ids)
    assert finding_id in ids
    explained = invoke(str(tmp_path / name), finding_id, "--public-key", str(tmp_path / "key.pub"))
    assert explained.exit_code == 0, explained.output
    out = explained.output
    assert "verified (signature valid)" in out
    check_id, user_id = finding_id.split(":", 1)
    assert f"Check {check_id}:" in out and f"file: checks/{check_id}.yaml" in out
    assert "rule:" in out and "resource: users" in out
    assert "Observed values:" in out
    assert "Raw records:" in out and f"users {user_id}" in out
    assert "from raw/users.jsonl: GET /services/data/v62.0/query" in out
    assert f'"Id": "{user_id}"' in out


def test_explain_says_when_there_is_no_raw_data(tmp_path: Path) -> None:
    snapshot = save_snapshot(make_inventory(users=5), tmp_path / "snap.json")
    bundle = tmp_path / "bundle.zip"
    CliRunner().invoke(cli, ["scan", "--snapshot", str(snapshot), "--check", "AUTH-002",
                             "--evidence", str(bundle)])  # fmt: skip
    listing = invoke(str(bundle), "--all")
    assert listing.exit_code == 0, listing.output
    first = listing.output.splitlines()[1].split()[0]
    explained = invoke(str(bundle), first)
    assert explained.exit_code == 0, explained.output
    assert "this bundle holds no raw API responses" in explained.output


def test_unknown_finding_and_tampered_bundle(tmp_path: Path) -> None:
    scan_bundle(tmp_path / "bundle.zip", None)
    unknown = invoke(str(tmp_path / "bundle.zip"), "AUTH-002:nobody")
    assert unknown.exit_code == 2
    assert (
        "no finding 'AUTH-002:nobody'" in unknown.output
        and "CHECK-ID:RESOURCE-ID" in unknown.output
    )
    files = read_members(tmp_path / "bundle.zip")
    files["results.json"] = files["results.json"].replace(b'"FAIL"', b'"PASS"', 1)
    write_members(tmp_path / "bundle.zip", files)
    listing = invoke(str(tmp_path / "bundle.zip"), "--all")
    assert listing.exit_code == 1
    assert "DOES NOT VERIFY" in listing.output and "results.json: modified" in listing.output
