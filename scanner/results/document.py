"""The native result document: what every output format renders.

`to_document` turns a `ScanResult` into plain JSON data (validated by
``scanner/schemas/result.schema.json``). Writers take this document, never the live
objects, so ``crmscan report RESULT.json`` renders a saved result exactly as a scan would.

Schema 1.1 adds, beside every finding: ``groups`` (ERROR and MANUAL findings per check and
cause, with counts and a few names; `scanner.results.grouping`), ``capabilities`` (what the
platform's adapter declared it provides) and ``summary.coverage`` (PASS + FAIL share per
domain).

Frameworks: each entry of ``checks`` lists the requirements the check evidences
(``frameworks: [{framework, requirement, title}]``). The top-level ``frameworks`` list
holds one report per framework asked for (``scan --framework``; empty otherwise):
``{id, name, version, url, summary: {status: count}, requirements: [{id, title, status,
checks: [{id, outcome}], not_run: [ids], note}]}``; see `scanner.language.frameworks`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from scanner.engine.findings import Finding, Status
from scanner.engine.scan import ScanResult
from scanner.language.check_spec import SEVERITIES
from scanner.language.compiler import CompiledCheck
from scanner.language.frameworks import (
    Framework,
    check_mappings,
    framework_report,
    shipped_frameworks,
)
from scanner.model.values import to_json
from scanner.results.grouping import coverage, finding_groups

#: 1.1 added ``groups``, ``capabilities`` and ``summary.coverage`` (docs/results.md).
RESULT_SCHEMA_VERSION = "1.1"
SEVERITY_WEIGHT = {"critical": 10, "high": 5, "medium": 3, "low": 1, "info": 0}


def _check_document(
    check: CompiledCheck, mappings: Mapping[str, list[dict[str, str]]]
) -> dict[str, Any]:
    spec = check.spec
    return {
        "id": spec.id,
        "title": spec.title,
        "severity": check.severity,
        "domain": spec.domain,
        "resource": spec.resource,
        "description": spec.description.strip(),
        "risk": spec.risk.strip(),
        "remediation": spec.remediation.strip(),
        "references": [r if isinstance(r, dict) else {"title": r} for r in spec.references],
        "platforms": list(spec.platforms),
        "parameters": to_json(check.parameters),
        # [{"framework": "soc2", "requirement": "CC6.1", "title": "..."}], from checks/frameworks/
        "frameworks": list(mappings.get(spec.id, [])),
    }


def finding_document(finding: Finding, result: ScanResult) -> dict[str, Any]:
    """One finding as JSON data."""
    tenant = result.inventory.tenant
    check = finding.check
    exception = finding.exception.as_dict(result.today) if finding.exception else None
    return {
        "check_id": check.id,
        "title": check.spec.title,
        "severity": check.severity,
        "domain": check.spec.domain,
        "status": finding.status.value,
        "platform": tenant.platform,
        "tenant_id": tenant.id,
        "resource": {
            "type": finding.resource_type,
            "id": finding.resource_id(tenant),
            "name": finding.resource_name(tenant),
        },
        "message": finding.message(),
        # records: the collected records behind the verdict (scanner.engine.records)
        "evidence": {**finding.evidence(), "records": finding.records(tenant)},
        "remediation": check.spec.remediation.strip(),
        "exception": exception,
        "attestation": finding.attestation.as_dict() if finding.attestation else None,
    }


def _check_outcome(findings: list[Finding], result: ScanResult) -> str:
    statuses = {f.status for f in findings}
    if any(f.status is Status.FAIL and not f.gate_exempt(result.today) for f in findings):
        return "FAIL"
    for status in (Status.ERROR, Status.MANUAL):
        if status in statuses:
            return str(status.value)
    if Status.PASS in statuses or Status.FAIL in statuses:
        return "PASS"
    return "NOT_APPLICABLE"


def summarize(result: ScanResult) -> dict[str, Any]:
    """Counts by status and severity, per-check outcomes and a 0-100 posture score."""
    by_check: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_check[finding.check.id].append(finding)
    outcomes = {check.id: _check_outcome(by_check[check.id], result) for check in result.checks}
    severity_of = {check.id: check.severity for check in result.checks}
    by_severity: dict[str, Counter[str]] = {s: Counter() for s in SEVERITIES}
    for finding in result.findings:
        by_severity[finding.check.severity][finding.status.value] += 1
    counts = result.status_counts()
    decided = [c for c, o in outcomes.items() if o in ("PASS", "FAIL")]
    total_weight = sum(SEVERITY_WEIGHT[severity_of[c]] for c in decided)
    passed_weight = sum(SEVERITY_WEIGHT[severity_of[c]] for c in decided if outcomes[c] == "PASS")
    score = round(100 * passed_weight / total_weight, 1) if total_weight else None
    return {
        "findings": len(result.findings),
        "by_status": {s.value: counts.get(s.value, 0) for s in Status},
        "by_severity": {
            s: {st.value: c.get(st.value, 0) for st in Status} for s, c in by_severity.items()
        },
        "checks": {"total": len(result.checks), "by_outcome": dict(Counter(outcomes.values()))},
        "check_outcomes": outcomes,
        "excepted": sum(1 for f in result.findings if f.gate_exempt(result.today)),
        "score": score,
    }


def to_document(
    result: ScanResult,
    fail_on: str | None = None,
    frameworks: Mapping[str, Framework] | None = None,
    report_frameworks: Sequence[str] = (),
) -> dict[str, Any]:
    """The whole result as JSON data.

    ``frameworks`` maps checks to requirements (default: the shipped frameworks);
    ``report_frameworks`` names the frameworks to report per requirement.
    """
    inventory = result.inventory
    known = shipped_frameworks() if frameworks is None else frameworks
    mappings = check_mappings(known.values())
    summary = summarize(result)
    findings = [finding_document(f, result) for f in result.findings]
    summary["coverage"] = coverage(findings)
    document: dict[str, Any] = {
        "schema_version": RESULT_SCHEMA_VERSION,
        "tool": {"name": "crmscan", "version": result.tool_version},
        "scan_id": result.scan_id,
        "started_at": result.started_at.isoformat(),
        "finished_at": result.finished_at.isoformat(),
        "tenant": to_json(inventory.tenant),
        "policy": {
            "name": result.policy.name,
            "digest": result.policy.digest(),
            "sources": [s.rsplit("/", 1)[-1] for s in result.policy.sources],
        },
        "summary": summary,
        "checks": [_check_document(c, mappings) for c in result.checks],
        "frameworks": [
            framework_report(known[name], summary["check_outcomes"]) for name in report_frameworks
        ],
        "findings": findings,
        "groups": finding_groups(findings),
        "gaps": [g.model_dump(mode="json") for g in inventory.gaps],
        "capabilities": [
            c.model_dump(mode="json", exclude_none=True) for c in inventory.capabilities
        ],
        "api_usage": to_json(inventory.api_usage),
    }
    if fail_on is not None:
        document["gate"] = {"fail_on": fail_on, "exit_code": result.exit_code(fail_on)}
    return document
