"""Printing a fleet run: one summary row per target, one line each (grep-able in logs)."""

from __future__ import annotations

from typing import TextIO

from scanner.fleet.runner import TargetOutcome
from scanner.sanitize import clean_message

COLUMNS = ("target", "platform", "outcome", "exit", "critical", "high", "other", "seconds")


def summary_rows(outcomes: list[TargetOutcome]) -> list[list[str]]:
    """Per target: name, platform, outcome, exit code, FAIL counts, seconds, note."""
    rows = []
    for o in outcomes:
        failing = o.failing
        other = sum(n for s, n in failing.items() if s not in ("critical", "high"))
        rows.append(
            [
                o.target.name,
                o.target.platform,
                o.status,
                str(o.exit_code),
                str(failing.get("critical", "-")),
                str(failing.get("high", "-")),
                str(other) if failing else "-",
                f"{o.seconds:.1f}",
                clean_message(o.error or "").replace("\n", " "),
            ]
        )
    return rows


def print_fleet_summary(outcomes: list[TargetOutcome], out: TextIO) -> None:
    """Print the summary table: a header, then exactly one line per target."""
    rows = summary_rows(outcomes)
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(COLUMNS)]
    header = [*COLUMNS, "note"]
    lines = [header, *rows]
    out.write("\n")
    for line in lines:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(line[: len(COLUMNS)])]
        out.write(("  ".join(cells) + "  " + line[-1]).rstrip() + "\n")
