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
from collections.abc import Iterator
from datetime import date
from typing import Any

from scanner.engine.findings import Finding
from scanner.engine.scan import ScanResult
from scanner.redact import redact
from scanner.results.reader import ResultReader

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


class Observation:
    """One finding as the store keeps it (redacted; no evidence).

    The message is rendered only when the store writes it (a new finding or a changed
    status): a rescan of an unchanged org renders none.
    """

    __slots__ = (
        "fingerprint",
        "check_id",
        "severity",
        "status",
        "resource_type",
        "resource_id",
        "resource_name",
        "excepted",
        "exception_expires",
        "_message",
    )

    def __init__(
        self,
        fingerprint: str,
        check_id: str,
        severity: str,
        status: str,
        resource_type: str,
        resource_id: str | None,
        resource_name: str | None,
        message: str | Finding | None,
        excepted: bool,
        exception_expires: date | None,
    ) -> None:
        self.fingerprint = fingerprint
        self.check_id = check_id
        self.severity = severity
        self.status = status
        self.resource_type = resource_type
        self.resource_id = resource_id
        self.resource_name = resource_name
        self._message = message
        self.excepted = excepted
        self.exception_expires = exception_expires

    @property
    def message(self) -> str | None:
        """The redacted message of a non-PASS finding (None for PASS)."""
        if self.status == "PASS" or self._message is None:
            return None
        if not isinstance(self._message, str):
            self._message = redact(self._message.message())
        return self._message


def signature(
    status: str, severity: str, excepted: bool, expires: date | None, name: str | None
) -> str:
    """What a rescan compares with the stored row (the store computes the same in SQL)."""
    return f"{status}|{severity}|{'1' if excepted else '0'}|{expires or ''}|{name or ''}"


class Observed:
    """The findings of one scan, by fingerprint: a signature each, rows built on demand.

    Comparing a million signatures with the stored ones is a set difference; only the
    findings that are new or changed become full `Observation` rows.
    """

    def __init__(self) -> None:
        self.signatures: dict[str, str] = {}
        self.excepted: list[str] = []  # fingerprints under a policy exception
        #: Per check, the fingerprints reported PASS (a duplicate may since be worse).
        self.passed: dict[str, list[str]] = {}
        self._rows: dict[str, Observation | Finding] = {}
        self._build: Any = None

    def __len__(self) -> int:
        return len(self.signatures)

    def __contains__(self, fingerprint: str) -> bool:
        return fingerprint in self.signatures

    def add(self, row: Observation) -> None:
        """Keep ``row`` (of two rows with one fingerprint, the more urgent status)."""
        other = self._rows.get(row.fingerprint)
        if (
            other is not None
            and STATUS_RANK[self[row.fingerprint].status] <= STATUS_RANK[row.status]
        ):
            return
        self._rows[row.fingerprint] = row
        self.signatures[row.fingerprint] = signature(
            row.status, row.severity, row.excepted, row.exception_expires, row.resource_name
        )
        if row.exception_expires is not None:
            self.excepted.append(row.fingerprint)
        if row.status == "PASS":
            self.passed.setdefault(row.check_id, []).append(row.fingerprint)

    def passing(self, check_id: str) -> list[str]:
        """The fingerprints of ``check_id`` that are PASS in this scan."""
        signatures = self.signatures
        return [fp for fp in self.passed.get(check_id, ()) if signatures[fp].startswith("PASS|")]

    def __getitem__(self, fingerprint: str) -> Observation:
        row = self._rows[fingerprint]
        if isinstance(row, Observation):
            return row
        built: Observation = self._build(row, fingerprint)
        self._rows[fingerprint] = built
        return built

    def fingerprints(self) -> list[str]:
        """Every fingerprint of the scan."""
        return list(self.signatures)


def _text(value: str | None) -> str | None:
    return None if value is None else redact(value)


def observations(result: ScanResult) -> Observed:
    """The findings of ``result`` by fingerprint, from the in-memory scan result."""
    tenant = result.inventory.tenant
    today = result.today
    base = hashlib.sha256(
        SEPARATOR.join((PREFIX, tenant.platform, tenant.id or "", "")).encode("utf-8")
    )
    # One user is the resource of dozens of checks: read and redact it once.
    resources: dict[tuple[str, int], tuple[str, str | None, str | None, str]] = {}

    def resource(finding: Finding) -> tuple[str, str | None, str | None, str]:
        cache_key = (finding.check.kind.path, id(finding.resource))
        known = resources.get(cache_key)
        if known is None or finding.resource is None:
            ident, name = finding.resource_id(tenant), finding.resource_name(tenant)
            known = (finding.resource_type, _text(ident), _text(name), str(ident or name))
            if finding.resource is not None:
                resources[cache_key] = known
        return known

    def build(finding: Finding, known: str | None = None) -> Observation:
        resource_type, ident, name, key = resource(finding)
        if known is None:
            digest = base.copy()
            digest.update(SEPARATOR.join((finding.check.id, resource_type, key)).encode("utf-8"))
            known = digest.hexdigest()[:32]
        exception = finding.exception
        return Observation(
            known,
            finding.check.id,
            finding.check.severity,
            finding.status.value,
            resource_type,
            ident,
            name,
            finding,
            exception is not None and finding.gate_exempt(today),
            exception.expires if exception is not None else None,
        )

    observed = Observed()
    observed._build = build
    signatures, rows = observed.signatures, observed._rows
    check: Any = None
    prefix = base
    severity = ""
    path = ""
    passed: list[str] = []
    for finding in result.findings:
        if finding.check is not check:  # findings come grouped by check
            check = finding.check
            severity, path = check.severity, check.kind.path
            prefix = base.copy()
            prefix.update(f"{check.id}{SEPARATOR}{path}{SEPARATOR}".encode())
            passed = observed.passed.setdefault(check.id, [])
        thing = finding.resource
        known = resources.get((path, id(thing))) if thing is not None else None
        if known is None or finding.exception is not None or known[0] != path:
            observed.add(build(finding))
            continue
        digest = prefix.copy()
        digest.update(known[3].encode("utf-8"))
        fp = digest.hexdigest()[:32]
        if fp in rows:  # two verdicts with one fingerprint: keep the more urgent
            observed.add(build(finding))
            continue
        rows[fp] = finding
        status = finding.status._value_
        signatures[fp] = f"{status}|{severity}|0||{known[2] or ''}"
        if status == "PASS":
            passed.append(fp)
    return observed


def document_observations(document: dict[str, Any]) -> Observed:
    """The findings of a native result document (``history --import``) by fingerprint."""
    tenant = document.get("tenant") or {}
    platform, tenant_id = str(tenant.get("platform") or "unknown"), tenant.get("id")

    reader = ResultReader(document)
    severity = {str(c["id"]): str(c.get("severity", "info")) for c in document["checks"]}

    def rows() -> Iterator[Observation]:
        # complete(): a 2.0 finding leaves out what its check already says (the resource
        # type, the severity); the fingerprint needs them as a 1.x finding states them.
        for finding in map(reader.complete, document["findings"]):
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
                exception is not None and not exception.get("expired", False),
                expires,
            )
        # Schema 2.0 keeps PASS verdicts compactly, per check: [[id, name], ...].
        for check_id, resource_type, ident, name in reader.compact_passes():
            yield Observation(
                fingerprint(platform, tenant_id, check_id, resource_type, str(ident or name)),
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

    observed = Observed()
    for row in rows():
        observed.add(row)
    return observed
