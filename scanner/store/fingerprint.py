"""Stable finding fingerprints, and the findings of a scan as rows for the store.

A finding's fingerprint is computed from what identifies it, never from what it says::

    sha256("crmscan-finding-v1" US platform US tenant id US check id US resource type
           US resource id).hexdigest()[:32]

(``US`` is the ASCII unit separator ``\\x1f``; all parts are UTF-8 text; a missing tenant
id is the empty string; a resource without an id uses its name, as
`scanner.results.diff` does). So a renamed user, a new message wording or a new crmscan
version keeps the same fingerprint, and the same finding of two tenants never shares
one. Tenant-level verdicts (gaps, counts, manual controls) have the tenant as resource.
Changing this formula is a schema change: it would need a migration that rewrites
every stored fingerprint.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from scanner.engine.scan import ScanResult
from scanner.redact import redact

PREFIX = "crmscan-finding-v1"
SEPARATOR = "\x1f"
#: When one scan reports a fingerprint twice (tenant-level verdicts of one check with two
#: causes), the store keeps the status that needs action first.
STATUS_RANK = {"FAIL": 0, "ERROR": 1, "MANUAL": 2, "PASS": 3, "NOT_APPLICABLE": 4}


def fingerprint(
    platform: str, tenant_id: str | None, check_id: str, resource_type: str, resource_id: str
) -> str:
    """The stable fingerprint of one finding (32 hex digits)."""
    key = SEPARATOR.join((PREFIX, platform, tenant_id or "", check_id, resource_type, resource_id))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Observation:
    """One finding as the store keeps it (redacted; no evidence)."""

    fingerprint: str
    check_id: str
    severity: str
    status: str
    resource_type: str
    resource_id: str | None
    resource_name: str | None
    message: str | None  # non-PASS only
    excepted: bool
    exception_expires: date | None


def _worst(rows: Iterable[Observation]) -> dict[str, Observation]:
    kept: dict[str, Observation] = {}
    for row in rows:
        other = kept.get(row.fingerprint)
        if other is None or STATUS_RANK[row.status] < STATUS_RANK[other.status]:
            kept[row.fingerprint] = row
    return kept


def _text(value: str | None) -> str | None:
    return None if value is None else redact(value)


def observations(result: ScanResult) -> dict[str, Observation]:
    """The findings of ``result`` by fingerprint, from the in-memory scan result."""
    tenant = result.inventory.tenant
    today = result.today

    def rows() -> Iterator[Observation]:
        for finding in result.findings:
            resource_type = finding.resource_type
            resource_id = finding.resource_id(tenant)
            name = finding.resource_name(tenant)
            key = str(resource_id or name)
            status = finding.status.value
            exception = finding.exception
            yield Observation(
                fingerprint(tenant.platform, tenant.id, finding.check.id, resource_type, key),
                finding.check.id,
                finding.check.severity,
                status,
                resource_type,
                _text(resource_id),
                _text(name),
                None if status == "PASS" else redact(finding.message()),
                finding.gate_exempt(today),
                exception.expires if exception is not None else None,
            )

    return _worst(rows())


def document_observations(document: dict[str, Any]) -> dict[str, Observation]:
    """The findings of a native result document (``history --import``) by fingerprint."""
    tenant = document.get("tenant") or {}
    platform, tenant_id = str(tenant.get("platform") or "unknown"), tenant.get("id")

    def rows() -> Iterator[Observation]:
        for finding in document["findings"]:
            resource = finding.get("resource") or {}
            resource_type = str(resource.get("type") or "tenant")
            key = str(resource.get("id") or resource.get("name"))
            status = finding["status"]
            exception = finding.get("exception")
            expires = date.fromisoformat(exception["expires"]) if exception else None
            yield Observation(
                fingerprint(platform, tenant_id, finding["check_id"], resource_type, key),
                finding["check_id"],
                finding["severity"],
                status,
                resource_type,
                _text(resource.get("id")),
                _text(resource.get("name")),
                None if status == "PASS" else redact(str(finding.get("message") or "")),
                bool(exception) and not exception.get("expired", False),
                expires,
            )
        # Schema 2.0 keeps PASS verdicts compactly, per check: [[id, name], ...].
        passed = document.get("passed") if str(document.get("schema_version")) >= "2" else None
        severity = {str(c["id"]): str(c.get("severity", "info")) for c in document["checks"]}
        for entry in passed if isinstance(passed, list) else []:
            check_id, resource_type = str(entry["check_id"]), str(entry["resource_type"])
            for ident, name in entry["resources"]:
                key = str(ident or name)
                yield Observation(
                    fingerprint(platform, tenant_id, check_id, resource_type, key),
                    check_id,
                    severity.get(check_id, "info"),
                    "PASS",
                    resource_type,
                    _text(ident),
                    _text(name),
                    None,
                    False,
                    None,
                )

    return _worst(rows())
