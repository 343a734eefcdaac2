"""Printing what the posture store says: a scan's changes, scan lists, stored findings."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from scanner.language.check_spec import SEVERITIES
from scanner.sanitize import clean_message
from scanner.store import ScanDelta, StoredFinding, StoredScan
from scanner.store.location import describe

SHOWN = 10


def _name(resource_name: str | None, resource_id: str | None) -> str:
    return escape(clean_message(str(resource_name or resource_id or "tenant")))


def print_delta(
    delta: ScanDelta,
    document: dict[str, Any],
    store: str,
    notes: Console,
    console: Console | None,
) -> None:
    """One line on ``notes`` that the scan was recorded; its changes on ``console``."""
    notes.print(
        f"recorded scan {delta.scan_id} of {escape(delta.target)} in {escape(describe(store))}",
        highlight=False,
    )
    if console is None:
        return
    failing = (document.get("summary") or {}).get("by_status", {}).get("FAIL", 0)
    if delta.first_scan:
        console.print(
            f"[bold]First scan of {escape(delta.target)} in the store:[/] every failure "
            f"({len(delta.new_failures)}) counts as new."
        )
    else:
        console.print(
            f"[bold]Since scan {delta.previous_scan_id}:[/] [red]{len(delta.new_failures)} "
            f"new failures[/], [green]{len(delta.fixed)} fixed[/], "
            f"{failing - len(delta.new_failures)} still failing, "
            f"[magenta]{len(delta.new_errors)} newly not collected[/]"
        )
        ordered = sorted(delta.new_failures, key=lambda f: SEVERITIES.index(f.severity))
        for finding in ordered[:SHOWN]:
            console.print(
                f"  [red]NEW[/] {finding.severity:<8} {escape(finding.check_id)} "
                f"{_name(finding.resource_name, finding.resource_id)}",
                highlight=False,
            )
        if len(ordered) > SHOWN:
            console.print(f"  ... and {len(ordered) - SHOWN} more")
    print_expiring(delta.expiring, console)


def print_expiring(expiring: list[Any], console: Console) -> None:
    """Findings whose policy exception expires soon (or has expired)."""
    if not expiring:
        return
    console.print(f"[yellow]Exceptions expiring within 30 days or expired: {len(expiring)}[/]")
    for finding in sorted(expiring, key=lambda f: f.exception_expires)[:SHOWN]:
        console.print(
            f"  {finding.exception_expires} {escape(finding.check_id)} "
            f"{_name(finding.resource_name, finding.resource_id)}",
            highlight=False,
        )


def scans_table(scans: list[StoredScan]) -> Table:
    """Scans over time: outcome, score and its change, FAIL by severity, other statuses."""
    several = len({s.target for s in scans}) > 1
    table = Table(show_edge=False, header_style="bold", pad_edge=False)
    table.add_column("scan", justify="right")
    if several:
        table.add_column("target")
    for column in ("scanned UTC", "outcome", "score", "Δ", "FAIL c/h/m/l", "ERR", "MAN", "PASS"):
        table.add_column(
            column, justify="left" if column in ("scanned UTC", "outcome") else "right"
        )
    previous: dict[str, float] = {}
    rows = []
    for scan in sorted(scans, key=lambda s: s.id):
        fails = "/".join(
            str((scan.by_severity.get(s) or {}).get("FAIL", 0)) for s in SEVERITIES[:4]
        )
        change = ""
        if scan.score is not None:
            if scan.target in previous:
                change = f"{scan.score - previous[scan.target]:+.1f}"
            previous[scan.target] = scan.score
        cells = [str(scan.id), *([escape(scan.target)] if several else [])]
        cells += [
            scan.scanned_at.strftime("%Y-%m-%d %H:%M"),
            scan.state if scan.state != "finished" else (scan.outcome or "finished"),
            "" if scan.score is None else f"{scan.score:g}",
            change,
            f"{scan.by_status.get('FAIL', '')} {fails if scan.by_severity else ''}".strip(),
            *(str(scan.by_status.get(s, "")) for s in ("ERROR", "MANUAL", "PASS")),
        ]
        rows.append(cells)
    for cells in rows:
        table.add_row(*cells)
    return table


def findings_table(found: list[StoredFinding]) -> Table:
    """Stored findings: status, severity, check, resource, since, first seen."""
    table = Table(show_edge=False, header_style="bold")
    for column in ("status", "severity", "check", "resource", "since", "first seen", "message"):
        table.add_column(column)
    for f in sorted(found, key=lambda f: (SEVERITIES.index(f.severity), f.check_id)):
        table.add_row(
            f.status,
            f.severity,
            escape(f.check_id),
            _name(f.resource_name, f.resource_id),
            f.status_since.strftime("%Y-%m-%d"),
            f.first_seen.strftime("%Y-%m-%d"),
            escape(clean_message(f.message or "")),
        )
    return table
