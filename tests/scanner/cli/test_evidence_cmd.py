"""Evidence bundles: written by --evidence, signed, verified, tampering detected."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from benchmarks.synthetic_org import make_inventory
from scanner.cli import cli
from scanner.model.snapshot import save_snapshot
from scanner.redact import register_secret


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    private = tmp_path / "keys" / "evidence.pem"
    result = invoke("evidence", "keygen", "--out", str(private))
    assert result.exit_code == 0, result.output
    return private, private.with_name("evidence.pem.pub")


@pytest.fixture
def bundle(tmp_path: Path, keys: tuple[Path, Path]) -> Path:
    snapshot = save_snapshot(make_inventory(users=20), tmp_path / "snap.json")
    out = tmp_path / "evidence"
    result = invoke(
        "scan",
        "--snapshot",
        str(snapshot),
        "--check",
        "AUTH-*",
        "--evidence",
        str(out),
        "--evidence-key",
        str(keys[0]),
        "--format",
        "json",
        "--out",
        str(tmp_path / "report"),
    )
    assert result.exit_code == 1, result.output  # AUTH-002 fails in the synthetic org
    return out


def test_bundle_contents(bundle: Path) -> None:
    names = sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file())
    results = json.loads((bundle / "results.json").read_text())
    checks = sorted(f"checks/{c['id']}.yaml" for c in results["checks"])
    assert names == [
        "attestation.intoto.jsonl",
        *checks,
        "inventory.json",
        "policy/00-baseline.yaml",
        "results.json",
    ]
    envelope = json.loads((bundle / "attestation.intoto.jsonl").read_text())
    statement = json.loads(base64.b64decode(envelope["payload"]))
    assert statement["predicate"]["scan"]["id"] == results["scan_id"]
    assert statement["predicate"]["policy"]["digest"].startswith("sha256:")
    assert {s["name"] for s in statement["subject"]} == set(names) - {"attestation.intoto.jsonl"}


def test_verify_signed_bundle(bundle: Path, keys: tuple[Path, Path]) -> None:
    result = invoke("evidence", "verify", str(bundle), "--public-key", str(keys[1]))
    assert result.exit_code == 0, result.output
    assert "files match the statement, signature valid" in result.output


def test_tampered_file_is_detected(bundle: Path, keys: tuple[Path, Path]) -> None:
    results = bundle / "results.json"
    results.write_text(results.read_text().replace('"FAIL"', '"PASS"'))
    result = invoke("evidence", "verify", str(bundle), "--public-key", str(keys[1]))
    assert result.exit_code == 1 and "results.json: modified" in result.output


def test_rewritten_statement_fails_the_signature(bundle: Path, keys: tuple[Path, Path]) -> None:
    path = bundle / "attestation.intoto.jsonl"
    envelope = json.loads(path.read_text())
    statement = json.loads(base64.b64decode(envelope["payload"]))
    statement["predicate"]["tenant"]["name"] = "Someone Else"
    envelope["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    path.write_text(json.dumps(envelope) + "\n")
    result = invoke("evidence", "verify", str(bundle), "--public-key", str(keys[1]))
    assert result.exit_code == 1 and "no signature matches" in result.output


def test_other_key_and_extra_file(bundle: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.pem"
    invoke("evidence", "keygen", "--out", str(other))
    (bundle / "note.txt").write_text("added later")
    result = invoke("evidence", "verify", str(bundle), "--public-key", f"{other}.pub")
    assert result.exit_code == 1
    assert (
        "no signature matches" in result.output
        and "note.txt: not in the statement" in result.output
    )


def test_unsigned_bundle_and_bad_input(tmp_path: Path) -> None:
    snapshot = save_snapshot(make_inventory(users=5), tmp_path / "snap.json")
    out = tmp_path / "unsigned"
    invoke("scan", "--snapshot", str(snapshot), "--check", "ENC-*", "--evidence", str(out))
    envelope = json.loads((out / "attestation.intoto.jsonl").read_text())
    assert envelope["signatures"] == []
    verified = invoke("evidence", "verify", str(out))
    assert verified.exit_code == 0 and "not signature-checked" in verified.output
    assert invoke("evidence", "verify", str(tmp_path)).exit_code == 2  # no manifest
    key_only = invoke("scan", "--snapshot", str(snapshot), "--evidence-key", str(snapshot))
    assert key_only.exit_code == 2 and "--evidence DIR" in key_only.output
    not_a_key = invoke(
        "scan", "--snapshot", str(snapshot), "--evidence", str(out), "--evidence-key", str(snapshot)
    )
    assert not_a_key.exit_code == 2 and "cannot read the signing key" in not_a_key.output


def test_keygen_refuses_to_overwrite(keys: tuple[Path, Path]) -> None:
    result = invoke("evidence", "keygen", "--out", str(keys[0]))
    assert result.exit_code == 2 and "refusing to overwrite" in result.output


def test_no_secret_in_bundle(tmp_path: Path) -> None:
    secret = "sk-live-evidence-token-0123456789"
    register_secret(secret)
    inventory = make_inventory(users=3)
    assert inventory.users is not None
    inventory.users[0].name = f"pasted {secret} by mistake"
    snapshot = tmp_path / "snap.json"
    snapshot.write_text(inventory.model_dump_json())  # written raw, as an attacker might
    out = tmp_path / "evidence"
    invoke("scan", "--snapshot", str(snapshot), "--evidence", str(out))
    for path in out.rglob("*"):
        if path.is_file():
            assert secret not in path.read_text(errors="replace"), path
    assert invoke("evidence", "verify", str(out)).exit_code == 0


@pytest.mark.parametrize("name", ["evidence.zip", "evidence.tar.gz"])
def test_one_archive_to_hand_over(tmp_path: Path, keys: tuple[Path, Path], name: str) -> None:
    snapshot = save_snapshot(make_inventory(users=6), tmp_path / "snap.json")
    archive = tmp_path / name
    result = invoke("scan", "--snapshot", str(snapshot), "--check", "AUTH-*", "--evidence",
                    str(archive), "--evidence-key", str(keys[0]))  # fmt: skip
    assert result.exit_code == 1 and "wrote evidence" in result.output, result.output
    assert archive.is_file() and not (tmp_path / "results.json").exists()
    verified = invoke("evidence", "verify", str(archive), "--public-key", str(keys[1]))
    assert verified.exit_code == 0 and "signature valid" in verified.output, verified.output
    unsigned = tmp_path / f"unsigned-{name}"
    invoke("scan", "--snapshot", str(snapshot), "--check", "AUTH-*", "--evidence", str(unsigned))
    refused = invoke("evidence", "verify", str(unsigned), "--public-key", str(keys[1]))
    assert refused.exit_code == 1 and "not signed" in refused.output


def test_a_reused_folder_keeps_no_stale_file(tmp_path: Path) -> None:
    snapshot = save_snapshot(make_inventory(users=4), tmp_path / "snap.json")
    out = tmp_path / "evidence"
    invoke("scan", "--snapshot", str(snapshot), "--check", "AUTH-*", "--evidence", str(out))
    assert (out / "checks" / "AUTH-001.yaml").exists()
    invoke("scan", "--snapshot", str(snapshot), "--check", "ENC-*", "--evidence", str(out))
    assert not (out / "checks" / "AUTH-001.yaml").exists()
    assert invoke("evidence", "verify", str(out)).exit_code == 0


def test_keygen_prints_the_key_id(tmp_path: Path) -> None:
    result = invoke("evidence", "keygen", "--out", str(tmp_path / "k.pem"))
    assert result.exit_code == 0
    assert re.search(r"key id:\s+[0-9a-f]{64}", result.output)
