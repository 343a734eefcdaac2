"""What the posture store hands back: scans, findings and the changes a scan brought."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from scanner.language.check_spec import SEVERITY_RANK


def utc(value: datetime | None) -> datetime | None:
    """``value`` as an aware UTC datetime (SQLite hands back naive ones)."""
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


@dataclass(frozen=True)
class StoredScan:
    """One scan row: what ran, when, and what it found (counts, score, outcome)."""

    id: int
    target: str
    state: str  # running, finished, failed
    platform: str
    begun_at: datetime
    tenant_id: str | None = None
    tenant_name: str | None = None
    scan_uuid: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    tool_version: str | None = None
    policy_name: str | None = None
    policy_digest: str | None = None
    check_digest: str | None = None
    exit_code: int | None = None
    outcome: str | None = None
    score: float | None = None
    findings: int | None = None
    by_status: dict[str, int] = field(default_factory=dict)
    by_severity: dict[str, dict[str, int]] = field(default_factory=dict)
    error: str | None = None

    @property
    def scanned_at(self) -> datetime:
        """When the scan started judging (its begin time if it never did)."""
        return self.started_at or self.begun_at


@dataclass(frozen=True)
class DeltaFinding:
    """A finding whose status changed in a scan (or that appeared in it)."""

    fingerprint: str
    check_id: str
    severity: str
    status: str
    previous_status: str | None  # None: first seen in this scan
    resource_type: str
    resource_id: str | None
    resource_name: str | None
    message: str | None
    excepted: bool = False
    exception_expires: date | None = None

    def as_dict(self) -> dict[str, Any]:
        """The finding in the shape of a result document's finding (for printing, diffs)."""
        return {
            "fingerprint": self.fingerprint,
            "check_id": self.check_id,
            "severity": self.severity,
            "status": self.status,
            "previous_status": self.previous_status,
            "resource": {
                "type": self.resource_type,
                "id": self.resource_id,
                "name": self.resource_name,
            },
            "message": self.message or "",
            "exception": (
                {"expires": self.exception_expires.isoformat(), "expired": not self.excepted}
                if self.exception_expires
                else None
            ),
        }


@dataclass
class ScanDelta:
    """What one recorded scan changed for its target, against the target's stored state.

    ``new_failures``: FAIL now and not FAIL in the previous scan that judged the finding
    (on a target's first scan, every FAIL). ``fixed``: FAIL before, PASS now or gone from
    a scan that ran its check. ``expiring``: findings under a policy exception that
    expires within `EXPIRY_WARNING_DAYS` (or has expired).
    """

    scan_id: int
    target: str
    previous_scan_id: int | None
    new_failures: list[DeltaFinding] = field(default_factory=list)
    fixed: list[DeltaFinding] = field(default_factory=list)
    new_errors: list[DeltaFinding] = field(default_factory=list)
    expiring: list[DeltaFinding] = field(default_factory=list)
    unchanged: int = 0

    @property
    def first_scan(self) -> bool:
        """True when the target had no finished scan before this one."""
        return self.previous_scan_id is None

    def gate_failures(self, fail_on_new: str) -> list[DeltaFinding]:
        """New, non-excepted failures at or above severity ``fail_on_new``."""
        threshold = SEVERITY_RANK[fail_on_new]
        return [
            f
            for f in self.new_failures
            if SEVERITY_RANK[f.severity] >= threshold and not f.excepted
        ]

    def as_dict(self) -> dict[str, Any]:
        """JSON form: counts and the findings of each kind."""
        kinds = {
            "new_failures": self.new_failures,
            "fixed": self.fixed,
            "new_errors": self.new_errors,
            "expiring": self.expiring,
        }
        return {
            "scan_id": self.scan_id,
            "target": self.target,
            "previous_scan_id": self.previous_scan_id,
            "counts": {name: len(items) for name, items in kinds.items()},
            **{name: [f.as_dict() for f in items] for name, items in kinds.items()},
        }


@dataclass(frozen=True)
class StoredFinding:
    """A finding's state in the store: current status, first and last seen, resolved."""

    fingerprint: str
    target: str
    check_id: str
    severity: str
    status: str
    resource_type: str
    resource_id: str | None
    resource_name: str | None
    message: str | None
    first_seen: datetime
    status_since: datetime
    last_seen: datetime | None
    resolved_at: datetime | None
    excepted: bool
    exception_expires: date | None

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "fingerprint": self.fingerprint,
            "target": self.target,
            "check_id": self.check_id,
            "severity": self.severity,
            "status": self.status,
            "resource": {
                "type": self.resource_type,
                "id": self.resource_id,
                "name": self.resource_name,
            },
            "message": self.message,
            "first_seen": self.first_seen.isoformat(),
            "status_since": self.status_since.isoformat(),
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
            "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
            "excepted": self.excepted,
            "exception_expires": (
                self.exception_expires.isoformat() if self.exception_expires else None
            ),
        }
