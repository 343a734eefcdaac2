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
from scanner.engine.messages import has_placeholders
from scanner.engine.scan import ScanResult
from scanner.language.check_spec import SEVERITIES
from scanner.language.compiler import CompiledCheck
from scanner.language.frameworks import (
    Framework,
    check_mappings,
    framework_report,
    shipped_frameworks,
)
from scanner.model.resources import getter
from scanner.model.values import to_json
from scanner.results.grouping import GROUPED, coverage_counts, finding_groups
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


def finding_document(finding: Finding, result: ScanResult, records: bool = True) -> dict[str, Any]:
    """One finding as JSON data, its CRM text neutralised (`scanner.sanitize`).

    ``records``: add ``evidence.records``, the collected records behind the verdict.
    """
    tenant = result.inventory.tenant
    evidence = finding.evidence()
    if records:  # the collected records behind the verdict (scanner.engine.records)
        evidence = {**evidence, "records": finding.records(tenant)}
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
        "evidence": clean_value(evidence, True),
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


def stored_finding(finding: dict[str, Any], resource_type: str | None) -> dict[str, Any]:
    """``finding`` (as `finding_document` builds it) as a 2.0 document stores it: the
    resource's ``type`` too is left out when it is the check's ``resource``."""
    stored = {
        key: value
        for key, value in finding.items()
        if key not in PER_CHECK
        and key not in PER_TENANT
        and (value is not None or key not in OPTIONAL)
    }
    resource = stored["resource"]
    if resource["type"] == resource_type:
        stored["resource"] = {"id": resource["id"], "name": resource["name"]}
    return stored


def is_compact_pass(finding: Finding) -> bool:
    """True for a PASS verdict on one resource (listed in ``passed`` in schema 2.0)."""
    return finding.status is Status.PASS and finding.resource_type != "tenant"


def passed_entries(findings: Iterable[Finding], result: ScanResult) -> list[dict[str, Any]]:
    """The per-resource PASS verdicts, one entry per check, in evaluation order."""
    tenant = result.inventory.tenant
    entries: dict[str, tuple[dict[str, Any], Any]] = {}
    for finding in findings:
        check = finding.check
        known = entries.get(check.id)
        if known is None:
            entry: dict[str, Any] = {
                "check_id": check.id,
                "resource_type": finding.resource_type,
                "message": clean_text(_pass_message(finding), True),
                "count": 0,
                "resources": [],
            }
            known = entries[check.id] = (entry, _pair_reader(check, tenant))
        entry, pair = known
        entry["resources"].append(pair(finding))
    for entry, _ in entries.values():
        entry["count"] = len(entry["resources"])
    return [entry for entry, _ in entries.values()]


def _pass_message(finding: Finding) -> str:
    """The one message of a check's compact PASS entry: the check's pass message when it
    names no resource field (one filled in for the first resource would misname the rest),
    else "Passed: <title>"."""
    spec = finding.check.spec
    if spec.pass_message and not has_placeholders(spec.pass_message):
        return spec.pass_message.strip()
    return f"Passed: {spec.title}"


def _pair_reader(check: CompiledCheck, tenant: Any) -> Any:
    """Reads ``[id, name]`` of a finding's resource, as `Finding.resource_id` and
    `Finding.resource_name` would, with the attribute readers looked up once."""
    kind = check.kind
    if kind.path in ("tenant", "field_permissions"):
        return lambda f: [
            clean_text(f.resource_id(tenant), True),
            clean_text(f.resource_name(tenant), True),
        ]
    ident, name = getter(kind.id_field), getter(kind.name_field)

    def pair(finding: Finding) -> list[str | None]:
        resource = finding.resource
        value = ident(resource)
        text = None if value is None else str(value)
        label = name(resource)
        shown = text if label is None else str(label)
        return [clean_text(text, True), clean_text(shown, True)]

    return pair


