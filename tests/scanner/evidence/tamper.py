"""The tamper matrix: every way of altering a bundle, checked by crmscan and by an
independent DSSE verifier. ``python -m tests.scanner.evidence.tamper`` prints the table.
"""

from __future__ import annotations

import base64
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scanner.errors import CrmscanError
from scanner.evidence.keys import load_public_key
from scanner.evidence.verify import verify_bundle
from tests.scanner.evidence.kit import (
    ENVELOPE,
    independent_verify,
    new_key,
    public_pem,
    read_members,
    scan_bundle,
    write_members,
)

KINDS = {"folder": "bundle", "zip": "bundle.zip", "tar.gz": "bundle.tar.gz"}
Files = dict[str, bytes]


@dataclass
class Variant:
    """One tampered bundle: its category, what was done, the files, the key to verify."""

    category: str
    what: str
    files: Files
    key: Ed25519PrivateKey


def _flip(data: bytes) -> bytes:
    at = len(data) // 2
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def _edit_statement(files: Files, change: Callable[[dict], None]) -> Files:  # type: ignore[type-arg]
    envelope = json.loads(files[ENVELOPE])
    statement = json.loads(base64.b64decode(envelope["payload"]))
    change(statement)
    envelope["payload"] = base64.b64encode(rfc8785.dumps(statement)).decode()
    return {**files, ENVELOPE: rfc8785.dumps(envelope) + b"\n"}


def _with_results_rewritten(files: Files) -> Files:
    import hashlib

    results = files["results.json"].replace(b'"FAIL"', b'"PASS"')
    digest = hashlib.sha256(results).hexdigest()

    def change(statement: dict) -> None:  # type: ignore[type-arg]
        for subject in statement["subject"]:
            if subject["name"] == "results.json":
                subject["digest"]["sha256"] = digest

    return _edit_statement({**files, "results.json": results}, change)


def _signatures_from(files: Files, donor: Files) -> Files:
    envelope = json.loads(files[ENVELOPE])
    envelope["signatures"] = json.loads(donor[ENVELOPE])["signatures"]
    return {**files, ENVELOPE: rfc8785.dumps(envelope) + b"\n"}


def _unsigned(files: Files) -> Files:
    envelope = json.loads(files[ENVELOPE])
    envelope["signatures"] = []
    return {**files, ENVELOPE: rfc8785.dumps(envelope) + b"\n"}


def variants(
    files: Files, key: Ed25519PrivateKey, same_key: Files, other_key: Files
) -> list[Variant]:
    """Every tampered variant of ``files`` (a bundle signed with ``key``)."""
    out = [Variant("byte changed", n, {**files, n: _flip(files[n])}, key) for n in sorted(files)]
    out += [
        Variant("file removed", n, {k: v for k, v in files.items() if k != n}, key)
        for n in sorted(files)
    ]
    out += [
        Variant("file added", "extra.txt", {**files, "extra.txt": b"added later\n"}, key),
        Variant("file added", "raw/extra.jsonl", {**files, "raw/extra.jsonl": b"{}\n"}, key),
        Variant(
            "file added", "checks/AUTH-999.yaml", {**files, "checks/AUTH-999.yaml": b"id: x\n"}, key
        ),
    ]

    def rename(statement: dict) -> None:  # type: ignore[type-arg]
        statement["predicate"]["tenant"]["name"] = "Someone Else"

    def drop_subject(statement: dict) -> None:  # type: ignore[type-arg]
        statement["subject"] = [s for s in statement["subject"] if s["name"] != "results.json"]

    out += [
        Variant("statement edited", "tenant name changed", _edit_statement(files, rename), key),
        Variant(
            "statement edited",
            "results.json changed, its digest updated",
            _with_results_rewritten(files),
            key,
        ),  # fmt: skip
        Variant(
            "statement edited",
            "results.json dropped from the subjects",
            _edit_statement(files, drop_subject),
            key,
        ),  # fmt: skip
        Variant(
            "signature swapped",
            "from another bundle, same key",
            _signatures_from(files, same_key),
            key,
        ),  # fmt: skip
        Variant(
            "signature swapped",
            "from a bundle of another key",
            _signatures_from(files, other_key),
            key,
        ),  # fmt: skip
        Variant("signature swapped", "signatures removed", _unsigned(files), key),
        Variant("wrong key", "verified with another public key", files, new_key()),
    ]
    return out


def crmscan_detects(path: Path, key: Ed25519PrivateKey, work: Path) -> bool:
    """True when ``crmscan evidence verify`` would fail (exit 1 or 2)."""
    pem = work / f"key-{id(key)}.pub"
    if not pem.exists():
        pem.write_bytes(public_pem(key))
    try:
        return not verify_bundle(path, load_public_key(pem)).ok
    except CrmscanError:
        return True


def independent_detects(path: Path, key: Ed25519PrivateKey) -> bool:
    """True when the securesystemslib-based verifier rejects the bundle."""
    try:
        return bool(independent_verify(path, public_pem(key)))
    except Exception:  # noqa: BLE001 - any refusal of the independent tool counts
        return True


def run_matrix(work: Path) -> dict[tuple[str, str], list[int]]:
    """(kind, category) → [variants, detected by crmscan, detected independently, clean ok]."""
    key = new_key()
    table: dict[tuple[str, str], list[int]] = {}
    for kind, name in KINDS.items():
        base = work / kind
        base.mkdir()
        bundle, _ = scan_bundle(base / name, key)
        bundle = base / name
        same, _ = scan_bundle(base / f"same-{name}", key, note="another scan")
        other, _ = scan_bundle(base / f"other-{name}", new_key())
        files = read_members(bundle)
        assert not crmscan_detects(bundle, key, work), "the untouched bundle must verify"
        assert not independent_detects(bundle, key), "the untouched bundle must verify"
        control = base / f"control-{name}"
        shutil.copytree(bundle, control) if kind == "folder" else shutil.copy(bundle, control)
        write_members(control, files)  # rewritten the way variants are, nothing changed
        assert not crmscan_detects(control, key, work), "a rewritten, unchanged bundle verifies"
        assert not independent_detects(control, key), "a rewritten, unchanged bundle verifies"
        for number, variant in enumerate(
            variants(
                files,
                key,
                read_members(base / f"same-{name}"),
                read_members(base / f"other-{name}"),
            )
        ):
            target = base / f"v{number}-{name}"
            if kind == "folder":
                shutil.copytree(bundle, target)
            else:
                shutil.copy(bundle, target)
            write_members(target, variant.files)
            row = table.setdefault((kind, variant.category), [0, 0, 0])
            row[0] += 1
            row[1] += crmscan_detects(target, variant.key, work)
            row[2] += independent_detects(target, variant.key)
        del same, other
    return table


def main() -> None:
    """Print the tamper matrix as a Markdown table."""
    with tempfile.TemporaryDirectory() as work:
        table = run_matrix(Path(work))
    print("| bundle | tampering | variants | crmscan detects | securesystemslib verifier detects |")
    print("| --- | --- | ---: | ---: | ---: |")
    for (kind, category), (total, ours, theirs) in table.items():
        print(f"| {kind} | {category} | {total} | {ours} ({100 * ours // total} %) | "
              f"{theirs} ({100 * theirs // total} %) |")  # fmt: skip


if __name__ == "__main__":
    main()
