"""The bundle's in-toto Statement v1: which files, with which digests, said what.

``subject`` lists every file of the bundle (the envelope itself excepted) with its
SHA-256; ``predicateType`` is `PREDICATE_TYPE`; the predicate records the tool, the scan,
the target and tenant, the policy and check files that decided, and the summary. The
statement is serialised as canonical JSON (RFC 8785, the ``rfc8785`` package), so the
same scan gives the same bytes. docs/evidence.md describes every field.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import rfc8785

from scanner.documents import LoadedDocument, parse_json

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
#: What the predicate is: crmscan's evidence of one scan (docs/evidence.md).
PREDICATE_TYPE = "https://crmscan.dev/evidence/v1"
#: The bundle format this module writes (v1 was manifest.json + manifest.sig).
BUNDLE_FORMAT = "crmscan-evidence/2"
_HEX = frozenset("0123456789abcdef")


def sha256_hex(payload: bytes) -> str:
    """Hex SHA-256 of ``payload``."""
    return hashlib.sha256(payload).hexdigest()


def _check_entries(checks: Mapping[str, str | None], files: Mapping[str, bytes]) -> list[Any]:
    entries = []
    for check_id, name in sorted(checks.items()):
        digest = {"sha256": sha256_hex(files[name])} if name is not None else None
        entries.append({"id": check_id, "file": name, "digest": digest})
    return entries


def build_statement(
    files: Mapping[str, bytes],
    document: Mapping[str, Any],
    policy_files: list[str],
    checks: Mapping[str, str | None],
    raw_files: list[str],
) -> bytes:
    """The canonical bytes of the statement over ``files`` for result ``document``.

    ``checks`` maps each check that ran to its file in the bundle (None when it had
    none); ``policy_files`` and ``raw_files`` name bundle files.
    """
    tenant = document.get("tenant") or {}
    predicate = {
        "format": BUNDLE_FORMAT,
        "tool": document.get("tool"),
        "scan": {
            "id": document.get("scan_id"),
            "started_at": document.get("started_at"),
            "finished_at": document.get("finished_at"),
            "result_schema": document.get("schema_version"),
        },
        "target": {
            "platform": tenant.get("platform"),
            "instance_url": tenant.get("instance_url"),
            "api_version": tenant.get("api_version"),
        },
        "tenant": {k: tenant.get(k) for k in ("id", "name", "edition", "is_sandbox")},
        "policy": {
            **{k: (document.get("policy") or {}).get(k) for k in ("name", "digest")},
            "files": [
                {"name": n, "digest": {"sha256": sha256_hex(files[n])}} for n in policy_files
            ],
        },
        "checks": _check_entries(checks, files),
        "summary": document.get("summary"),
        "gate": document.get("gate"),
        "contents": {
            "results": "results.json",
            "inventory": "inventory.json",
            "raw": sorted(raw_files),
        },
    }
    statement: dict[str, Any] = {
        "_type": STATEMENT_TYPE,
        "subject": [
            {"name": name, "digest": {"sha256": sha256_hex(files[name])}} for name in sorted(files)
        ],
        "predicateType": PREDICATE_TYPE,
        "predicate": predicate,
    }
    return bytes(rfc8785.dumps(statement))


@dataclass(frozen=True)
class Statement:
    """A parsed statement: subject name → SHA-256 (hex), and the predicate."""

    subjects: dict[str, str]
    predicate: dict[str, Any]


def parse_statement(payload: bytes, label: str) -> Statement:
    """Parse and check the statement's shape; malformed input raises `InputFileError`."""
    document: LoadedDocument = parse_json(payload.decode("utf-8", "replace"), label)
    data = document.data
    if not isinstance(data, dict) or data.get("_type") != STATEMENT_TYPE:
        raise document.error(["_type"], f"not an in-toto Statement ({STATEMENT_TYPE})")
    if data.get("predicateType") != PREDICATE_TYPE:
        raise document.error(["predicateType"], f"predicateType is not {PREDICATE_TYPE}")
    predicate = data.get("predicate")
    if not isinstance(predicate, dict):
        raise document.error(["predicate"], "field 'predicate' must be an object")
    subjects_data = data.get("subject")
    if not isinstance(subjects_data, list):
        raise document.error(["subject"], "field 'subject' must list the bundle's files")
    subjects: dict[str, str] = {}
    for index, subject in enumerate(subjects_data):
        name = subject.get("name") if isinstance(subject, dict) else None
        if not isinstance(name, str):
            raise document.error(["subject", index, "name"], "a subject needs a name")
        digest = subject.get("digest") if isinstance(subject, dict) else None
        sha = digest.get("sha256") if isinstance(digest, dict) else None
        if not isinstance(sha, str) or len(sha) != 64 or not set(sha) <= _HEX:
            raise document.error(
                ["subject", index, "digest", "sha256"], "not a SHA-256 digest (64 hex digits)"
            )
        if name in subjects:
            raise document.error(["subject", index, "name"], f"{name} is listed twice")
        subjects[name] = sha
    return Statement(subjects, predicate)
