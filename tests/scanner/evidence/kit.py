"""Shared pieces of the evidence tests: a real scan's bundle with raw responses, keys,
and an independent verifier built only on securesystemslib, in-toto-attestation and the
standard library (no crmscan code), as an auditor would write it."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import tarfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from google.protobuf import json_format
from in_toto_attestation.v1 import statement_pb2
from in_toto_attestation.v1.statement import Statement
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey

from benchmarks.synthetic_org import make_inventory
from scanner.engine.scan import run_checks
from scanner.evidence.bundle import write_scan_bundle
from scanner.evidence.raw import RawCapture
from scanner.language.policy import load_policy
from scanner.results.document import to_document

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
ENVELOPE = "attestation.intoto.jsonl"


def new_key() -> Ed25519PrivateKey:
    """A fresh signing key."""
    return Ed25519PrivateKey.generate()


def public_pem(key: Ed25519PrivateKey) -> bytes:
    """The PEM of ``key``'s public half."""
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def scan_bundle(
    target: Path, key: Ed25519PrivateKey | None, users: int = 12, note: str = ""
) -> tuple[Path, dict[str, Any]]:
    """Scan a synthetic org (fixed clock and scan id) with raw responses into ``target``.

    Findings carry the engine's record pointers (``evidence.records``).
    Returns what was written and the result document.
    """
    inventory = make_inventory(users=users)
    assert inventory.users is not None
    if note:
        inventory.users[0].name = note
    capture = RawCapture(clock=lambda: NOW)
    page = [{"Id": u.id, "Username": u.username, "Name": u.name} for u in inventory.users]
    capture.record("users", "GET", "/services/data/v62.0/query?q=SELECT+Id+FROM+User", 200,
                   json.dumps({"totalSize": len(page), "done": True, "records": page}))  # fmt: skip
    capture.record("auth.session", "GET", "/services/data/v62.0/tooling/query", 200,
                   json.dumps({"records": [{"SessionTimeout": 120, "note": note}]}))  # fmt: skip
    inventory.raw = capture
    policy = load_policy(None)
    result = run_checks(inventory, policy, ("AUTH-*", "PRIV-*"), (), NOW)
    result.scan_id = "00000000-0000-4000-8000-000000000001"
    result.started_at = result.finished_at = NOW
    document = to_document(result, "low")
    return write_scan_bundle(target, result, document, key), document


def read_members(path: Path) -> dict[str, bytes]:
    """Every regular file of a bundle folder or archive (standard library only)."""
    if path.is_dir():
        out = {}
        for root, _, names in os.walk(path):
            for name in names:
                full = Path(root, name)
                out[full.relative_to(path).as_posix()] = full.read_bytes()
        return out
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return {i.filename: archive.read(i) for i in archive.infolist() if not i.is_dir()}
    with tarfile.open(path, "r:gz") as archive:
        members = [m for m in archive.getmembers() if m.isreg()]
        return {m.name: archive.extractfile(m).read() for m in members}  # type: ignore[union-attr]


def write_members(path: Path, files: dict[str, bytes]) -> None:
    """Replace the bundle at ``path`` (same kind) by ``files`` (standard library only)."""
    if path.is_dir():
        for root, _, names in os.walk(path):
            for name in names:
                Path(root, name).unlink()
        for name, data in files.items():
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            (path / name).write_bytes(data)
    elif path.name.endswith(".zip"):
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in files.items():
                archive.writestr(name, data)
    else:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
            for name, data in files.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
        path.write_bytes(buffer.getvalue())


def independent_verify(path: Path, public_key_pem: bytes) -> list[str]:
    """Verify a bundle as docs/evidence.md tells an auditor to, without crmscan.

    securesystemslib checks the DSSE signature (its keyid is the SHA-256 of the key's DER
    SubjectPublicKeyInfo), in-toto-attestation validates the Statement, hashlib the
    files. Returns the problems (empty: verified); malformed input raises.
    """
    files = read_members(path)
    envelope = Envelope.from_dict(json.loads(files.pop(ENVELOPE)))
    public = serialization.load_pem_public_key(public_key_pem)
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key = SSlibKey.from_crypto(public, keyid=hashlib.sha256(der).hexdigest())  # type: ignore[arg-type]
    envelope.verify([key], 1)  # raises VerificationError
    problems = []
    if envelope.payload_type != "application/vnd.in-toto+json":
        problems.append("payload type")
    proto = json_format.Parse(envelope.payload, statement_pb2.Statement())  # type: ignore[attr-defined]
    statement = Statement.copy_from_pb(proto)
    statement.validate()
    if statement.pb.predicate_type != "https://crmscan.dev/evidence/v1":
        problems.append("predicate type")
    subjects = {s.name: s.digest["sha256"] for s in statement.pb.subject}
    for name, digest in subjects.items():
        if name not in files:
            problems.append(f"{name} missing")
        elif hashlib.sha256(files[name]).hexdigest() != digest:
            problems.append(f"{name} modified")
    problems.extend(f"{name} not listed" for name in sorted(set(files) - set(subjects)))
    return problems


def statement_of(path: Path) -> dict[str, Any]:
    """The decoded statement of a bundle (standard library only)."""
    envelope = json.loads(read_members(path)[ENVELOPE])
    return json.loads(base64.b64decode(envelope["payload"]))  # type: ignore[no-any-return]
