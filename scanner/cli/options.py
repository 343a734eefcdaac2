"""Options shared by ``scan`` and ``demo``, and the evaluate-and-report step they share."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from scanner.check_spec import SEVERITIES
from scanner.errors import ConfigError
from scanner.inventory import Inventory
from scanner.outputs import FORMATS, write_report
from scanner.outputs.console import print_result
from scanner.policy import Policy, load_policy
from scanner.results import to_document
from scanner.scan import run_checks
from scanner.snapshot import save_snapshot

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_OUT = "crmscan-report"


def report_options(func: F) -> F:
    """Decorate a command with --policy, --check, --checks-dir, --format, --out, --fail-on."""
    options = [
        click.option(
            "--policy",
            "policy_ref",
            metavar="NAME|FILE",
            default=None,
            help="Policy pack: shipped name (baseline, strict) or YAML file. Default: baseline.",
        ),
        click.option(
            "--check",
            "check_ids",
            multiple=True,
            metavar="ID",
            help="Run only this check (repeatable; globs such as 'AUTH-*' allowed).",
        ),
        click.option(
            "--checks-dir",
            "check_dirs",
            multiple=True,
            type=click.Path(path_type=Path),
            help="Add your own check files from this folder (repeatable).",
        ),
        click.option(
            "--format",
            "formats",
            default="console",
            metavar="F[,F]",
            help="Output formats, comma-separated: console and "
            + ", ".join(n for n in _format_names() if n != "console")
            + ".",
        ),
        click.option(
            "--out",
            "out_dir",
            type=click.Path(path_type=Path),
            default=None,
            help=f"Folder for report files (default: ./{DEFAULT_OUT}).",
        ),
        click.option(
            "--fail-on",
            type=click.Choice(SEVERITIES),
            default="low",
            show_default=True,
            help="Exit 1 when a non-excepted FAIL has this severity or higher.",
        ),
        click.option(
            "--save-snapshot",
            type=click.Path(path_type=Path),
            default=None,
            help="Save the collected inventory to this file (no credentials).",
        ),
        click.option("--all-findings", is_flag=True, help="List every finding on the console."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _format_names() -> list[str]:
    return FORMATS.names()


def parse_formats(text: str) -> list[str]:
    """Split and check ``--format``."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    known = FORMATS.names()
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise ConfigError(
            f"unknown format(s) {', '.join(unknown) or text!r}; known: {', '.join(known)}"
        )
    return names


def stdout_console() -> Console:
    """The console findings are printed to (colour only on a terminal)."""
    return Console(file=sys.stdout, highlight=False)


def stderr_console() -> Console:
    """The console progress and notes are printed to."""
    return Console(file=sys.stderr, highlight=False)


def resolve_policy(policy_ref: str | None) -> Policy:
    """The policy named on the command line."""
    return load_policy(policy_ref)


def evaluate_and_report(
    inventory: Inventory,
    policy: Policy,
    check_ids: tuple[str, ...],
    check_dirs: tuple[Path, ...],
    formats: str,
    out_dir: Path | None,
    fail_on: str,
    save_snapshot_to: Path | None,
    all_findings: bool,
) -> int:
    """Evaluate, print and write the reports; returns the exit code for ``fail_on``."""
    names = parse_formats(formats)
    if save_snapshot_to is not None:
        save_snapshot(inventory, save_snapshot_to)
    result = run_checks(inventory, policy, check_ids, check_dirs)
    document = to_document(result, fail_on)
    if "console" in names:
        print_result(document, stdout_console(), limit=0 if all_findings else 15)
    files = [n for n in names if n != "console"]
    target = out_dir or Path(DEFAULT_OUT)
    notes = stderr_console()
    for name in files:
        path = write_report(document, name, target)
        notes.print(f"wrote {path}", highlight=False)
    return result.exit_code(fail_on)
