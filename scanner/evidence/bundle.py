"""Evidence bundles: what a scan saw and concluded, sealed so an auditor can verify it later.

A bundle is a folder::

    inventory.json     the collected data the checks judged (no credentials)
    results.json       the native result document (findings with their evidence)
    policy/*.yaml      the policy files that decided the verdicts
    manifest.json      tool, scan id, times, and the SHA-256 of every file above
    manifest.sig       optional: an Ed25519 signature over manifest.json

`verify_bundle` recomputes every hash and checks the signature with the public key.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from scanner.errors import ConfigError
from scanner.model.inventory import Inventory
from scanner.redact import redact

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
BUNDLE_FORMAT = "crmscan-evidence/1"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(redact(text), encoding="utf-8")


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """An Ed25519 private key from a PEM file (unencrypted PKCS#8)."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigError(f"cannot read the signing key {path}: {type(exc).__name__}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"{path} is not an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """An Ed25519 public key from a PEM file."""
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the public key {path}: {type(exc).__name__}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigError(f"{path} is not an Ed25519 public key")
    return key


def generate_key_pair(private_path: Path, public_path: Path) -> None:
    """Write a new Ed25519 key pair (private key readable by the owner only)."""
    key = Ed25519PrivateKey.generate()
    private_path.parent.mkdir(parents=True, exist_ok=True)
    private_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    private_path.chmod(0o600)
    public_path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def write_bundle(
    directory: Path,
    inventory: Inventory,
    document: dict[str, Any],
    policy_sources: list[str],
    signing_key: Ed25519PrivateKey | None = None,
) -> Path:
    """Write an evidence bundle for one scan into ``directory``; returns the manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    _write(directory / "inventory.json", inventory.model_dump_json(indent=2) + "\n")
    _write(directory / "results.json", json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    files = ["inventory.json", "results.json"]
    for index, source in enumerate(policy_sources):
        name = f"policy/{index:02d}-{Path(source).name}"
        _write(directory / name, Path(source).read_text(encoding="utf-8"))
        files.append(name)
    manifest = {
        "format": BUNDLE_FORMAT,
        "tool": document["tool"],
        "scan_id": document["scan_id"],
        "started_at": document["started_at"],
        "finished_at": document["finished_at"],
        "tenant": document["tenant"],
        "policy": document["policy"],
        "files": {name: _sha256(directory / name) for name in files},
    }
    manifest_path = directory / MANIFEST
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", "utf-8")
    signature_path = directory / SIGNATURE
    if signing_key is not None:
        signature = signing_key.sign(manifest_path.read_bytes())
        signature_path.write_text(base64.b64encode(signature).decode("ascii") + "\n", "ascii")
    elif signature_path.exists():
        signature_path.unlink()
    return manifest_path


@dataclass
class Verification:
    """The outcome of checking a bundle."""

    problems: list[str] = field(default_factory=list)
    signed: bool = False
    files: int = 0

    @property
    def ok(self) -> bool:
        """True when every hash matches and, if a key was given, the signature is valid."""
        return not self.problems


def verify_bundle(directory: Path, public_key: Ed25519PublicKey | None = None) -> Verification:
    """Recompute every file hash of the bundle and check its signature."""
    result = Verification()
    manifest_path = directory / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{manifest_path}: not a readable evidence manifest ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
        raise ConfigError(f"{manifest_path}: not a {BUNDLE_FORMAT} manifest")
    for name, expected in sorted(manifest.get("files", {}).items()):
        path = directory / name
        result.files += 1
        if not path.is_file():
            result.problems.append(f"{name}: missing")
        elif _sha256(path) != expected:
            result.problems.append(f"{name}: modified (SHA-256 differs from the manifest)")
    listed = set(manifest.get("files", {})) | {MANIFEST, SIGNATURE}
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        if path.relative_to(directory).as_posix() not in listed:
            result.problems.append(f"{path.relative_to(directory)}: not in the manifest")
    signature_path = directory / SIGNATURE
    if public_key is not None:
        if not signature_path.is_file():
            result.problems.append(f"{SIGNATURE}: missing, the bundle is not signed")
        else:
            try:
                signature = base64.b64decode(signature_path.read_text("ascii").strip())
                public_key.verify(signature, manifest_path.read_bytes())
                result.signed = True
            except (InvalidSignature, ValueError):
                result.problems.append(f"{SIGNATURE}: does not match the manifest and key")
    return result
