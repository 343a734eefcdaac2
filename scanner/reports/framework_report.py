"""The auditor's report: per requirement of a framework, its status and the proof behind it.

`build_report` joins a framework mapping (`scanner.language.frameworks`) with a result
document (`scanner.reports.source.ResultView`). For every requirement it lists the checks
that evidence it, and for every check its outcome, the failing and the excepted
resources, what could not be decided, the attestations with their age, and where in the
evidence bundle the proof lies (`scanner.reports.proof`).

Status rules (docs/auditor-report.md), fail safe — nothing unproven is PASS:

A check's outcome, from its findings:
  FAIL            a finding FAILs without a valid exception (none, or expired)
  ERROR           else, a finding is ERROR (data missing, evaluation failed)
  MANUAL          else, a finding is MANUAL (no attestation, or a stale one)
  PASS            else, a finding PASSes or FAILs under a valid exception
  NOT_APPLICABLE  else (every finding N/A, or no resource the check applies to)
  NOT_RUN         the check is not in the result (the scan did not select it)

A requirement's status, from the outcomes of its checks:
  MANUAL          no check is mapped to it (a manual requirement, still open) — unless
                  the policy that judged the scan attests it (control
                  ``<framework id>:<requirement id>``, at most 365 days old at the scan):
                  then PASS or FAIL as attested, and MANUAL again once the attestation
                  is older
  FAIL            any check FAILs
  ERROR           else, any check is ERROR
  MANUAL          else, any check is MANUAL or NOT_RUN (open: attest it or run it)
  PASS            else, any check PASSes (the others are N/A)
  NOT_APPLICABLE  every check is N/A on the platform
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from scanner.language.check_spec import CheckSpec
from scanner.language.frameworks import Framework, Requirement
from scanner.reports.model import (
    STATUSES,
    Attested,
    AuditReport,
    CheckEvidence,
    RequirementEntry,
    Resource,
    Undecided,
)
from scanner.reports.proof import proof_locations
from scanner.reports.source import ResultView
from scanner.results.grouping import finding_groups

NOT_RUN = "NOT_RUN"
#: Check outcomes, worst first (NOT_RUN counts as MANUAL for the requirement).
OUTCOMES = ("FAIL", "ERROR", "MANUAL", NOT_RUN, "PASS", "NOT_APPLICABLE")
#: How old an attestation of a manual requirement may be (days, at the scan's clock).
REQUIREMENT_ATTESTATION_MAX_AGE_DAYS = 365


def requirement_control(framework_id: str, requirement_id: str) -> str:
    """The policy attestation ``control`` that attests a manual requirement."""
    return f"{framework_id}:{requirement_id}"


def check_outcome(findings: Sequence[Mapping[str, Any]], passed: int, present: bool) -> str:
    """A check's outcome from its non-PASS findings and its number of PASS resources."""
    if not present:
        return NOT_RUN
    statuses = Counter(f["status"] for f in findings)
    if any(f["status"] == "FAIL" and not _valid_exception(f) for f in findings):
        return "FAIL"
    for status in ("ERROR", "MANUAL"):
        if statuses[status]:
            return status
    if passed or statuses["FAIL"]:
        return "PASS"
    return "NOT_APPLICABLE"


def requirement_status(outcomes: Sequence[str]) -> tuple[str, str]:
    """A requirement's status from its checks' outcomes, and the reason in words."""
    if not outcomes:
        return "MANUAL", "no automated check: a person must assess and attest it"
    present = Counter(outcomes)
    if present["FAIL"]:
        return "FAIL", f"{present['FAIL']} of {len(outcomes)} checks fail"
    if present["ERROR"]:
        return "ERROR", f"{present['ERROR']} of {len(outcomes)} checks could not be decided"
    if present["MANUAL"] or present[NOT_RUN]:
        parts = []
        if present["MANUAL"]:
            parts.append(f"{present['MANUAL']} need a person's (current) attestation")
        if present[NOT_RUN]:
            parts.append(f"{present[NOT_RUN]} did not run in this scan")
        return "MANUAL", "open: " + "; ".join(parts)
    if present["PASS"]:
        na = present["NOT_APPLICABLE"]
        return "PASS", "every check passes" + (f" ({na} not applicable)" if na else "")
    return "NOT_APPLICABLE", "no check applies to this platform"


