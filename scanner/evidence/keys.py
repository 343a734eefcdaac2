"""Ed25519 signing keys for evidence bundles: create, load, identify.

Keys are PEM files: the private key unencrypted PKCS#8, the public key
SubjectPublicKeyInfo, as ``openssl pkey`` and every Ed25519 library read them. A key's
id (the DSSE ``keyid`` hint) is the hex SHA-256 of its DER SubjectPublicKeyInfo.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from scanner.documents import read_text
from scanner.errors import ConfigError
from scanner.safe_write import PRIVATE_MODE, write_file

#: Largest key file read.
_KEY_BYTES = 64 * 1024


def _key_bytes(path: Path) -> bytes:
    return read_text(path, _KEY_BYTES).encode("utf-8")


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


def key_id(key: Ed25519PublicKey) -> str:
    """The key's id: hex SHA-256 of its DER SubjectPublicKeyInfo."""
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def generate_key_pair(private_path: Path, public_path: Path) -> str:
    """Write a new Ed25519 key pair; neither file may exist (links included).

    The private key is created owner-only (0600) before its first byte is written.
    Returns the new key's id.
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
    return key_id(key.public_key())
