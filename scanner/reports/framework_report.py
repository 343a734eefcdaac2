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
  MANUAL          no check is mapped to it (a manual requirement, still open)
  FAIL            any check FAILs
  ERROR           else, any check is ERROR
  MANUAL          else, any check is MANUAL or NOT_RUN (open: attest it or run it)
  PASS            else, any check PASSes (the others are N/A)
  NOT_APPLICABLE  every check is N/A on the platform
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from scanner.language.check_spec import CheckSpec
from scanner.language.frameworks import Framework, Requirement
from scanner.reports.proof import ProofLink, mark_present, merge_links, proof_locations
from scanner.reports.source import ResultView
from scanner.results.grouping import finding_groups

#: Requirement statuses, worst first.
STATUSES = ("FAIL", "ERROR", "MANUAL", "PASS", "NOT_APPLICABLE")
NOT_RUN = "NOT_RUN"
#: Check outcomes, worst first (NOT_RUN counts as MANUAL for the requirement).
OUTCOMES = ("FAIL", "ERROR", "MANUAL", NOT_RUN, "PASS", "NOT_APPLICABLE")


@dataclass(frozen=True)
class Attested:
    """A person's attestation of a check, as the scan applied it."""

    check_id: str
    statement: str
    attested_by: str
    date: str
    outcome: str
    evidence: str | None
    age_days: int | None
    max_age_days: float | None
    current: bool

    @property
    def evidence_url(self) -> str | None:
        """The evidence as a link when it is an http(s) URL, else None (shown as text)."""
        text = (self.evidence or "").strip()
        return (
            text if text.lower().startswith(("https://", "http://")) and " " not in text else None
        )


@dataclass(frozen=True)
class Resource:
    """A failing or excepted resource of a check."""

    type: str
    id: str | None
    name: str | None
    message: str
    exception: Mapping[str, Any] | None = None

    @property
    def label(self) -> str:
        """Name, with the id when it differs."""
        if self.name and self.id and self.name != self.id:
            return f"{self.name} ({self.id})"
        return str(self.name or self.id or self.type)


@dataclass(frozen=True)
class Undecided:
    """ERROR or MANUAL findings of a check that share one cause."""

    status: str
    message: str
    resources: int
    examples: tuple[str, ...]


@dataclass
class CheckEvidence:
    """One check behind a requirement, and what the scan found."""

    id: str
    title: str
    severity: str
    outcome: str
    passed: int = 0
    failing: list[Resource] = field(default_factory=list)
    excepted: list[Resource] = field(default_factory=list)
    undecided: list[Undecided] = field(default_factory=list)
    not_applicable: str = ""
    attestations: list[Attested] = field(default_factory=list)
    proof: list[ProofLink] = field(default_factory=list)


@dataclass
class RequirementEntry:
    """One requirement: its status, why, and the checks behind it."""

    id: str
    title: str
    description: str
    status: str
    reason: str
    checks: list[CheckEvidence]

    @property
    def manual(self) -> bool:
        """True when no automated check is mapped to the requirement."""
        return not self.checks

    @property
    def open(self) -> bool:
        """True while a person still has to close it (status MANUAL)."""
        return self.status == "MANUAL"

    @property
    def attestations(self) -> list[Attested]:
        """The attestations of every check behind the requirement."""
        return [a for check in self.checks for a in check.attestations]

    @property
    def proof(self) -> list[ProofLink]:
        """The bundle files of every check, each file once with the checks it proves."""
        return merge_links(link for check in self.checks for link in check.proof)


@dataclass
class AuditReport:
    """A framework's requirements judged against one scan."""

    framework: Framework
    scan: dict[str, Any]
    requirements: list[RequirementEntry]
    bundle: str | None = None

    @property
    def summary(self) -> dict[str, int]:
        """Requirements per status, every status listed."""
        counts = Counter(r.status for r in self.requirements)
        return {status: counts.get(status, 0) for status in STATUSES}

    @property
    def open_manual(self) -> list[RequirementEntry]:
        """Requirements still open: MANUAL status (manual, unattested or not run)."""
        return [r for r in self.requirements if r.open]


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
            collections.update(str(r["collection"]) for r in records if isinstance(r, dict))
    sources = (view.meta("policy") or {}).get("sources") or []
    by_person = bool(entry.attestations or entry.excepted) or any(
        f.get("exception") for f in findings
    )
    entry.proof = mark_present(proof_locations(check_id, collections, sources, by_person), bundle)
    return entry


def _requirement(requirement: Requirement, checks: Mapping[str, CheckEvidence]) -> RequirementEntry:
    evidence = [checks[c] for c in requirement.checks]
    status, reason = requirement_status([c.outcome for c in evidence])
    excepted = sum(len(c.excepted) for c in evidence)
    if status == "PASS" and excepted:
        reason += f"; {excepted} failing resources under valid exceptions"
    return RequirementEntry(
        id=requirement.id,
        title=requirement.title,
        description=requirement.description,
        status=status,
        reason=reason,
        checks=evidence,
    )


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
) -> AuditReport:
    """The auditor's report of ``framework`` for the scan in ``view``.

    ``catalog`` (check id -> spec) tells which collections a check reads and how old its
    attestation may be; ``bundle_names`` (from `scanner.reports.proof.bundle_files`)
    marks which proof files the bundle really holds.
    """
    checks = {c: check_evidence(view, c, catalog, bundle_names) for c in framework.check_ids()}
    return AuditReport(
        framework=framework,
        scan=scan_facts(view),
        requirements=[_requirement(r, checks) for r in framework.requirements],
        bundle=bundle,
    )
