"""Options shared by ``scan`` and ``demo``; printing what the scan pipeline produced."""

from __future__ import annotations

import dataclasses
import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar, cast

import click
from rich.console import Console

from scanner.cli.store_output import print_delta
from scanner.errors import ConfigError
from scanner.language.check_spec import SEVERITIES
from scanner.language.policy import Policy, load_policy
from scanner.model.inventory import Inventory
from scanner.outputs import FORMATS, render_report
from scanner.outputs.console import print_changes, print_result
from scanner.pipeline import DEFAULT_OUT, ScanOutcome, ScanRequest, run_scan
from scanner.results.diff import ScanDiff
from scanner.sanitize import clean_document

F = TypeVar("F", bound=Callable[..., Any])
STDOUT = Path("-")


@dataclass(frozen=True)
class ReportRequest:
    """What the user asked to evaluate and report, from the shared options."""

    policy_ref: str | None
    check_ids: tuple[str, ...]
    check_dirs: tuple[Path, ...]
    formats: str
    out_dir: Path | None
    fail_on: str
    save_snapshot: Path | None
    all_findings: bool
    evidence: Path | None
    evidence_key: Path | None
    history: Path | None
    store: str | None
    fail_on_new: str | None
    as_of: datetime | None = None
    full_pass: bool = False
    indent: bool = False

    def policy(self) -> Policy:
        """The policy named on the command line (default: baseline)."""
        return load_policy(self.policy_ref)


REPORT_FIELDS = tuple(f.name for f in dataclasses.fields(ReportRequest))


checks_dir_option = click.option(
    "--checks-dir",
    "check_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Also load your own checks (and DIR/frameworks/*.yaml) from this folder (repeatable).",
)


class Timestamp(click.ParamType):  # type: ignore[type-arg]
    """An ISO 8601 timestamp; a date is its midnight UTC, a time without zone is UTC."""

    name = "TIMESTAMP"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            self.fail(f"{text!r} is not an ISO 8601 timestamp (e.g. 2026-11-23T12:00:00Z)")
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        return parsed.astimezone(timezone.utc)


indent_option = click.option(
    "--indent", is_flag=True, help="Indent JSON report files (default: compact)."
)


def report_options(func: F) -> F:
    """Add --policy, --check, --checks-dir, --format, --out, --fail-on, --save-snapshot and
    --all-findings to a command, which receives them as one `ReportRequest` ``report``."""
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
        checks_dir_option,
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
            help=f"Folder for report files (default: ./{DEFAULT_OUT}); '-' prints one format.",
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
        click.option(
            "--evidence",
            type=click.Path(path_type=Path),
            default=None,
            help="Write an evidence bundle here: a folder, or one .zip / .tar.gz file "
            "(docs/evidence.md).",
        ),
        click.option(
            "--evidence-key",
            type=click.Path(path_type=Path),
            default=None,
            envvar="CRMSCAN_EVIDENCE_KEY",
            help="Sign the evidence statement with this Ed25519 private key (PEM) "
            "[env: CRMSCAN_EVIDENCE_KEY].",
        ),
        click.option(
            "--history",
            type=click.Path(path_type=Path),
            default=None,
            help="Keep each result here per tenant and show what changed since the last scan "
            "(see also --store; 'crmscan history --import DIR' moves such a folder into a store).",
        ),
        click.option(
            "--store",
            default=None,
            metavar="PATH|URL",
            envvar="CRMSCAN_STORE",
            help="Record the scan in this posture store: a SQLite file or "
            "postgresql://USER@HOST/DB; shows new and fixed findings since the target's "
            "last scan. Scans are recorded only when --store or CRMSCAN_STORE is given "
            "[env: CRMSCAN_STORE].",
        ),
        click.option(
            "--fail-on-new",
            type=click.Choice(SEVERITIES),
            default=None,
            help="Exit 1 only for FAILs at or above this severity that were not failing in "
            "the previous scan of the target (needs --store or --history; replaces "
            "--fail-on's gate).",
        ),
        click.option(
            "--as-of",
            type=Timestamp(),
            default=None,
            help="Judge the data as of this time (ISO 8601, e.g. 2026-11-23T12:00:00Z): "
            "stale windows, key ages, exception and attestation expiry. Default: now.",
        ),
        click.option(
            "--full-pass",
            is_flag=True,
            help="Keep every PASS verdict in full in the result (default: per check, the "
            "resources that passed).",
        ),
        indent_option,
    ]

    @functools.wraps(func)
    def gather(*args: Any, **kwargs: Any) -> Any:
        fields = {name: kwargs.pop(name) for name in REPORT_FIELDS}
        return func(*args, report=ReportRequest(**fields), **kwargs)

    wrapped: Any = gather
    for option in reversed(options):
        wrapped = option(wrapped)
    return cast(F, wrapped)


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


