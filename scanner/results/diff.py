"""Compare two result documents: what is newly failing, fixed, still failing.

A finding is identified across scans by check id, resource type and resource id, so a
renamed user or permission set stays the same finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scanner.language.check_spec import SEVERITY_RANK
from scanner.results.reader import read

Key = tuple[str, str, str]

#: Statuses that mean "something to act on" when they appear.
ATTENTION = ("FAIL", "ERROR")


def _key(finding: dict[str, Any]) -> Key:
    resource = finding["resource"]
    return (finding["check_id"], resource["type"], str(resource.get("id") or resource.get("name")))


def _exempt(finding: dict[str, Any]) -> bool:
    exception = finding.get("exception")
    return exception is not None and not exception.get("expired", False)


@dataclass
class ScanDiff:
    """The changes between two scans of the same tenant."""

    new_failures: list[dict[str, Any]] = field(default_factory=list)
    fixed: list[dict[str, Any]] = field(default_factory=list)
    still_failing: list[dict[str, Any]] = field(default_factory=list)
    new_errors: list[dict[str, Any]] = field(default_factory=list)
    resolved_errors: list[dict[str, Any]] = field(default_factory=list)

    def gate_failures(self, fail_on: str) -> list[dict[str, Any]]:
        """New, non-excepted failures at or above ``fail_on``."""
        threshold = SEVERITY_RANK[fail_on]
        return [
            f
            for f in self.new_failures
            if SEVERITY_RANK[f["severity"]] >= threshold and not _exempt(f)
        ]

    def as_dict(self) -> dict[str, Any]:
        """JSON form: counts and the findings of each kind."""
        groups = {
            "new_failures": self.new_failures,
            "fixed": self.fixed,
            "still_failing": self.still_failing,
            "new_errors": self.new_errors,
            "resolved_errors": self.resolved_errors,
        }
        return {
            "counts": {name: len(items) for name, items in groups.items()},
            **{name: [_brief(f) for f in items] for name, items in groups.items()},
        }


def _brief(finding: dict[str, Any]) -> dict[str, Any]:
    return {
        "check_id": finding["check_id"],
        "severity": finding["severity"],
        "status": finding["status"],
        "resource": finding["resource"],
        "message": finding["message"],
    }


def incomparable(before: dict[str, Any], after: dict[str, Any]) -> str | None:
    """Why two result documents cannot be diffed (not provably the same tenant), or None.

    Both must name the same platform and the same, non-null tenant id: a diff of two
    different orgs would report every finding of one as fixed and the other's as new.
    """
    old, new = before.get("tenant") or {}, after.get("tenant") or {}
    if old.get("platform") != new.get("platform"):
        return (
            f"the results are of different platforms ({old.get('platform')}, {new.get('platform')})"
        )
    missing = [label for label, t in (("first", old), ("second", new)) if not t.get("id")]
    if missing:
        return (
            f"the {' and '.join(missing)} result names no tenant id, so it cannot be shown to "
            "be the same tenant"
        )
    if old["id"] != new["id"]:
        return f"the results are of different tenants ({old['id']}, {new['id']})"
    return None


def _compact_key(check_id: str, kind: str, ident: str | None, name: str | None) -> Key:
    return (check_id, kind, str(ident or name))


def diff_documents(before: dict[str, Any], after: dict[str, Any]) -> ScanDiff:
    """What changed from ``before`` to ``after`` (two native result documents of any
    schema version: a PASS kept compactly counts as the PASS finding it stands for)."""
    old_reader, new_reader = read(before), read(after)
    old = {_key(f): f for f in old_reader.findings()}
    old_passed = {_compact_key(*p) for p in old_reader.compact_passes()}

    def status_before(key: Key) -> str | None:
        previous = old.get(key)
        if previous is not None:
            return str(previous["status"])
        return "PASS" if key in old_passed else None

    result = ScanDiff()
    seen: set[Key] = set()
    for finding in new_reader.findings():
        key = _key(finding)
        seen.add(key)
        was = status_before(key)
        now = finding["status"]
        if now == "FAIL":
            (result.still_failing if was == "FAIL" else result.new_failures).append(finding)
        elif was == "FAIL" and now == "PASS":
            result.fixed.append(finding)
        if now == "ERROR" and was != "ERROR":
            result.new_errors.append(finding)
        elif was == "ERROR" and now != "ERROR":
            result.resolved_errors.append(finding)
    for check_id, kind, ident, name in new_reader.compact_passes():
        key = _compact_key(check_id, kind, ident, name)
        previous = old.get(key)
        if previous is None:
            continue  # PASS before (or new): nothing changed that a diff reports
        seen.add(key)
        if previous["status"] in ("FAIL", "ERROR"):
            finding = new_reader.compact_finding(check_id, kind, ident, name)
            if previous["status"] == "FAIL":
                result.fixed.append(finding)
            else:
                result.resolved_errors.append(finding)
    ran = {check["id"] for check in after["checks"]}
    for key, finding in old.items():
        # Gone from a scan that ran the check: the resource was removed, which fixes it.
        if key not in seen and finding["status"] == "FAIL" and finding["check_id"] in ran:
            result.fixed.append(finding)
    return result
