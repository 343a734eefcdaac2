"""``crmscan history [TARGET]``: scans over time from the posture store; ``--import DIR``."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.markup import escape

from scanner.cli.options import stderr_console, stdout_console
from scanner.cli.store_options import read_store, store_option
from scanner.cli.store_output import scans_table
from scanner.redact import redact
from scanner.store import open_store
from scanner.store.importer import import_history
from scanner.store.location import describe


@click.command("history")
@click.argument("target", required=False)
@store_option
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Show this many most recent scans.",
)
@click.option("--format", "fmt", type=click.Choice(["console", "json"]), default="console")
@click.option(
    "--import",
    "import_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    metavar="DIR",
    help="Import the JSON results of a --history DIR folder into the store, oldest first "
    "(each tenant folder becomes a target; results already stored are skipped).",
)
def history_command(
    target: str | None, store: str | None, limit: int, fmt: str, import_dir: Path | None
) -> None:
    """Scans over time: counts by status and severity and the posture score trend.

    \b
    crmscan history                      # every target's latest scans
    crmscan history salesforce:00D5g000004abcd --limit 50
    crmscan history --import ./history   # move a --history folder into the store
    """
    if import_dir is not None:
        with open_store(store or None) as opened:
            report = import_history(opened, import_dir)
        notes = stderr_console()
        for path, why in report.skipped:
            notes.print(f"skipped {escape(str(path))}: {escape(why)}", highlight=False)
        click.echo(
            f"imported {report.imported} result(s) of {len(report.targets)} target(s) from "
            f"{import_dir} into {describe(opened.location)}; the folder is unchanged "
            f"(record further scans with --store instead of --history)"
        )
        return
    with read_store(store) as opened:
        name = opened.resolve_target(target) if target else None
        scans = opened.scans(name, limit=limit)
    if fmt == "json":
        rows = [
            {
                "id": s.id,
                "target": s.target,
                "state": s.state,
                "scanned_at": s.scanned_at.isoformat(),
                "outcome": s.outcome,
                "score": s.score,
                "by_status": s.by_status,
                "by_severity": s.by_severity,
                "policy_digest": s.policy_digest,
                "check_digest": s.check_digest,
                "tool_version": s.tool_version,
                "error": s.error,
            }
            for s in scans
        ]
        click.echo(redact(json.dumps(rows, indent=2, ensure_ascii=False)))
        return
    console = stdout_console()
    if not scans:
        console.print("No scans in the store yet.")
        return
    shown = sorted({s.target for s in scans})
    console.print(
        f"Scans of {escape(', '.join(shown))} in {escape(describe(opened.location))}",
        highlight=False,
    )
    console.print(scans_table(scans))
    scores = [s.score for s in sorted(scans, key=lambda s: s.id) if s.score is not None]
    if name is not None and len(scores) > 1:
        console.print(
            f"Posture score: {scores[0]:g} → {scores[-1]:g} ({scores[-1] - scores[0]:+.1f}) "
            f"over {len(scores)} scans"
        )


def register(group: click.Group) -> None:
    """Add ``history`` to ``group``."""
    group.add_command(history_command)
