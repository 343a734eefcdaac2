"""Planted secrets never reach a bundle: not its files, raw responses, statement or archive."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from scanner.redact import register_secret
from tests.scanner.evidence.kit import new_key, read_members, scan_bundle

SECRET = "sk-live-evidence-secret-7Hq2Lm9xR4"


@pytest.mark.parametrize("name", ["bundle", "bundle.zip", "bundle.tar.gz"])
def test_planted_secrets_are_not_in_the_bundle(tmp_path: Path, name: str) -> None:
    register_secret(SECRET)
    # the secret sits in a user's name (inventory, results, raw users page) and in a raw
    # settings response: everywhere a CRM could echo it back
    scan_bundle(tmp_path / name, new_key(), note=f"pasted {SECRET} by mistake")
    files = read_members(tmp_path / name)
    assert {"raw/users.jsonl", "raw/auth.session.jsonl", "inventory.json", "results.json"} <= set(
        files
    )
    for member, data in files.items():
        assert SECRET.encode() not in data, member
    assert b"pasted [REDACTED] by mistake" in files["raw/users.jsonl"]
    path = tmp_path / name
    if path.is_file():
        raw = path.read_bytes()
        assert SECRET.encode() not in raw
        if name.endswith(".tar.gz"):
            assert SECRET.encode() not in gzip.decompress(raw)
