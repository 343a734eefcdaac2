"""Findings a person can act on: ERROR and MANUAL grouped by cause, coverage per domain.

Both work on the findings of a result document (JSON data), so they serve documents of
every schema version: a 1.1 document carries them (``groups``, ``summary.coverage``), and
`groups_of` / `coverage_of` compute them for a 1.0 document that does not.

A group is the findings of one check with one status and one message — the message of an
ERROR or MANUAL finding is its cause, never the resource's name — so 124 users whose
permissions are unknown make one group, listed once with a few of their names. A finding
that already stands for many resources (the engine's one MANUAL for everything a
platform cannot provide) counts as the resources it lists.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from scanner.engine.findings import REPORT_ORDER

GROUPED = ("ERROR", "MANUAL")
EXAMPLES = 5
DECIDED = ("PASS", "FAIL")
UNDECIDED = ("ERROR", "MANUAL")


def represents(finding: Mapping[str, Any]) -> int:
    """How many resources ``finding`` stands for."""
    evidence = finding.get("evidence") or {}
    count = evidence.get("undecided_count") if isinstance(evidence, Mapping) else None
    return max(1, count) if isinstance(count, int) and not isinstance(count, bool) else 1


def _names(finding: Mapping[str, Any]) -> list[str]:
    evidence = finding.get("evidence") or {}
    listed = evidence.get("undecided") if isinstance(evidence, Mapping) else None
    if isinstance(listed, list) and listed:
        return [str(name) for name in listed if name is not None]
    resource = finding.get("resource") or {}
    if resource.get("type") == "tenant":
        return []
    name = resource.get("name") or resource.get("id")
    return [str(name)] if name is not None else []


def finding_groups(findings: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The ERROR and MANUAL findings grouped per check, status and cause, in order seen."""
    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    for finding in findings:
        status = finding["status"]
        if status not in GROUPED:
            continue
        key = (finding["check_id"], status, finding["message"])
        group = groups.get(key)
        if group is None:
            evidence = finding.get("evidence") or {}
            cause = evidence.get("cause") if isinstance(evidence, Mapping) else None
            group = groups[key] = {
                "check_id": finding["check_id"],
                "status": status,
                "severity": finding["severity"],
                "domain": finding["domain"],
                "resource_type": (finding.get("resource") or {}).get("type"),
                "message": finding["message"],
                "cause": cause if isinstance(cause, Mapping) else None,
                "findings": 0,
                "resources": 0,
                "examples": [],
            }
        group["findings"] += 1
        group["resources"] += represents(finding)
        room = EXAMPLES - len(group["examples"])
        if room > 0:
            group["examples"].extend(_names(finding)[:room])
    return list(groups.values())


def coverage(findings: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """How much of the scan was decided (PASS + FAIL), per domain and in total.

    Counted in resources (a grouped MANUAL counts the resources it stands for);
    NOT_APPLICABLE is neither decided nor undecided. ``share`` is a percentage, or None
    when nothing applied.
    """
    return coverage_counts((f["domain"], f["status"], represents(f)) for f in findings)


def coverage_counts(rows: Iterable[tuple[str | None, str, int]]) -> dict[str, Any]:
    """`coverage` from ``(domain, status, resources represented)`` rows."""
    counts: dict[str, dict[str, int]] = defaultdict(
        lambda: {"decided": 0, "undecided": 0, "not_applicable": 0}
    )
    for domain, status, resources in rows:
        row = counts[domain or "-"]
        if status in DECIDED:
            row["decided"] += 1
        elif status in UNDECIDED:
            row["undecided"] += resources
        else:
            row["not_applicable"] += 1
    total = {"decided": 0, "undecided": 0, "not_applicable": 0}
    for row in counts.values():
        for name in total:
            total[name] += row[name]
    return {
        "total": _with_share(total),
        "domains": {domain: _with_share(row) for domain, row in sorted(counts.items())},
    }


def _with_share(row: dict[str, int]) -> dict[str, Any]:
    judged = row["decided"] + row["undecided"]
    share = round(100 * row["decided"] / judged, 1) if judged else None
    return {**row, "share": share}


def groups_of(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The document's groups (schema 1.1), or computed from its findings (1.0)."""
    stored = document.get("groups")
    return list(stored) if isinstance(stored, list) else finding_groups(document["findings"])


def coverage_of(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document's coverage (schema 1.1), or computed from its findings (1.0)."""
    stored = document.get("summary", {}).get("coverage")
    return dict(stored) if isinstance(stored, Mapping) else coverage(document["findings"])


_RANK = {status: index for index, status in enumerate(REPORT_ORDER)}


def by_report_order(findings: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """``findings`` with what needs action first: FAIL, ERROR, MANUAL, PASS, N/A (stable)."""
    return sorted(findings, key=lambda f: _RANK.get(f["status"], len(_RANK)))
