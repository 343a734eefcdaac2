"""``crmscan findings``: query the findings kept in the posture store."""

from __future__ import annotations

import json
from datetime import date, datetime

import click

from scanner.cli.options import stdout_console
from scanner.cli.store_options import read_store, store_option
from scanner.cli.store_output import findings_table
from scanner.errors import ConfigError
from scanner.language.check_spec import SEVERITIES
from scanner.redact import redact
from scanner.store.queries import current_findings

STATUSES = ("FAIL", "ERROR", "MANUAL", "PASS", "NOT_APPLICABLE", "ABSENT")


@click.command("findings")
@click.option(
    "--target",
    default=None,
    metavar="NAME",
    help="Target name, tenant id or tenant name (default: the only target).",
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(STATUSES),
    help="Only this status (repeatable). ABSENT: gone from a later scan.",
)
@click.option(
    "--severity",
    "severities",
    multiple=True,
    type=click.Choice(SEVERITIES),
    help="Only this severity (repeatable).",
)
@click.option(
    "--new-since",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    metavar="DATE",
    help="Only findings whose current status began on or after DATE (YYYY-MM-DD).",
)
@click.option(
    "--expiring-within",
    type=click.IntRange(min=0),
    default=None,
    metavar="DAYS",
    help="Only findings under a policy exception that expires within DAYS (or has expired).",
)
@click.option("--format", "fmt", type=click.Choice(["console", "json"]), default="console")
@store_option
def findings_command(
    target: str | None,
    statuses: tuple[str, ...],
    severities: tuple[str, ...],
    new_since: datetime | None,
    expiring_within: int | None,
    fmt: str,
    store: str | None,
) -> None:
    """Findings of a target as the store knows them: status, since when, first seen.

    \b
    crmscan findings --target acme-prod --status FAIL --new-since 2026-11-01
    crmscan findings --status FAIL --severity critical --severity high --format json
    crmscan findings --expiring-within 14
    """
    with read_store(store) as opened:
        if target is not None:
            name = opened.resolve_target(target)
        else:
            known = [t["name"] for t in opened.targets()]
            if len(known) != 1:
                raise ConfigError(
                    f"the store has {len(known)} targets: name one with --target "
                    f"({', '.join(known) or 'none yet'})"
                )
            name = known[0]
        found = current_findings(
            opened,
            name,
            statuses,
            severities,
            new_since.date() if new_since else None,
            expiring_within,
            date.today(),
        )
    if fmt == "json":
        click.echo(redact(json.dumps([f.as_dict() for f in found], indent=2, ensure_ascii=False)))
        return
    console = stdout_console()
    console.print(f"{len(found)} finding(s) of {name}")
    if found:
        console.print(findings_table(found))


def register(group: click.Group) -> None:
    """Add ``findings`` to ``group``."""
    group.add_command(findings_command)
