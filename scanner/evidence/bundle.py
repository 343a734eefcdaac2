"""Evidence bundles: what a scan saw and concluded, sealed so an auditor can verify it later.

A bundle is a folder::

    inventory.json     the collected data the checks judged (no credentials)
    results.json       the native result document (findings with their evidence)
    policy/*.yaml      the policy files that decided the verdicts
    manifest.json      tool, scan id, times, and the SHA-256 of every file above
    manifest.sig       optional: an Ed25519 signature over manifest.json

`verify_bundle` recomputes every hash and checks the signature with the public key. It
reads nothing outside the bundle: a manifest naming an absolute path or ``..``, and any
symbolic link or special file in the bundle, make the verification fail. Bundles and keys
are written with `scanner.safe_write`, which follows no link planted in the folder.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from scanner.documents import LoadedDocument, parse_json, read_text
from scanner.errors import ConfigError, CrmscanError
from scanner.model.inventory import Inventory
from scanner.model.snapshot import inventory_json
from scanner.redact import redact
from scanner.safe_write import PRIVATE_MODE, remove_file, write_file

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
BUNDLE_FORMAT = "crmscan-evidence/1"


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_SHA256 = frozenset("0123456789abcdef")
#: Largest key file read.
_KEY_BYTES = 64 * 1024


def _sha256_of(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def _sha256(path: Path) -> str:
    """SHA-256 of a regular file, opened without following a link."""
    digest = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """An Ed25519 private key from a PEM file (unencrypted PKCS#8)."""
    try:
        key = serialization.load_pem_private_key(_key_bytes(path), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ConfigError(f"cannot read the signing key {path}: {type(exc).__name__}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"{path} is not an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """An Ed25519 public key from a PEM file."""
    try:
        key = serialization.load_pem_public_key(_key_bytes(path))
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ConfigError(f"cannot read the public key {path}: {type(exc).__name__}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigError(f"{path} is not an Ed25519 public key")
    return key


def _key_bytes(path: Path) -> bytes:
    return read_text(path, _KEY_BYTES).encode("utf-8")


def generate_key_pair(private_path: Path, public_path: Path) -> None:
    """Write a new Ed25519 key pair; neither file may exist (links included).

    The private key is created owner-only (0600) before its first byte is written.
    """
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    for path in (private_path, public_path):  # refuse before writing either
        if path.exists() or path.is_symlink():
            raise ConfigError(f"{path} exists; refusing to overwrite a key")
    write_file(
        private_path.parent, private_path.name, private_pem, mode=PRIVATE_MODE, exclusive=True
    )
    write_file(public_path.parent, public_path.name, public_pem, exclusive=True)


def write_bundle(
    directory: Path,
    inventory: Inventory,
    document: dict[str, Any],
    policy_sources: list[str],
    signing_key: Ed25519PrivateKey | None = None,
) -> Path:
    """Write an evidence bundle for one scan into ``directory``; returns the manifest."""
    contents = {
        "inventory.json": inventory_json(inventory) + "\n",
        "results.json": json.dumps(document, indent=2, ensure_ascii=False) + "\n",
    }
    for index, source in enumerate(policy_sources):
        text = read_text(Path(source), 16 * 1024 * 1024)
        contents[f"policy/{index:02d}-{Path(source).name}"] = text
    digests: dict[str, str] = {}
    for name, text in contents.items():
        payload = redact(text).encode("utf-8")
        write_file(directory, name, payload)
        digests[name] = _sha256_of(payload)
    manifest = {
        "format": BUNDLE_FORMAT,
        "tool": document["tool"],
        "scan_id": document["scan_id"],
        "started_at": document["started_at"],
        "finished_at": document["finished_at"],
        "tenant": document["tenant"],
        "policy": document["policy"],
        "files": digests,
    }
    manifest_bytes = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")
    manifest_path = write_file(directory, MANIFEST, manifest_bytes)
    if signing_key is not None:
        signature = base64.b64encode(signing_key.sign(manifest_bytes)) + b"\n"
        write_file(directory, SIGNATURE, signature)
    else:
        remove_file(directory, SIGNATURE)
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


def _read_manifest(directory: Path) -> tuple[dict[str, str], bytes]:
    """The manifest's ``files`` (name → SHA-256) and its exact bytes (for the signature)."""
    manifest_path = directory / MANIFEST
    if manifest_path.is_symlink():
        raise ConfigError(f"{manifest_path}: is a symbolic link; refusing to read it")
    text = read_text(manifest_path, 64 * 1024 * 1024)
    document: LoadedDocument = parse_json(text, str(manifest_path))
    data = document.data
    if not isinstance(data, dict) or data.get("format") != BUNDLE_FORMAT:
        raise document.error(["format"], f"not a {BUNDLE_FORMAT} manifest")
    files = data.get("files")
    if not isinstance(files, dict):
        raise document.error(["files"], "field 'files' must map each file name to its SHA-256")
    for name, digest in files.items():
        if not isinstance(digest, str) or len(digest) != 64 or not set(digest) <= _SHA256:
            raise document.error(["files", name], "not a SHA-256 digest (64 hex digits)")
    return files, text.encode("utf-8")


def _outside(name: str) -> bool:
    """True for a manifest name that could point outside the bundle."""
    segments = name.split("/")
    return (
        PurePosixPath(name).is_absolute()
        or "\\" in name
        or "\0" in name
        or any(s in ("", ".", "..") for s in segments)
    )


def _regular_file_problem(directory: Path, name: str) -> str | None:
    """Why ``directory/name`` is not a regular file reached without links, or None."""
    current = directory
    segments = name.split("/")
    for index, segment in enumerate(segments):
        current = current / segment
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            return "missing"
        except OSError as exc:
            return f"cannot be read ({exc.strerror})"
        if stat.S_ISLNK(mode):
            return "is a symbolic link (refused: it may point outside the bundle)"
        last = index == len(segments) - 1
        if not last and not stat.S_ISDIR(mode):
            return "missing"
        if last and not stat.S_ISREG(mode):
            return "not a regular file"
    return None


def _unlisted(directory: Path, listed: set[str]) -> list[str]:
    """Problems with what the bundle holds beyond its manifest (links, extra files)."""
    problems: list[str] = []
    for root, dirs, files in os.walk(directory, followlinks=False):
        for name in sorted(dirs + files):
            path = Path(root, name)
            relative = path.relative_to(directory).as_posix()
            if path.is_symlink():
                if relative not in listed:
                    problems.append(f"{relative}: is a symbolic link (refused)")
            elif name in files and relative not in listed:
                problems.append(f"{relative}: not in the manifest")
    return problems


def verify_bundle(directory: Path, public_key: Ed25519PublicKey | None = None) -> Verification:
    """Recompute every file hash of the bundle and check its signature.

    Nothing outside ``directory`` is read: names with ``..`` or an absolute path,
    symbolic links and special files are problems, never followed.
    """
    result = Verification()
    files, manifest_bytes = _read_manifest(directory)
    for name, expected in sorted(files.items()):
        result.files += 1
        if _outside(name):
            result.problems.append(f"{name}: path outside the bundle (refused)")
            continue
        problem = _regular_file_problem(directory, name)
        if problem is None:
            try:
                if _sha256(directory / name) != expected:
                    problem = "modified (SHA-256 differs from the manifest)"
            except OSError as exc:
                problem = f"cannot be read ({exc.strerror})"
        if problem is not None:
            result.problems.append(f"{name}: {problem}")
    result.problems.extend(_unlisted(directory, set(files) | {MANIFEST, SIGNATURE}))
    if public_key is not None:
        problem = _regular_file_problem(directory, SIGNATURE)
        if problem == "missing":
            result.problems.append(f"{SIGNATURE}: missing, the bundle is not signed")
        elif problem is not None:
            result.problems.append(f"{SIGNATURE}: {problem}")
        else:
            try:
                signature = base64.b64decode(read_text(directory / SIGNATURE, 4096).strip())
                public_key.verify(signature, manifest_bytes)
                result.signed = True
            except (InvalidSignature, ValueError, CrmscanError):
                result.problems.append(f"{SIGNATURE}: does not match the manifest and key")
    return result
