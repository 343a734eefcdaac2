"""Verify a bundle: the envelope's signature, then every file against the statement.

A problem is something an auditor must know (a changed, missing, added or refused file,
a signature that does not match): `verify_bundle` collects them all, and the CLI exits
1. A bundle that cannot be read as one (no envelope, a malformed statement, the previous
format) raises `ConfigError` (exit 2) with the file and field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from scanner.errors import ConfigError
from scanner.evidence.dsse import MAX_ENVELOPE_BYTES, PAYLOAD_TYPE, Envelope, parse_envelope
from scanner.evidence.files import BundleFiles, open_bundle, unsafe_name
from scanner.evidence.keys import key_id
from scanner.evidence.statement import Statement, parse_statement

#: The bundle's one envelope (in-toto bundle convention: JSON Lines of DSSE envelopes).
ENVELOPE = "attestation.intoto.jsonl"
#: Files of the previous format (crmscan-evidence/1).
LEGACY_MANIFEST = "manifest.json"
LEGACY_SIGNATURE = "manifest.sig"


class LegacyBundleError(ConfigError):
    """A bundle of the previous format (manifest.json + manifest.sig)."""


@dataclass
class Verification:
    """The outcome of checking a bundle."""

    problems: list[str] = field(default_factory=list)
    signed: bool = False
    files: int = 0
    statement: Statement | None = None
    bundle: BundleFiles | None = None

    @property
    def ok(self) -> bool:
        """True when every hash matches and, if a key was given, the signature is valid."""
        return not self.problems


def read_envelope(bundle: BundleFiles) -> Envelope:
    """The bundle's envelope; the previous format and a missing one are errors."""
    if ENVELOPE in bundle.refused:
        raise ConfigError(f"{bundle.label}: {ENVELOPE} {bundle.refused[ENVELOPE]}")
    if ENVELOPE not in bundle.names:
        if LEGACY_MANIFEST in bundle.names or LEGACY_MANIFEST in bundle.refused:
            raise LegacyBundleError(
                f"{bundle.label}: a bundle of the previous format (crmscan-evidence/1, "
                f"{LEGACY_MANIFEST} + {LEGACY_SIGNATURE}); this crmscan reads "
                f"crmscan-evidence/2 ({ENVELOPE}, an in-toto statement in a DSSE envelope). "
                "Verify it with the crmscan release that wrote it, or scan again with "
                "--evidence to get a bundle of the current format (docs/evidence.md)."
            )
        raise ConfigError(f"{bundle.label}: no {ENVELOPE}; not an evidence bundle")
    label = f"{bundle.label}/{ENVELOPE}"
    return parse_envelope(bundle.read(ENVELOPE, MAX_ENVELOPE_BYTES), label)


def _signature_problem(envelope: Envelope, key: Ed25519PublicKey) -> str | None:
    if not envelope.signatures:
        return f"{ENVELOPE}: not signed (no signature in the envelope)"
    if not envelope.verified_by(key):
        return (
            f"{ENVELOPE}: no signature matches the statement and the public key "
            f"(key id {key_id(key)[:16]}…)"
        )
    return None


def _file_problems(bundle: BundleFiles, subjects: dict[str, str]) -> list[str]:
    problems = []
    for name, expected in sorted(subjects.items()):
        if unsafe_name(name):
            problems.append(f"{name}: path outside the bundle (refused)")
        elif name in bundle.refused:
            problems.append(f"{name}: {bundle.refused[name]}")
        elif name not in bundle.names:
            problems.append(f"{name}: missing (listed in the statement)")
        elif bundle.sha256(name) != expected:
            problems.append(f"{name}: modified (SHA-256 differs from the statement)")
    for name in sorted(bundle.refused):
        if name not in subjects:
            problems.append(f"{name}: {bundle.refused[name]}")
    for name in sorted(bundle.names - set(subjects) - {ENVELOPE}):
        problems.append(f"{name}: not in the statement (added to the bundle)")
    return problems


def verify_bundle(path: Path, public_key: Ed25519PublicKey | None = None) -> Verification:
    """Check the bundle at ``path`` (folder or archive) against its signed statement.

    Nothing outside the bundle is read: names with ``..`` or an absolute path, links
    and special files are problems, never followed.
    """
    bundle = open_bundle(path)
    envelope = read_envelope(bundle)
    if envelope.payload_type != PAYLOAD_TYPE:
        raise ConfigError(
            f"{bundle.label}/{ENVELOPE}: payloadType {envelope.payload_type!r} "
            f"is not {PAYLOAD_TYPE}"
        )
    result = Verification(bundle=bundle)
    if public_key is not None:
        problem = _signature_problem(envelope, public_key)
        if problem is None:
            result.signed = True
        else:
            result.problems.append(problem)
    statement = parse_statement(envelope.payload, f"{bundle.label}/{ENVELOPE}#payload")
    result.statement = statement
    result.files = len(statement.subjects)
    result.problems.extend(_file_problems(bundle, statement.subjects))
    return result
