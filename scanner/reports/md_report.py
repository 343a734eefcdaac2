"""The auditor's report as Markdown, for an audit ticket or a wiki page.

A summary table of every requirement, the requirements still open, then one section per
requirement with its checks, failing and excepted resources (a few each; every one is in
results.json and the CSV), attestations and proof locations. Text is escaped with the
Markdown writer's helpers (`scanner.outputs.markdown_format.md`), so CRM data cannot
break a table, inject HTML, or become a mention, an issue reference or a link. Only the
evidence link of an attestation — policy text, not CRM data — is a link.
"""

from __future__ import annotations

from scanner.outputs.markdown_format import OUTCOME_ICON, code, md
from scanner.reports.framework_report import (
    STATUSES,
    Attested,
    AuditReport,
    CheckEvidence,
    RequirementEntry,
)

#: Failing / excepted resources listed per check.
MD_LIST_LIMIT = 10


def _icon(status: str) -> str:
    return OUTCOME_ICON.get(status, "📝")


def _header(report: AuditReport) -> list[str]:
    fw, scan = report.framework, report.scan
    summary = report.summary
    return [
        f"# Auditor report: {md(fw.name)}",
        "",
        f"- Framework: {code(fw.id)} {md(fw.version)}",
        f"- Scanned: {md(scan['platform'])} tenant {md(scan['tenant_name'])} "
        f"({code(scan['tenant_id'])}), {md(scan['started_at'])} – {md(scan['finished_at'])}",
        f"- Rules: {md(scan['tool'])}; policy {code(scan['policy'])} "
        f"({code(scan['policy_digest'])})",
        f"- Scan: {code(scan['scan_id'])}, result schema {md(scan['schema_version'])}, "
        f"{scan['gaps']} collection gaps",
        f"- Evidence bundle: {code(report.bundle) if report.bundle else 'not given'}",
        "",
        "| " + " | ".join(s.replace("_", " ").title() for s in STATUSES) + " |",
        "|" + "---:|" * len(STATUSES),
        "| " + " | ".join(str(summary[s]) for s in STATUSES) + " |",
        "",
        "| Requirement | Title | Status | Why |",
        "|---|---|---|---|",
        *(
            f"| {md(r.id)} | {md(r.title)} | {_icon(r.status)} {r.status} | {md(r.reason)} |"
            for r in report.requirements
        ),
    ]


def _open(report: AuditReport) -> list[str]:
    if not report.open_manual:
        return []
    lines = ["", f"## Still open ({len(report.open_manual)})", ""]
    lines += [f"- **{md(r.id)}** {md(r.title)}: {md(r.reason)}" for r in report.open_manual]
    return lines


def _evidence(attestation: Attested) -> str:
    url = attestation.evidence_url
    if url:
        return f"<{url.replace('>', '%3E').replace('<', '%3C')}>"
    return md(attestation.evidence) if attestation.evidence else "none given"


def _listed(items: list[str], total: int) -> list[str]:
    lines = [f"  - {item}" for item in items[:MD_LIST_LIMIT]]
    if total > MD_LIST_LIMIT:
        lines.append(f"  - … and {total - MD_LIST_LIMIT} more in results.json")
    return lines


def _check_details(check: CheckEvidence) -> list[str]:
    lines: list[str] = []
    if check.not_applicable:
        lines.append(f"- {code(check.id)} not applicable: {md(check.not_applicable)}")
    if check.failing:
        lines.append(f"- {code(check.id)} failing resources ({len(check.failing)}):")
        lines += _listed(
            [md(r.text) + (" (exception expired)" if r.exception else "") for r in check.failing],
            len(check.failing),
        )
    if check.excepted:
        lines.append(f"- {code(check.id)} excepted resources ({len(check.excepted)}):")
        lines += _listed(
            [
                f"{md(r.label)}: {md((r.exception or {}).get('reason'))}, approved by "
                f"{md((r.exception or {}).get('approved_by'))}, expires "
                f"{md((r.exception or {}).get('expires'))}"
                for r in check.excepted
            ],
            len(check.excepted),
        )
    for group in check.undecided:
        lines.append(
            f"- {code(check.id)} {group.status}: {md(group.message)} ({group.resources} resources)"
        )
    lines += [_attestation_line(a) for a in check.attestations]
    return lines


def _attestation_line(a: Attested) -> str:
    age = "?" if a.age_days is None else str(a.age_days)
    limit = f" of max {a.max_age_days:g}" if a.max_age_days is not None else ""
    state = "current" if a.current else "stale: attest again"
    return (
        f"- {code(a.check_id)} attested {md(a.outcome)} by {md(a.attested_by)} on "
        f"{md(a.date)} ({age} days old{limit}, {state}): {md(a.statement)}; "
        f"evidence: {_evidence(a)}"
    )


def _section(requirement: RequirementEntry) -> list[str]:
    lines = [
        "",
        f"## {_icon(requirement.status)} {md(requirement.id)}: {md(requirement.title)}",
        "",
        f"**{requirement.status}**: {md(requirement.reason)}",
    ]
    if requirement.description:
        lines += ["", md(requirement.description)]
    if not requirement.checks:
        if requirement.attested:
            return [*lines, "", _attestation_line(requirement.attested)]
        return [*lines, "", "No automated check evidences this requirement: assess and attest it."]
    lines += [
        "",
        "| Check | Outcome | Passed | Failing | Excepted | Undecided |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for c in requirement.checks:
        undecided = sum(g.resources for g in c.undecided)
        lines.append(
            f"| {code(c.id)} {md(c.title)} | {_icon(c.outcome)} {c.outcome} | {c.passed} "
            f"| {len(c.failing)} | {len(c.excepted)} | {undecided} |"
        )
    details = [line for c in requirement.checks for line in _check_details(c)]
    if details:
        lines += ["", *details]
    lines += ["", "Proof: " + ", ".join(_proof(requirement))]
    return lines


def _proof(requirement: RequirementEntry) -> list[str]:
    marks = {True: " ✓", False: " ✗ not in bundle", None: ""}
    return [code(link.path) + marks[link.present] for link in requirement.proof]


def render_markdown(report: AuditReport) -> str:
    """The report as Markdown text."""
    lines = _header(report) + _open(report)
    for requirement in report.requirements:
        lines += _section(requirement)
    lines += [
        "",
        "---",
        "Status rules and columns: docs/auditor-report.md. Requirement titles are short "
        "paraphrases; the framework's own text governs.",
    ]
    return "\n".join(lines) + "\n"
