"""The native result document: what every output format renders.

`to_document` turns a `ScanResult` into plain JSON data (validated by
``scanner/schemas/result.schema.json``). Writers take this document, never the live
objects, so ``crmscan report RESULT.json`` renders a saved result exactly as a scan would.

Schema 1.1 adds, beside every finding: ``groups`` (ERROR and MANUAL findings per check and
cause, with counts and a few names; `scanner.results.grouping`), ``capabilities`` (what the
platform's adapter declared it provides) and ``summary.coverage`` (PASS + FAIL share per
domain).

Schema 2.0 keeps what a person acts on in full and what passed compactly: ``findings``
holds every FAIL, ERROR, MANUAL and NOT_APPLICABLE finding and the PASS verdicts on the
tenant itself (at most one per check: counts, attestations, tenant settings); the PASS
verdicts on single resources are listed per check in ``passed`` (``{check_id,
resource_type, message, count, resources: [[id, name], ...]}``) unless ``full_pass`` asks
for each of them in full (``pass_detail: "full"``). ``as_of`` is the clock the verdicts
were judged against (``--as-of``). Read documents of every version through
`scanner.results.reader`.

Frameworks: each entry of ``checks`` lists the requirements the check evidences
(``frameworks: [{framework, requirement, title}]``). The top-level ``frameworks`` list
holds one report per framework asked for (``scan --framework``; empty otherwise):
``{id, name, version, url, summary: {status: count}, requirements: [{id, title, status,
checks: [{id, outcome}], not_run: [ids], note}]}``; see `scanner.language.frameworks`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
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
from scanner.results.grouping import coverage_counts, finding_groups
from scanner.sanitize import clean_text, clean_value

#: 1.1 added ``groups``, ``capabilities`` and ``summary.coverage``; 2.0 keeps per-resource
#: PASS verdicts compactly in ``passed`` and records ``as_of`` (docs/results.md).
RESULT_SCHEMA_VERSION = "2.0"
#: ``pass_detail`` values: PASS verdicts per resource listed in ``passed``, or in full.
COMPACT, FULL = "compact", "full"
SEVERITY_WEIGHT = {"critical": 10, "high": 5, "medium": 3, "low": 1, "info": 0}


def _check_document(
    check: CompiledCheck, mappings: Mapping[str, list[dict[str, str]]]
) -> dict[str, Any]:
    spec = check.spec
    cleaned: dict[str, Any] = clean_value(
        {
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
            # [{"framework": "soc2", "requirement": "CC6.1", "title": "..."}]
            # from checks/frameworks/
            "frameworks": list(mappings.get(spec.id, [])),
        }
    )
    return cleaned


def finding_document(finding: Finding, result: ScanResult) -> dict[str, Any]:
    """One finding as JSON data, its CRM text neutralised (`scanner.sanitize`)."""
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
        "tenant_id": clean_text(tenant.id, True),
        "resource": {
            "type": finding.resource_type,
            "id": clean_text(finding.resource_id(tenant), True),
            "name": clean_text(finding.resource_name(tenant), True),
        },
        "message": clean_text(finding.message(), True),
        "evidence": clean_value(finding.evidence(), True),
        "remediation": check.spec.remediation.strip(),
        "exception": clean_value(exception),
        "attestation": clean_value(finding.attestation.as_dict()) if finding.attestation else None,
    }


#: Finding fields a 2.0 document does not repeat in each finding: they are the check's
#: (``checks[]``) or the tenant's; `scanner.results.reader` puts them back.
PER_CHECK = ("title", "severity", "domain", "remediation")
PER_TENANT = ("platform", "tenant_id")
#: Finding fields a 2.0 document leaves out when they are null.
OPTIONAL = ("exception", "attestation")


def stored_finding(finding: dict[str, Any]) -> dict[str, Any]:
    """``finding`` (as `finding_document` builds it) as a 2.0 document stores it."""
    return {
        key: value
        for key, value in finding.items()
        if key not in PER_CHECK
        and key not in PER_TENANT
        and (value is not None or key not in OPTIONAL)
    }


def is_compact_pass(finding: Finding) -> bool:
    """True for a PASS verdict on one resource (listed in ``passed`` in schema 2.0)."""
    return finding.status is Status.PASS and finding.resource_type != "tenant"


def passed_entries(findings: Iterable[Finding], result: ScanResult) -> list[dict[str, Any]]:
    """The per-resource PASS verdicts, one entry per check, in evaluation order."""
    tenant = result.inventory.tenant
    entries: dict[str, dict[str, Any]] = {}
    for finding in findings:
        check = finding.check
        entry = entries.get(check.id)
        if entry is None:
            entry = entries[check.id] = {
                "check_id": check.id,
                "resource_type": finding.resource_type,
                "message": clean_text(finding.message(), True),
                "count": 0,
                "resources": [],
            }
        entry["resources"].append(
            [
                clean_text(finding.resource_id(tenant), True),
                clean_text(finding.resource_name(tenant), True),
            ]
        )
    for entry in entries.values():
        entry["count"] = len(entry["resources"])
    return list(entries.values())


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
    full_pass: bool = False,
) -> dict[str, Any]:
    """The whole result as JSON data (schema 2.0).

    ``frameworks`` maps checks to requirements (default: the shipped frameworks);
    ``report_frameworks`` names the frameworks to report per requirement. ``full_pass``
    keeps every PASS verdict in full in ``findings`` instead of listing the per-resource
    ones in ``passed``.
    """
    inventory = result.inventory
    known = shipped_frameworks() if frameworks is None else frameworks
    mappings = check_mappings(known.values())
    summary = summarize(result)
    findings: list[dict[str, Any]] = []
    compact: list[Finding] = []
    for finding in result.findings:
        if not full_pass and is_compact_pass(finding):
            compact.append(finding)
        else:
            findings.append(finding_document(finding, result))
    summary["coverage"] = coverage_counts(
        (f.check.spec.domain, f.status.value, f.represents) for f in result.findings
    )
    document: dict[str, Any] = {
        "schema_version": RESULT_SCHEMA_VERSION,
        "tool": {"name": "crmscan", "version": result.tool_version},
        "scan_id": result.scan_id,
        "started_at": result.started_at.isoformat(),
        "finished_at": result.finished_at.isoformat(),
        "as_of": result.as_of.isoformat(),
        "pass_detail": FULL if full_pass else COMPACT,
        "tenant": clean_value(to_json(inventory.tenant), True),
        "policy": clean_value(
            {
                "name": result.policy.name,
                "digest": result.policy.digest(),
                "sources": [s.rsplit("/", 1)[-1] for s in result.policy.sources],
            }
        ),
        "summary": summary,
        "checks": [_check_document(c, mappings) for c in result.checks],
        "frameworks": [
            clean_value(framework_report(known[name], summary["check_outcomes"]))
            for name in report_frameworks
        ],
        "findings": [stored_finding(f) for f in findings],
        "passed": passed_entries(compact, result),
        "groups": finding_groups(findings),
        "gaps": [clean_value(g.model_dump(mode="json"), True) for g in inventory.gaps],
        "capabilities": [
            clean_value(c.model_dump(mode="json", exclude_none=True))
            for c in inventory.capabilities
        ],
        "api_usage": clean_value(to_json(inventory.api_usage)),
    }
    if fail_on is not None:
        document["gate"] = {"fail_on": fail_on, "exit_code": result.exit_code(fail_on)}
    return document
