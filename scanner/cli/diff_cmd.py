"""``crmscan diff BEFORE.json AFTER.json``: what changed between two scans."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from scanner.cli.options import clean_changes, stdout_console
from scanner.errors import EXIT_GATE_FAILED, EXIT_OK, ConfigError
from scanner.language.check_spec import SEVERITIES
from scanner.redact import redact
from scanner.results.diff import ScanDiff, diff_documents, incomparable
from scanner.results.loading import load_result
from scanner.sanitize import clean_document

SECTIONS = (
    ("new_failures", "New failures", "bold red"),
    ("new_errors", "Newly not collected (ERROR)", "magenta"),
    ("still_failing", "Still failing", "red"),
    ("fixed", "Fixed", "green"),
    ("resolved_errors", "Collected again", "green"),
)


def _print(diff: ScanDiff, before: dict[str, Any], after: dict[str, Any]) -> None:
    console = stdout_console()
    tenant = after["tenant"]
    console.print(
        f"[bold]crmscan diff[/] {escape(str(tenant.get('name') or tenant.get('id')))}: "
        f"{before['started_at'][:19]} → {after['started_at'][:19]}"
    )
    for name, title, style in SECTIONS:
        items: list[dict[str, Any]] = getattr(diff, name)
        console.print(f"\n[{style}]{title}: {len(items)}[/]")
        shown = items if name != "still_failing" else items[:20]
        for finding in sorted(shown, key=lambda f: SEVERITIES.index(f["severity"])):
            resource = finding["resource"].get("name") or finding["resource"].get("id")
            console.print(
                f"  {finding['severity']:<8} {finding['check_id']:<9} {escape(str(resource))}: "
                f"{escape(finding['message'])}",
                highlight=False,
            )
        if len(shown) < len(items):
            console.print(f"  ... and {len(items) - len(shown)} more")


@click.command("diff")
@click.argument("before", type=click.Path(path_type=Path))
@click.argument("after", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["console", "json"]), default="console")
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default="low",
    show_default=True,
    help="Exit 1 when a new, non-excepted FAIL has this severity or higher.",
)
def diff_command(before: Path, after: Path, fmt: str, fail_on: str) -> None:
    """Compare two JSON results of the same tenant: new, fixed and still-failing findings."""
    old, new = load_result(before), load_result(after)
    problem = incomparable(old, new)
    if problem is not None:
        raise ConfigError(problem)
    diff = diff_documents(old, new)
    if fmt == "json":
        click.echo(redact(json.dumps(clean_document(diff.as_dict()), indent=2, ensure_ascii=False)))
    else:
        _print(clean_changes(diff), clean_document(old), clean_document(new))
    code = EXIT_GATE_FAILED if diff.gate_failures(fail_on) else EXIT_OK
    click.get_current_context().exit(code)


def register(group: click.Group) -> None:
    """Add ``diff`` to ``group``."""
    group.add_command(diff_command)