def _valid_exception(finding: Mapping[str, Any]) -> bool:
    exception = finding.get("exception")
    return isinstance(exception, Mapping) and exception.get("expired") is False


def _resource(finding: Mapping[str, Any]) -> Resource:
    resource = finding.get("resource") or {}
    return Resource(
        type=str(resource.get("type") or ""),
        id=resource.get("id"),
        name=resource.get("name"),
        message=str(finding.get("message") or ""),
        exception=finding.get("exception"),
    )


def _max_age(spec: CheckSpec | None, parameters: Mapping[str, Any]) -> float | None:
    setting = (spec.attestation or {}).get("max_age_days") if spec else None
    if isinstance(setting, dict) and "param" in setting:
        setting = parameters.get(setting["param"])
    return float(setting) if isinstance(setting, (int, float)) else None


def _attested(
    check_id: str, data: Mapping[str, Any], status: str, scanned: date | None, max_age: float | None
) -> Attested:
    try:
        attested_on: date | None = date.fromisoformat(str(data.get("date")))
    except ValueError:
        attested_on = None
    age = (scanned - attested_on).days if scanned and attested_on else None
    return Attested(
        check_id=check_id,
        statement=str(data.get("statement") or ""),
        attested_by=str(data.get("attested_by") or ""),
        date=str(data.get("date") or ""),
        outcome=str(data.get("outcome") or ""),
        evidence=data.get("evidence"),
        age_days=age,
        max_age_days=max_age,
        current=status != "MANUAL",
    )


def _scan_date(view: ResultView) -> date | None:
    """The day the verdicts were judged: ``as_of`` (2.0), else the scan's end."""
    try:
        return date.fromisoformat(str(view.meta("as_of") or view.meta("finished_at"))[:10])
    except ValueError:
        return None


def check_evidence(
    view: ResultView,
    check_id: str,
    catalog: Mapping[str, CheckSpec],
    bundle: frozenset[str] | None = None,
) -> CheckEvidence:
    """What the scan in ``view`` found for ``check_id``."""
    check = view.checks.get(check_id)
    spec = catalog.get(check_id)
    findings = view.not_passed.get(check_id, [])
    passed = view.passed.get(check_id, [])
    entry = CheckEvidence(
        id=check_id,
        title=str(check["title"] if check else spec.title if spec else ""),
        severity=str(check["severity"] if check else spec.severity if spec else ""),
        outcome=check_outcome(findings, len(passed), check is not None),
        passed=len(passed),
    )
    if check is None:
        return entry
    for finding in findings:
        if finding["status"] == "FAIL":
            (entry.excepted if _valid_exception(finding) else entry.failing).append(
                _resource(finding)
            )
    entry.undecided = [
        Undecided(g["status"], g["message"], g["resources"], tuple(g["examples"]))
        for g in finding_groups(findings)
    ]
    not_applicable = [f["message"] for f in findings if f["status"] == "NOT_APPLICABLE"]
    entry.not_applicable = "; ".join(dict.fromkeys(not_applicable))
    scanned, max_age = _scan_date(view), _max_age(spec, check.get("parameters") or {})
    attested = [(f["attestation"], f["status"]) for f in findings if f.get("attestation")]
    attested += [(p.attestation, "PASS") for p in passed if p.attestation]
    seen: set[tuple[str, str]] = set()
    for data, status in attested:
        key = (str(data.get("date")), str(data.get("statement")))
        if key not in seen:
            seen.add(key)
            entry.attestations.append(_attested(check_id, data, status, scanned, max_age))
    collections = set(spec.requires if spec else ())
    for finding in findings:
        records = (finding.get("evidence") or {}).get("records")
        if isinstance(records, list):
            named = (r.get("collection") for r in records if isinstance(r, Mapping))
            collections.update(c for c in named if isinstance(c, str) and c)
    sources = (view.meta("policy") or {}).get("sources") or []
    by_person = bool(entry.attestations or entry.excepted) or any(
        f.get("exception") for f in findings
    )
    entry.proof = proof_locations(check_id, collections, sources, by_person, bundle)
    return entry