def _outcome(statuses: set[Status], gate_fail: bool) -> str:
    if gate_fail:
        return "FAIL"
    for status in (Status.ERROR, Status.MANUAL):
        if status in statuses:
            return str(status.value)
    if Status.PASS in statuses or Status.FAIL in statuses:
        return "PASS"
    return "NOT_APPLICABLE"


def summarize(result: ScanResult) -> dict[str, Any]:
    """Counts by status and severity, per-check outcomes and a 0-100 posture score.

    One pass over the findings (a scan of 100,000 users has a million)."""
    today = result.today
    statuses: dict[str, set[Status]] = defaultdict(set)
    gate_fail: set[str] = set()
    counted: Counter[tuple[str, Status]] = Counter()
    excepted = 0
    for finding in result.findings:
        check, status = finding.check, finding.status
        counted[(check.id, status)] += 1
        if finding.exception is not None and finding.gate_exempt(today):
            excepted += 1
        elif status is Status.FAIL:
            gate_fail.add(check.id)
    for check_id, status in counted:
        statuses[check_id].add(status)
    outcomes = {
        check.id: _outcome(statuses.get(check.id, set()), check.id in gate_fail)
        for check in result.checks
    }
    severity_of = {check.id: check.severity for check in result.checks}
    by_severity: dict[str, Counter[str]] = {s: Counter() for s in SEVERITIES}
    counts: Counter[str] = Counter()
    for (check_id, status), number in counted.items():
        by_severity[severity_of[check_id]][status.value] += number
        counts[status.value] += number
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
        "excepted": excepted,
        "score": score,
    }


def _coverage(findings: Sequence[Finding]) -> dict[str, Any]:
    """`coverage_counts` of the findings, counted per check and status first (a grouped
    finding counts the resources it stands for)."""
    rows: Counter[tuple[str, str]] = Counter()
    domains: dict[str, str] = {}
    for finding in findings:
        check, status = finding.check, finding.status
        if status is Status.ERROR or status is Status.MANUAL:
            rows[(check.id, status.value)] += finding.represents
        else:
            rows[(check.id, status.value)] += 1
        domains.setdefault(check.id, check.spec.domain)
    expanded = ((domains[cid], status, n) for (cid, status), n in rows.items())
    return coverage_counts(expanded, weighted=True)


def to_document(
    result: ScanResult,
    fail_on: str | None = None,
    frameworks: Mapping[str, Framework] | None = None,
    report_frameworks: Sequence[str] = (),
    full_pass: bool = False,
    records: bool = True,
) -> dict[str, Any]:
    """The whole result as JSON data (schema 2.0).

    ``frameworks`` maps checks to requirements (default: the shipped frameworks);
    ``report_frameworks`` names the frameworks to report per requirement. ``full_pass``
    keeps every PASS verdict in full in ``findings`` instead of listing the per-resource
    ones in ``passed``. ``records`` adds each finding's ``evidence.records`` (the scan
    pipeline asks for them when it writes an evidence bundle, whose raw files they point
    into: up to 100 pointers a finding would otherwise weigh on every large report).
    """
    inventory = result.inventory
    known = shipped_frameworks() if frameworks is None else frameworks
    mappings = check_mappings(known.values())
    summary = summarize(result)
    stored: list[dict[str, Any]] = []
    grouped: list[dict[str, Any]] = []  # ERROR and MANUAL findings in full, for `groups`
    compact: list[Finding] = []
    kinds = {check.id: check.spec.resource for check in result.checks}
    for finding in result.findings:
        if not full_pass and is_compact_pass(finding):
            compact.append(finding)
            continue
        full = finding_document(finding, result, records)
        if full["status"] in GROUPED:
            grouped.append(full)
        stored.append(stored_finding(full, kinds.get(full["check_id"])))
    summary["coverage"] = _coverage(result.findings)
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
        "findings": stored,
        "passed": passed_entries(compact, result),
        "groups": finding_groups(grouped),
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