def scan_request(report: ReportRequest, framework: str | None = None) -> ScanRequest:
    """The pipeline's request for what the shared options asked (files only, no console)."""
    files = tuple(n for n in parse_formats(report.formats) if n != "console")
    return ScanRequest(
        policy_ref=report.policy_ref,
        check_ids=report.check_ids,
        check_dirs=report.check_dirs,
        framework=framework,
        formats=() if report.out_dir == STDOUT else files,
        out_dir=DEFAULT_OUT if report.out_dir in (None, STDOUT) else Path(report.out_dir),
        fail_on=report.fail_on,
        save_snapshot=report.save_snapshot,
        evidence=report.evidence,
        evidence_key=report.evidence_key,
        history=report.history,
        now=report.as_of,
        full_pass=report.full_pass,
        indent=report.indent,
        store=report.store or None,
        fail_on_new=report.fail_on_new,
    )


def clean_changes(changes: ScanDiff) -> ScanDiff:
    """``changes`` with CRM text redacted and neutralised, for the terminal."""
    return ScanDiff(
        **{f.name: clean_document(getattr(changes, f.name)) for f in dataclasses.fields(changes)}
    )


def evaluate_and_report(
    inventory: Inventory, policy: Policy, report: ReportRequest, framework: str | None = None
) -> int:
    """Run the pipeline on ``inventory`` and print what it produced; returns the exit code.

    With ``framework``, only that framework's checks run (narrowed further by ``--check``)
    and the report carries its status per requirement.
    """
    names = parse_formats(report.formats)
    files = [n for n in names if n != "console"]
    if report.out_dir == STDOUT and (len(files) != 1 or "console" in names):
        raise ConfigError("--out - writes exactly one report format to standard output")
    outcome = run_scan(inventory, policy, scan_request(report, framework))
    print_outcome(outcome, report)
    return outcome.exit_code


def print_outcome(outcome: ScanOutcome, report: ReportRequest) -> None:
    """Print what the pipeline produced for ``report``: notes, changes, findings, files."""
    names = parse_formats(report.formats)
    files = [n for n in names if n != "console"]
    notes = stderr_console()
    if outcome.evidence_manifest is not None:
        notes.print(f"wrote evidence {outcome.evidence_manifest}", highlight=False)
    if outcome.delta is not None:
        out = stdout_console() if "console" in names else None
        print_delta(outcome.delta, outcome.document, report.store or "", notes, out)
    if outcome.history_path is not None:
        notes.print(f"stored {outcome.history_path}", highlight=False)
        if outcome.changes is not None and "console" in names:
            print_changes(clean_changes(outcome.changes), stdout_console())
    if "console" in names:
        limit = 0 if report.all_findings else 15
        print_result(clean_document(outcome.document), stdout_console(), limit=limit)
    if report.out_dir == STDOUT:
        text = render_report(outcome.document, files[0], cleaned=True, indent=report.indent)
        click.echo(text, nl=False)
    for path in outcome.written:
        notes.print(f"wrote {path}", highlight=False)