def _requirement(
    requirement: Requirement,
    checks: Mapping[str, CheckEvidence],
    attestation: Mapping[str, Any] | None,
    control: str,
    scanned: date | None,
) -> RequirementEntry:
    evidence = [checks[c] for c in requirement.checks]
    status, reason = requirement_status([c.outcome for c in evidence])
    excepted = sum(len(c.excepted) for c in evidence)
    if status == "PASS" and excepted:
        reason += f"; {excepted} failing resources under valid exceptions"
    entry = RequirementEntry(
        id=requirement.id,
        title=requirement.title,
        description=requirement.description,
        status=status,
        reason=reason,
        checks=evidence,
    )
    if evidence:
        return entry
    if attestation is None:
        entry.reason += f" (attest it in the policy as control {control!r})"
        return entry
    max_age = REQUIREMENT_ATTESTATION_MAX_AGE_DAYS
    attested = _attested(control, attestation, "PASS", scanned, max_age)
    if attested.age_days is None or attested.age_days < 0 or attested.age_days > max_age:
        attested = dataclasses.replace(attested, current=False)
        if attested.age_days is not None and attested.age_days < 0:
            entry.reason = f"attestation of {attested.date} is dated after the scan: it counts "
            entry.reason += "for later scans only"
        else:
            entry.reason = (
                f"attestation of {attested.date} is {attested.age_days} days old at the scan "
                f"(at most {max_age} days): attest again"
            )
    else:
        entry.status = "PASS" if attested.outcome == "pass" else "FAIL"
        entry.reason = (
            f"attested {attested.outcome} by {attested.attested_by} on {attested.date}: "
            f"{attested.statement}"
        )
    entry.attested = attested
    return entry


def scan_facts(view: ResultView) -> dict[str, Any]:
    """What was scanned, when, by which tool and under which policy."""
    tenant = view.meta("tenant") or {}
    policy = view.meta("policy") or {}
    tool = view.meta("tool") or {}
    return {
        "scan_id": view.meta("scan_id"),
        "schema_version": view.meta("schema_version"),
        "tool": f"{tool.get('name', 'crmscan')} {tool.get('version', '')}".strip(),
        "started_at": view.meta("started_at"),
        "finished_at": view.meta("finished_at"),
        "platform": tenant.get("platform"),
        "tenant_id": tenant.get("id"),
        "tenant_name": tenant.get("name"),
        "policy": policy.get("name"),
        "policy_digest": policy.get("digest"),
        "policy_sources": list(policy.get("sources") or []),
        "gaps": len(view.meta("gaps") or []),
    }


def build_report(
    framework: Framework,
    view: ResultView,
    catalog: Mapping[str, CheckSpec],
    bundle: str | None = None,
    bundle_names: frozenset[str] | None = None,
    requirement_attestations: Mapping[str, Mapping[str, Any]] | None = None,
) -> AuditReport:
    """The auditor's report of ``framework`` for the scan in ``view``.

    ``catalog`` (check id -> spec) tells which collections a check reads and how old its
    attestation may be; ``bundle_names`` (from `scanner.reports.proof.bundle_files`)
    marks which proof files the bundle really holds; ``requirement_attestations`` maps a
    manual requirement's id to the policy attestation of it (see `requirement_control`).
    """
    checks = {c: check_evidence(view, c, catalog, bundle_names) for c in framework.check_ids()}
    attested = requirement_attestations or {}
    scanned = _scan_date(view)
    requirements = [
        _requirement(
            r, checks, attested.get(r.id), requirement_control(framework.id, r.id), scanned
        )
        for r in framework.requirements
    ]
    return AuditReport(
        framework=framework, scan=scan_facts(view), requirements=requirements, bundle=bundle
    )


__all__ = [
    "STATUSES",
    "Attested",
    "AuditReport",
    "CheckEvidence",
    "RequirementEntry",
    "Resource",
    "Undecided",
    "build_report",
    "check_evidence",
    "check_outcome",
    "requirement_control",
    "requirement_status",
]
