"""Hand-built result documents (schema 2.0 and 1.1) for the auditor-report tests."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from scanner.language.frameworks import Framework, Requirement
from scanner.results.grouping import coverage, finding_groups

STATUSES = ("PASS", "FAIL", "ERROR", "MANUAL", "NOT_APPLICABLE")
SCAN_DAY = "2026-11-23"


def finding(
    check_id: str,
    status: str,
    rid: str | None = "u1",
    name: str | None = None,
    *,
    rtype: str = "users",
    message: str | None = None,
    exception: Mapping[str, Any] | None = None,
    attestation: Mapping[str, Any] | None = None,
    evidence: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One finding of ``check_id``."""
    return {
        "check_id": check_id,
        "title": f"title of {check_id}",
        "severity": "high",
        "domain": check_id.split("-")[0],
        "status": status,
        "platform": "salesforce",
        "tenant_id": "00DTEST",
        "resource": {"type": rtype, "id": rid, "name": name or rid},
        "message": message or f"{status.lower()} on {name or rid}",
        "evidence": dict(evidence or {}),
        "remediation": "fix it",
        "exception": dict(exception) if exception else None,
        "attestation": dict(attestation) if attestation else None,
    }


def exception(expired: bool = False, ticket: str | None = "SEC-1") -> dict[str, Any]:
    """An approved exception (expired or not)."""
    return {
        "check": "X",
        "resources": ["u1"],
        "reason": "break-glass account",
        "approved_by": "ciso@example.com",
        "expires": "2026-01-01" if expired else "2027-06-30",
        "ticket": ticket,
        "expired": expired,
    }


def attestation(day: str = "2026-09-01", outcome: str = "pass", **extra: Any) -> dict[str, Any]:
    """A policy attestation as the engine copies it into a finding."""
    return {
        "control": "GOV-003",
        "statement": "Weekly export, restore tested",
        "date": day,
        "attested_by": "it-ops@example.com",
        "outcome": outcome,
        "evidence": "https://wiki.example/backup-restore-2026",
        "tenant": None,
        **extra,
    }


def _outcome(findings: Sequence[Mapping[str, Any]], passed: int) -> str:
    statuses = {f["status"] for f in findings}
    if any(
        f["status"] == "FAIL" and not (f["exception"] and not f["exception"]["expired"])
        for f in findings
    ):
        return "FAIL"
    for status in ("ERROR", "MANUAL"):
        if status in statuses:
            return status
    return "PASS" if passed or "FAIL" in statuses else "NOT_APPLICABLE"


def document(
    findings: Iterable[Mapping[str, Any]],
    checks: Iterable[str] = (),
    passed: Mapping[str, Sequence[tuple[str, str]]] | None = None,
    *,
    version: str = "2.0",
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """A valid result document with these findings (2.0: ``passed`` compact; 1.1: in full)."""
    findings = [dict(f) for f in findings]
    passed = dict(passed or {})
    ids = list(dict.fromkeys([*checks, *(f["check_id"] for f in findings), *passed]))
    if version.startswith("1."):
        for check_id, pairs in passed.items():
            findings += [finding(check_id, "PASS", rid, name) for rid, name in pairs]
    counts = Counter(f["status"] for f in findings)
    compact = sum(len(p) for p in passed.values()) if version.startswith("2.") else 0
    counts["PASS"] += compact
    outcomes = {
        c: _outcome(
            [f for f in findings if f["check_id"] == c and f["status"] != "PASS"],
            len(passed.get(c, ()))
            + sum(1 for f in findings if f["check_id"] == c and f["status"] == "PASS"),
        )
        for c in ids
    }
    by_status = {s: counts.get(s, 0) for s in STATUSES}
    doc: dict[str, Any] = {
        "schema_version": version,
        "tool": {"name": "crmscan", "version": "0.1.0"},
        "scan_id": "11111111-2222-3333-4444-555555555555",
        "started_at": f"{SCAN_DAY}T12:00:00+00:00",
        "finished_at": f"{SCAN_DAY}T12:00:05+00:00",
        "tenant": {"platform": "salesforce", "id": "00DTEST", "name": "Test Org"},
        "policy": {
            "name": "baseline",
            "digest": "sha256:" + "ab" * 32,
            "sources": ["baseline.yaml"],
        },
        "summary": {
            "findings": len(findings) + compact,
            "by_status": by_status,
            "by_severity": {"high": by_status},
            "checks": {"total": len(ids), "by_outcome": dict(Counter(outcomes.values()))},
            "check_outcomes": outcomes,
            "excepted": 0,
            "score": None,
            "coverage": coverage(findings),
        },
        "checks": [
            {
                "id": c,
                "title": f"title of {c}",
                "severity": "high",
                "domain": c.split("-")[0],
                "resource": "users",
                "remediation": "fix it",
                "parameters": dict((parameters or {}).get(c, {})),
                "frameworks": [],
            }
            for c in ids
        ],
        "frameworks": [],
        "findings": findings,
        "groups": finding_groups(findings),
        "gaps": [],
        "capabilities": [],
        "api_usage": None,
    }
    if version.startswith("2."):
        doc["as_of"] = doc["started_at"]
        doc["pass_detail"] = "compact"
        doc["passed"] = [
            {
                "check_id": c,
                "resource_type": "users",
                "message": "passes",
                "count": len(pairs),
                "resources": [list(p) for p in pairs],
            }
            for c, pairs in passed.items()
            if pairs
        ]
    return doc


def save(doc: Mapping[str, Any], folder: Path, name: str = "result.json") -> Path:
    """Write ``doc`` as a result file and return its path."""
    path = folder / name
    path.write_text(json.dumps(doc), "utf-8")
    return path


def framework(*requirements: tuple[str, Sequence[str]]) -> Framework:
    """A framework whose requirements map to these check ids."""
    return Framework(
        id="test-fw",
        name="Test framework",
        version="1",
        requirements=tuple(
            Requirement(rid, f"requirement {rid}", tuple(checks)) for rid, checks in requirements
        ),
    )
