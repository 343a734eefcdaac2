"""The bundle's format: in-toto Statement v1 in DSSE, verifiable with securesystemslib;
determinism; the previous format's message."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
import rfc8785
from click.testing import CliRunner

from scanner.cli import cli
from scanner.evidence.verify import verify_bundle
from tests.scanner.evidence.kit import (
    ENVELOPE,
    independent_verify,
    new_key,
    public_pem,
    read_members,
    scan_bundle,
    statement_of,
)

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("name", ["bundle", "bundle.zip", "bundle.tar.gz", "bundle.tgz"])
def test_a_standard_dsse_verifier_accepts_what_crmscan_wrote(tmp_path: Path, name: str) -> None:
    key = new_key()
    written, document = scan_bundle(tmp_path / name, key)
    path = tmp_path / name
    assert independent_verify(path, public_pem(key)) == []
    files = read_members(path)
    envelope = json.loads(files[ENVELOPE])
    assert envelope["payloadType"] == "application/vnd.in-toto+json"
    assert files[ENVELOPE] == rfc8785.dumps(envelope) + b"\n"  # canonical JSON, one line
    payload = base64.b64decode(envelope["payload"])
    statement = json.loads(payload)
    assert payload == rfc8785.dumps(statement)
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert statement["predicateType"] == "https://crmscan.dev/evidence/v1"
    subjects = {s["name"]: s["digest"]["sha256"] for s in statement["subject"]}
    assert set(subjects) == set(files) - {ENVELOPE}
    assert {"inventory.json", "results.json", "policy/00-baseline.yaml", "raw/users.jsonl",
            "raw/auth.session.jsonl", "checks/AUTH-002.yaml"} <= set(subjects)  # fmt: skip
    for subject, digest in subjects.items():
        assert hashlib.sha256(files[subject]).hexdigest() == digest
    predicate = statement["predicate"]
    assert predicate["tool"] == {"name": "crmscan", "version": document["tool"]["version"]}
    assert predicate["scan"]["id"] == document["scan_id"]
    assert predicate["scan"]["started_at"] == document["started_at"]
    assert predicate["target"]["platform"] == document["tenant"]["platform"]
    assert predicate["tenant"]["id"] == document["tenant"]["id"]
    assert predicate["policy"]["digest"] == document["policy"]["digest"]
    assert predicate["policy"]["files"][0]["name"] == "policy/00-baseline.yaml"
    ran = {c["id"] for c in document["checks"]}
    assert {c["id"] for c in predicate["checks"]} == ran
    for check in predicate["checks"]:
        assert check["digest"]["sha256"] == subjects[check["file"]]
    assert predicate["summary"] == document["summary"]
    assert predicate["contents"]["raw"] == ["raw/auth.session.jsonl", "raw/users.jsonl"]
    outcome = verify_bundle(path, None)
    assert outcome.ok and outcome.files == len(subjects) and not outcome.signed


def test_the_same_scan_gives_the_same_bytes(tmp_path: Path) -> None:
    key = new_key()
    for name in ("bundle", "bundle.zip", "bundle.tar.gz"):
        scan_bundle(tmp_path / "a" / name, key)
        scan_bundle(tmp_path / "b" / name, key)
        first, second = read_members(tmp_path / "a" / name), read_members(tmp_path / "b" / name)
        assert (
            first == second
        )  # every file, the signed envelope included (Ed25519 is deterministic)
        if name != "bundle":
            assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert statement_of(tmp_path / "a" / "bundle") == statement_of(tmp_path / "a" / "bundle.zip")


def test_two_scans_of_one_snapshot_differ_only_in_scan_id_and_times(tmp_path: Path) -> None:
    from benchmarks.synthetic_org import make_inventory
    from scanner.model.snapshot import save_snapshot

    snapshot = save_snapshot(make_inventory(users=8), tmp_path / "snap.json")
    digests = []
    for run in ("one", "two"):
        result = CliRunner().invoke(cli, ["scan", "--snapshot", str(snapshot), "--check", "AUTH-*",
                                          "--evidence", str(tmp_path / run)])  # fmt: skip
        assert result.exit_code in (0, 1), result.output
        digests.append(
            {s["name"]: s["digest"]["sha256"] for s in statement_of(tmp_path / run)["subject"]}
        )
    assert set(digests[0]) == set(digests[1])
    assert [n for n in digests[0] if digests[0][n] != digests[1][n]] == ["results.json"]
    documents = [
        json.loads((tmp_path / run / "results.json").read_text()) for run in ("one", "two")
    ]
    for document in documents:
        # as_of is the scan's clock: "now" unless --as-of names a time
        for volatile in ("scan_id", "started_at", "finished_at", "as_of"):
            document.pop(volatile)
    assert documents[0] == documents[1]


def test_a_bundle_of_the_previous_format_gets_a_clear_message() -> None:
    legacy = FIXTURES / "v1-bundle"  # written by the previous writer (manifest.json + .sig)
    assert (legacy / "manifest.json").exists() and (legacy / "manifest.sig").exists()
    for command in (["verify"], ["explain"]):
        result = CliRunner().invoke(cli, ["evidence", *command, str(legacy)])
        assert result.exit_code == 2, result.output
        assert "previous format (crmscan-evidence/1" in result.output
        assert "Traceback" not in result.output
