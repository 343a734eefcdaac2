"""``crmscan evidence explain``: finding → check, rule, observed values, raw records."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from benchmarks.synthetic_org import make_inventory
from scanner.cli import cli
from scanner.model.snapshot import save_snapshot
from scanner.results.reader import ResultReader
from tests.scanner.evidence.kit import new_key, public_pem, read_members, scan_bundle, write_members


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, ["evidence", "explain", *args])


@pytest.mark.parametrize("name", ["bundle", "bundle.zip", "bundle.tar.gz"])
def test_explain_traces_a_finding_to_its_raw_record(tmp_path: Path, name: str) -> None:
    key = new_key()
    _, document = scan_bundle(tmp_path / name, key)
    traced = next(
        f for f in ResultReader(document).attention()
        if f["status"] == "FAIL" and f["resource"]["type"] == "users" and f["evidence"].get("records")
    )  # fmt: skip
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


def test_finding_ids_cover_schema_2_compact_passes_and_duplicates() -> None:
    from scanner.evidence.explain import findings_by_id

    document = {
        "findings": [
            {"check_id": "AUTH-002", "status": "FAIL", "resource": {"type": "users", "id": "u1"}},
            {"check_id": "AUTH-002", "status": "ERROR", "resource": {"type": "users", "id": "u1"}},
            {
                "check_id": "AUTH-001",
                "status": "MANUAL",
                "resource": {"type": "tenant", "id": None},
            },
        ],
        "passed": [
            {
                "check_id": "AUTH-002",
                "resource_type": "users",
                "message": "ok",
                "resources": [["u2", "Bob"], ["u3", "Carol"]],
            }
        ],  # fmt: skip
    }
    found = findings_by_id(document)
    assert list(found) == [
        "AUTH-002:u1",
        "AUTH-002:u1#2",
        "AUTH-001:-",
        "AUTH-002:u2",
        "AUTH-002:u3",
    ]
    assert found["AUTH-002:u1#2"]["status"] == "ERROR"
    assert found["AUTH-002:u3"]["resource"]["name"] == "Carol" and found["AUTH-002:u3"]["compact"]


def test_the_bundle_inventory_is_a_snapshot_that_judges_again(tmp_path: Path) -> None:
    from tests.scanner.evidence.kit import read_members

    scan_bundle(tmp_path / "bundle", None)
    again = CliRunner().invoke(cli, ["scan", "--snapshot", str(tmp_path / "bundle" / "inventory.json"),
                                     "--check", "AUTH-*", "--format", "json", "--out", str(tmp_path / "again")])  # fmt: skip
    assert again.exit_code == 1, again.output
    assert read_members(tmp_path / "bundle")["inventory.json"]


def test_hostile_archives_exit_cleanly_through_the_cli(tmp_path: Path) -> None:
    import zipfile

    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04not really")
    broken = CliRunner().invoke(cli, ["evidence", "verify", str(tmp_path / "broken.zip")])
    assert broken.exit_code == 2 and "not a readable zip archive" in broken.output
    scan_bundle(tmp_path / "good.zip", None)
    with zipfile.ZipFile(tmp_path / "good.zip", "a") as archive:
        archive.writestr("../../escape.txt", b"x")
    escaped = CliRunner().invoke(cli, ["evidence", "verify", str(tmp_path / "good.zip")])
    assert (
        escaped.exit_code == 1
        and "FAILED  ../../escape.txt: path outside the bundle" in escaped.output
    )
    assert "Traceback" not in broken.output + escaped.output


def test_the_auditor_flow_on_a_demo_scan(tmp_path: Path) -> None:
    """One archive and a public key: verified by crmscan and by securesystemslib, and a
    finding traced to the raw API records the Salesforce adapter received."""
    import json

    from tests.scanner.evidence.kit import independent_verify

    runner = CliRunner()
    key = tmp_path / "evidence.pem"
    assert runner.invoke(cli, ["evidence", "keygen", "--out", str(key)]).exit_code == 0
    archive = tmp_path / "evidence.zip"
    demo = runner.invoke(cli, ["demo", "--out", str(tmp_path / "out"), "--evidence", str(archive),
                               "--evidence-key", str(key)])  # fmt: skip
    assert demo.exit_code == 0, demo.output
    public = Path(f"{key}.pub")
    assert independent_verify(archive, public.read_bytes()) == []
    assert (
        runner.invoke(
            cli, ["evidence", "verify", str(archive), "--public-key", str(public)]
        ).exit_code
        == 0
    )
    document = json.loads(read_members(archive)["results.json"])
    traced = next(f for f in document["findings"]
                  if f["status"] == "FAIL" and f["check_id"] == "AUTH-002")  # fmt: skip
    assert traced["evidence"]["records"]
    finding_id = f"AUTH-002:{traced['resource']['id']}"
    explained = invoke(str(archive), finding_id, "--public-key", str(public))
    assert explained.exit_code == 0, explained.output
    assert "verified (signature valid)" in explained.output
    assert "from raw/users.jsonl: GET /services/data/" in explained.output
    assert f'"Id": "{traced["resource"]["id"]}"' in explained.output
    assert "not found" not in explained.output


def test_explain_reads_no_file_the_statement_does_not_list(tmp_path: Path) -> None:
    _, document = scan_bundle(tmp_path / "bundle", None)
    traced = next(
        f for f in ResultReader(document).attention()
        if f["status"] == "FAIL" and f["resource"]["type"] == "users" and f["evidence"].get("records")
    )  # fmt: skip
    finding_id = f"{traced['check_id']}:{traced['resource']['id']}"
    (tmp_path / "bundle" / "raw" / "users.jsonl").unlink()
    planted = '{"collection":"users","path":"/planted","status":200,"body":{"Id":"%s"}}\n'
    (tmp_path / "bundle" / "raw" / "users.jsonl").write_text(planted % traced["resource"]["id"])
    explained = invoke(str(tmp_path / "bundle"), finding_id)
    assert explained.exit_code == 1 and "raw/users.jsonl: modified" in explained.output
    assert "/planted" not in explained.output or "DOES NOT VERIFY" in explained.output
    (tmp_path / "bundle" / "raw" / "users.jsonl").rename(
        tmp_path / "bundle" / "raw" / "other.jsonl"
    )
    explained = invoke(str(tmp_path / "bundle"), finding_id)
    assert "raw/other.jsonl: not in the statement" in explained.output
    assert "/planted" not in explained.output  # an unlisted file is never read
