"""Evidence bundles: written by --evidence, signed, verified, tampering detected."""

from __future__ import annotations

import json
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
    assert names == [
        "inventory.json",
        "manifest.json",
        "manifest.sig",
        "policy/00-baseline.yaml",
        "results.json",
    ]
    manifest = json.loads((bundle / "manifest.json").read_text())
    results = json.loads((bundle / "results.json").read_text())
    assert manifest["scan_id"] == results["scan_id"]
    assert manifest["policy"]["digest"].startswith("sha256:")
    assert set(manifest["files"]) == {"inventory.json", "results.json", "policy/00-baseline.yaml"}


def test_verify_signed_bundle(bundle: Path, keys: tuple[Path, Path]) -> None:
    result = invoke("evidence", "verify", str(bundle), "--public-key", str(keys[1]))
    assert result.exit_code == 0, result.output
    assert "3 files match the manifest, signature valid" in result.output


def test_tampered_file_is_detected(bundle: Path, keys: tuple[Path, Path]) -> None:
    results = bundle / "results.json"
    results.write_text(results.read_text().replace('"FAIL"', '"PASS"'))
    result = invoke("evidence", "verify", str(bundle), "--public-key", str(keys[1]))
    assert result.exit_code == 1 and "results.json: modified" in result.output


def test_rewritten_manifest_fails_the_signature(bundle: Path, keys: tuple[Path, Path]) -> None:
    manifest_path = bundle / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["tenant"]["name"] = "Someone Else"
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    result = invoke("evidence", "verify", str(bundle), "--public-key", str(keys[1]))
    assert result.exit_code == 1 and "manifest.sig: does not match" in result.output


def test_other_key_and_extra_file(bundle: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.pem"
    invoke("evidence", "keygen", "--out", str(other))
    (bundle / "note.txt").write_text("added later")
    result = invoke("evidence", "verify", str(bundle), "--public-key", f"{other}.pub")
    assert result.exit_code == 1
    assert (
        "manifest.sig: does not match" in result.output
        and "note.txt: not in the manifest" in result.output
    )


def test_unsigned_bundle_and_bad_input(tmp_path: Path) -> None:
    snapshot = save_snapshot(make_inventory(users=5), tmp_path / "snap.json")
    out = tmp_path / "unsigned"
    invoke("scan", "--snapshot", str(snapshot), "--check", "ENC-*", "--evidence", str(out))
    assert not (out / "manifest.sig").exists()
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
