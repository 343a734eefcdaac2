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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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
from scanner.results.stored import (
    StoredFindings,
    finding_document,
    passed_entries,
    stored_finding,
)
from scanner.sanitize import clean_value

#: `finding_document` is re-exported: the one finding in full, for scripts and benchmarks.
__all__ = [
    "COMPACT",
    "FULL",
    "RESULT_SCHEMA_VERSION",
    "finding_document",
    "summarize",
    "to_document",
]

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


def _outcome(statuses: set[Status], gate_fail: bool) -> str:
    if gate_fail:
        return "FAIL"
    for status in (Status.ERROR, Status.MANUAL):
        if status in statuses:
            return str(status.value)
    if Status.PASS in statuses or Status.FAIL in statuses:
        return "PASS"
    return "NOT_APPLICABLE"


@dataclass
class _Tally:
    """The findings counted once: per check and status, the resources they stand for,
    the excepted ones and the checks with a FAIL no exception covers."""

    counted: Counter[tuple[str, Status]] = field(default_factory=Counter)
    weighted: Counter[tuple[str, Status]] = field(default_factory=Counter)
    excepted: int = 0
    gate_fail: set[str] = field(default_factory=set)


def _tally(result: ScanResult) -> _Tally:
    """One pass over the findings (a scan of 100,000 users has a million)."""
    today = result.today
    tally = _Tally()
    counted, weighted, gate_fail = tally.counted, tally.weighted, tally.gate_fail
    undecided = (Status.ERROR, Status.MANUAL)
    for finding in result.findings:
        key = (finding.check.id, finding.status)
        counted[key] += 1
        if key[1] in undecided:  # a grouped finding counts the resources it stands for
            weighted[key] += finding.represents - 1
        if finding.exception is not None and finding.gate_exempt(today):
            tally.excepted += 1
        elif key[1] is Status.FAIL:
            gate_fail.add(key[0])
    return tally


def summarize(result: ScanResult, tally: _Tally | None = None) -> dict[str, Any]:
    """Counts by status and severity, per-check outcomes and a 0-100 posture score."""
    tally = tally or _tally(result)
    counted = tally.counted
    statuses: dict[str, set[Status]] = defaultdict(set)
    for check_id, status in counted:
        statuses[check_id].add(status)
    outcomes = {
        check.id: _outcome(statuses.get(check.id, set()), check.id in tally.gate_fail)
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
        "excepted": tally.excepted,
        "score": score,
    }


def _coverage(result: ScanResult, tally: _Tally) -> dict[str, Any]:
    """`coverage_counts` of the findings, counted per check and status first (a grouped
    finding counts the resources it stands for)."""
    domains = {check.id: check.spec.domain for check in result.checks}
    for finding in result.findings:  # checks a result does not list (none in a scan)
        if finding.check.id not in domains:
            domains[finding.check.id] = finding.check.spec.domain
    rows = tally.counted + tally.weighted
    expanded = ((domains[cid], status.value, n) for (cid, status), n in rows.items())
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
    tally = _tally(result)
    summary = summarize(result, tally)
    builder = StoredFindings(result, records)
    grouped: list[dict[str, Any]] = []  # ERROR and MANUAL findings in full, for `groups`
    compact: list[Finding] = []
    for finding in result.findings:
        status = finding.status
        if (  # is_compact_pass, inlined: a scan of 100,000 users has a million findings
            status is Status.PASS
            and not full_pass
            and finding.resource is not None
            and finding.check.kind.path != "tenant"
        ):
            compact.append(finding)
        elif status is Status.ERROR or status is Status.MANUAL:
            full = finding_document(finding, result, records)
            grouped.append(full)
            builder.add_cleaned(stored_finding(full, finding.check.spec.resource))
        else:
            builder.add(finding)
    summary["coverage"] = _coverage(result, tally)
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
        "findings": builder.finish(),
        "passed": passed_entries(compact, result, builder.readers),
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
