"""Evidence bundles: what a scan saw, with which rules, what the CRM answered and what
was concluded, sealed so an auditor can verify it later with crmscan or any DSSE tool.

A bundle is a folder, or one ``.zip`` / ``.tar.gz`` archive of the same files::

    attestation.intoto.jsonl   DSSE envelope (Ed25519) of an in-toto Statement v1
    inventory.json             the collected data the checks judged (no credentials)
    results.json               the native result document (findings with their evidence)
    policy/NN-<name>.yaml      the policy files that decided the verdicts
    checks/<CHECK-ID>.yaml     the check file of every check that ran
    raw/<collection>.jsonl     the CRM's API responses, redacted (when captured)

The statement's subjects are every other file with its SHA-256; its predicate
(`scanner.evidence.statement`) records tool, scan, target, tenant, policy and check
digests and the summary. Every file is redacted of registered secrets before it is
hashed. docs/evidence.md describes the format and how to verify it without crmscan.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scanner.documents import MAX_YAML_BYTES, read_text
from scanner.errors import CrmscanError, OutputFileError
from scanner.evidence.archive import archive_kind, write_archive
from scanner.evidence.dsse import seal
from scanner.evidence.files import FolderBundle, unsafe_name
from scanner.evidence.keys import generate_key_pair, key_id, load_private_key, load_public_key
from scanner.evidence.statement import BUNDLE_FORMAT, build_statement, parse_statement
from scanner.evidence.verify import (
    ENVELOPE,
    LEGACY_MANIFEST,
    LEGACY_SIGNATURE,
    Verification,
    read_envelope,
    verify_bundle,
)
from scanner.model.inventory import Inventory
from scanner.model.snapshot import inventory_json
from scanner.redact import redact
from scanner.safe_write import remove_file, write_file

if TYPE_CHECKING:
    from scanner.engine.scan import ScanResult

__all__ = [
    "BUNDLE_FORMAT",
    "ENVELOPE",
    "Verification",
    "generate_key_pair",
    "key_id",
    "load_private_key",
    "load_public_key",
    "verify_bundle",
    "write_bundle",
    "write_scan_bundle",
]


#: A lone UTF-16 surrogate (a server's ``"\\ud800"``): UTF-8 cannot hold it.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _utf8(text: str) -> bytes:
    """``text`` redacted, as UTF-8; a lone surrogate is written as U+FFFD."""
    text = redact(text)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", text).encode("utf-8")


def _json_bytes(data: Any) -> bytes:
    """Sorted, indented JSON (readable, and the same bytes for the same data), redacted."""
    return _utf8(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def _raw_files(inventory: Inventory) -> dict[str, bytes]:
    """The raw API responses the adapter captured (``inventory.raw``), redacted."""
    capture = getattr(inventory, "raw", None)
    if capture is None:
        return {}
    files: dict[str, bytes] = {}
    for name, payload in sorted(capture.files().items()):
        if unsafe_name(name) or not name.startswith("raw/"):
            raise OutputFileError(f"raw capture file name {name!r} is not under raw/")
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
        files[name] = _utf8(text)
    return files


def bundle_files(
    inventory: Inventory,
    document: Mapping[str, Any],
    policy_sources: Sequence[str],
    checks: Mapping[str, str | None],
    signing_key: Ed25519PrivateKey | None,
) -> dict[str, bytes]:
    """Every file of the bundle (name → bytes), envelope included."""
    files = {
        "inventory.json": _utf8(inventory_json(inventory) + "\n"),  # a snapshot, as saved
        "results.json": _json_bytes(document),
    }
    policy_files = []
    for index, source in enumerate(policy_sources):
        name = f"policy/{index:02d}-{Path(source).name}"
        files[name] = _utf8(read_text(Path(source), 16 * 1024 * 1024))
        policy_files.append(name)
    check_files: dict[str, str | None] = {}
    for check_id, check_source in sorted(checks.items()):
        if check_source is None or check_source.startswith("<"):
            check_files[check_id] = None
            continue
        check_name = f"checks/{check_id}.yaml"
        files[check_name] = _utf8(read_text(Path(check_source), MAX_YAML_BYTES))
        check_files[check_id] = check_name
    raw = _raw_files(inventory)
    files.update(raw)
    # the fields the predicate takes from the document, redacted like results.json
    summary_fields = ("tool", "scan_id", "started_at", "finished_at", "schema_version",
                      "tenant", "policy", "summary", "gate")  # fmt: skip
    redacted = json.loads(_json_bytes({k: document.get(k) for k in summary_fields}))
    statement = build_statement(files, redacted, policy_files, check_files, list(raw))
    files[ENVELOPE] = seal(statement, signing_key)
    return files


def _previous_names(directory: Path) -> set[str]:
    """Files an earlier bundle in ``directory`` listed (so a new one does not keep them)."""
    try:
        folder = FolderBundle(directory)
    except OSError:
        return set()
    names = {n for n in (LEGACY_MANIFEST, LEGACY_SIGNATURE) if n in folder.names}
    try:
        envelope = read_envelope(folder)
        names |= set(parse_statement(envelope.payload, ENVELOPE).subjects) | {ENVELOPE}
    except CrmscanError:
        pass
    return names & folder.names  # regular files only: nothing is removed through a link


def _write_folder(directory: Path, files: dict[str, bytes]) -> Path:
    stale = _previous_names(directory) if directory.is_dir() else set()
    if ENVELOPE in stale:  # a crash below leaves no envelope vouching for old files
        remove_file(directory, ENVELOPE)
    for name in sorted(files):
        if name != ENVELOPE:
            write_file(directory, name, files[name])
    for name in sorted(stale - set(files)):
        remove_file(directory, name)
    return write_file(directory, ENVELOPE, files[ENVELOPE])  # last: it vouches for the rest


def write_bundle(
    target: Path,
    inventory: Inventory,
    document: Mapping[str, Any],
    policy_sources: Sequence[str] = (),
    signing_key: Ed25519PrivateKey | None = None,
    checks: Mapping[str, str | None] | None = None,
) -> Path:
    """Write the evidence bundle of one scan to ``target``; returns what was written.

    ``target`` ending in ``.zip``, ``.tar.gz`` or ``.tgz`` is written as one archive
    (returned); any other path is a folder (its envelope is returned). ``checks`` maps
    each check id that ran to its source file.
    """
    files = bundle_files(inventory, document, policy_sources, checks or {}, signing_key)
    if archive_kind(target) is not None:
        return write_archive(target, files)
    return _write_folder(target, files)


def write_scan_bundle(
    target: Path,
    result: ScanResult,
    document: Mapping[str, Any],
    signing_key: Ed25519PrivateKey | None = None,
) -> Path:
    """`write_bundle` for a scan's result: its inventory, policy files and check files."""
    checks = {c.spec.id: (c.spec.path if c.spec.source else None) for c in result.checks}
    return write_bundle(
        target, result.inventory, document, result.policy.sources, signing_key, checks
    )
