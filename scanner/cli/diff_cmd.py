"""``crmscan diff BEFORE.json AFTER.json`` or ``crmscan diff --target T``: what changed
between two scans, from two result files or from the posture store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from scanner.cli.options import clean_changes, stdout_console
from scanner.cli.store_options import read_store, store_option
from scanner.errors import EXIT_GATE_FAILED, EXIT_OK, ConfigError
from scanner.language.check_spec import SEVERITIES
from scanner.redact import redact
from scanner.results.diff import ScanDiff, diff_documents, incomparable
from scanner.results.loading import load_result
from scanner.sanitize import clean_document
from scanner.store.queries import diff_scans

SECTIONS = (
    ("new_failures", "New failures", "bold red"),
    ("new_errors", "Newly not collected (ERROR)", "magenta"),
    ("still_failing", "Still failing", "red"),
    ("fixed", "Fixed", "green"),
    ("resolved_errors", "Collected again", "green"),
)


def _print(diff: ScanDiff, title: str, before: str, after: str) -> None:
    console = stdout_console()
    console.print(f"[bold]crmscan diff[/] {escape(title)}: {before[:19]} → {after[:19]}")
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
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["console", "json"]), default="console")
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default="low",
    show_default=True,
    help="Exit 1 when a new, non-excepted FAIL has this severity or higher.",
)
@click.option(
    "--target",
    default=None,
    metavar="NAME",
    help="From the store: this target's scans (name, tenant id or tenant name).",
)
@click.option(
    "--from",
    "from_scan",
    type=int,
    default=None,
    metavar="SCAN",
    help="From the store: the earlier scan id (default: the one before --to).",
)
@click.option(
    "--to",
    "to_scan",
    type=int,
    default=None,
    metavar="SCAN",
    help="From the store: the later scan id (default: the target's latest).",
)
@store_option
def diff_command(
    files: tuple[Path, ...],
    fmt: str,
    fail_on: str,
    target: str | None,
    from_scan: int | None,
    to_scan: int | None,
    store: str | None,
) -> None:
    """Compare two scans of the same tenant: new, fixed and still-failing findings.

    \b
    crmscan diff BEFORE.json AFTER.json          # two saved JSON results
    crmscan diff --target acme-prod              # the target's last two scans in the store
    crmscan diff --target acme-prod --from 12 --to 15
    """
    if files:
        if len(files) != 2 or target or from_scan or to_scan:
            raise ConfigError("give two result files (BEFORE AFTER), or --target for the store")
        old, new = load_result(files[0]), load_result(files[1])
        problem = incomparable(old, new)
        if problem is not None:
            raise ConfigError(problem)
        diff = diff_documents(old, new)
        tenant = clean_document(new["tenant"])
        title = str(tenant.get("name") or tenant.get("id"))
        when = (old["started_at"], new["started_at"])
    else:
        diff, title, when = _from_store(store, target, from_scan, to_scan)
    if fmt == "json":
        click.echo(redact(json.dumps(clean_document(diff.as_dict()), indent=2, ensure_ascii=False)))
    else:
        _print(clean_changes(diff), title, *when)
    code = EXIT_GATE_FAILED if diff.gate_failures(fail_on) else EXIT_OK
    click.get_current_context().exit(code)


def _from_store(
    store: str | None, target: str | None, from_scan: int | None, to_scan: int | None
) -> tuple[ScanDiff, str, tuple[str, str]]:
    with read_store(store) as opened:
        if target is None:
            known = [t["name"] for t in opened.targets()]
            if len(known) != 1:
                raise ConfigError(
                    "give two result files, or --target NAME to compare scans in the store "
                    f"(targets: {', '.join(known) or 'none yet'})"
                )
            target = known[0]
        name = opened.resolve_target(target)
        finished = [s for s in opened.scans(name) if s.state == "finished"]
        by_id = {s.id: s for s in finished}
        after = by_id.get(to_scan) if to_scan is not None else (finished[0] if finished else None)
        if after is None:
            raise ConfigError(f"no finished scan {to_scan or ''} of {name} in the store".strip())
        earlier = [s for s in finished if s.id < after.id]
        before = (
            by_id.get(from_scan) if from_scan is not None else (earlier[0] if earlier else None)
        )
        if before is None:
            raise ConfigError(f"no earlier finished scan of {name} to compare scan {after.id} with")
        diff = diff_scans(opened, before.id, after.id)
    return diff, name, (before.scanned_at.isoformat(), after.scanned_at.isoformat())


def register(group: click.Group) -> None:
    """Add ``diff`` to ``group``."""
    group.add_command(diff_command)
