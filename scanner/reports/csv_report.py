"""The auditor's report as CSV: one row per requirement and check behind it.

A requirement with no automated check has one row with the check columns empty. Encoded
like the findings CSV (`scanner.outputs.csv_format`): UTF-8 with a byte-order mark, CRLF,
RFC 4180 quoting, and every cell that a spreadsheet could evaluate (``=``, ``+``, ``-``,
``@``, tab, carriage return first) prefixed with ``'``. A cell stays under Excel's
32,767 characters: longer lists end with how many more there are (see results.json).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from scanner.outputs.csv_format import BOM, neutralize
from scanner.reports.framework_report import (
    Attested,
    AuditReport,
    CheckEvidence,
    RequirementEntry,
    Resource,
)

CELL_LIMIT = 32_000
COLUMNS = (
    "framework",
    "requirement",
    "requirement_title",
    "requirement_status",
    "requirement_reason",
    "manual_requirement",
    "check_id",
    "check_title",
    "severity",
    "check_outcome",
    "passed",
    "failing_count",
    "failing_resources",
    "excepted_count",
    "excepted_resources",
    "undecided",
    "attestations",
    "proof",
    "scan_id",
    "tenant_id",
    "scanned_at",
)


def _joined(items: Iterable[str], more_hint: str = "results.json") -> str:
    parts = list(items)
    text = ""
    for index, part in enumerate(parts):
        candidate = f"{text}; {part}" if text else part
        if len(candidate) > CELL_LIMIT:
            return f"{text}; … {len(parts) - index} more in {more_hint}"
        text = candidate
    return text


def _excepted(resource: Resource) -> str:
    exception = resource.exception or {}
    ticket = f", ticket {exception['ticket']}" if exception.get("ticket") else ""
    return (
        f"{resource.label}: {exception.get('reason')} (approved by "
        f"{exception.get('approved_by')}, expires {exception.get('expires')}{ticket})"
    )


def _attestation(a: Attested) -> str:
    limit = f" of max {a.max_age_days:g}" if a.max_age_days is not None else ""
    evidence = f" evidence: {a.evidence}" if a.evidence else ""
    state = "current" if a.current else "stale"
    return (
        f"{a.outcome} by {a.attested_by} on {a.date} (age {a.age_days} days{limit}, "
        f"{state}): {a.statement}{evidence}"
    )


def _check_cells(check: CheckEvidence) -> list[object]:
    failing = [r.text + (" (exception expired)" if r.exception else "") for r in check.failing]
    excepted = [_excepted(r) for r in check.excepted]
    undecided = [f"{g.status} {g.message} ({g.resources})" for g in check.undecided]
    if check.not_applicable:
        undecided.append(f"NOT_APPLICABLE {check.not_applicable}")
    attestations = [_attestation(a) for a in check.attestations]
    proof = [
        link.path + ("" if link.present is not False else " (not in bundle)")
        for link in check.proof
    ]
    return [
        check.id,
        check.title,
        check.severity,
        check.outcome,
        check.passed,
        len(check.failing),
        _joined(failing),
        len(check.excepted),
        _joined(excepted),
        _joined(undecided),
        _joined(attestations),
        "; ".join(proof),
    ]


def _rows(report: AuditReport, requirement: RequirementEntry) -> list[list[str]]:
    head: list[object] = [
        report.framework.id,
        requirement.id,
        requirement.title,
        requirement.status,
        requirement.reason,
        "yes" if requirement.manual else "no",
    ]
    tail: list[object] = [
        report.scan["scan_id"],
        report.scan["tenant_id"],
        report.scan["finished_at"],
    ]
    checks: list[list[object]] = [_check_cells(c) for c in requirement.checks]
    if not checks:
        attested = [_attestation(requirement.attested)] if requirement.attested else []
        checks = [[*[""] * 10, "; ".join(attested), ""]]
    return [[neutralize(v) for v in head + cells + tail] for cells in checks]


def render_csv(report: AuditReport) -> str:
    """The report as CSV text starting with a BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    for requirement in report.requirements:
        writer.writerows(_rows(report, requirement))
    return BOM + buffer.getvalue()
