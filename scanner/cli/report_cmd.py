"""``crmscan report RESULT.json``: render a saved result document again.

The saved native JSON result is validated against the result schema first, so a damaged
or hand-edited file is refused with its file, line and field (exit 2). Every format
renders from the document alone, so the output equals what the scan would have written.

With ``--framework NAME`` it writes the auditor's report instead (html, csv, md): per
requirement of the framework its status, checks, failing and excepted resources,
attestations and proof locations in the evidence bundle (docs/auditor-report.md).
"""

from __future__ import annotations

from pathlib import Path

import click

from scanner.cli.options import (
    STDOUT,
    checks_dir_option,
    indent_option,
    parse_formats,
    stderr_console,
    stdout_console,
)
from scanner.errors import ConfigError
from scanner.outputs import render_report, write_report
from scanner.outputs.console import print_result
from scanner.pipeline import DEFAULT_OUT
from scanner.reports.run import audit_reports
from scanner.reports.writers import audit_formats, render_audit, write_audit
from scanner.results.loading import load_result
from scanner.sanitize import clean_document


@click.command("report")
@click.argument("result", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "formats",
    default="console",
    show_default=True,
    metavar="F[,F]",
    help="Formats to render, comma-separated: console, json, csv, ocsf, sarif, junit, md, html.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=None,
    help=f"Folder for report files (default: ./{DEFAULT_OUT}); '-' prints one format.",
)
@click.option("--all-findings", is_flag=True, help="List every finding on the console.")
@click.option(
    "--framework",
    "framework_names",
    multiple=True,
    metavar="NAME",
    help="Write the auditor's report of this framework (repeatable) in html, csv, md "
    "(all three unless --format names some).",
)
@click.option(
    "--evidence",
    type=click.Path(path_type=Path),
    default=None,
    help="With --framework: the scan's evidence bundle (folder or archive) to check proof "
    "locations against.",
)
@click.option(
    "--policy",
    "policy_ref",
    default=None,
    metavar="NAME|FILE",
    help="With --framework: the policy that judged the scan (same digest), whose "
    "attestations 'FRAMEWORK:REQUIREMENT' close manual requirements.",
)
@checks_dir_option
@indent_option
def report_command(
    result: Path,
    formats: str,
    out_dir: Path | None,
    all_findings: bool,
    framework_names: tuple[str, ...],
    evidence: Path | None,
    policy_ref: str | None,
    check_dirs: tuple[Path, ...],
    indent: bool,
) -> None:
    """Render the saved result RESULT (a crmscan JSON result) in other formats.

    Example: crmscan report crmscan-report/crmscan-results.json --format html,sarif

    Auditor's report: crmscan report RESULT --framework gdpr --format html,csv,md
    """
    if framework_names:
        _audit(result, formats, out_dir, framework_names, evidence, policy_ref, check_dirs)
        return
    if evidence is not None or policy_ref is not None:
        raise ConfigError("--evidence and --policy go with --framework (the auditor's report)")
    names = parse_formats(formats)
    files = [n for n in names if n != "console"]
    if out_dir == STDOUT and (len(files) != 1 or "console" in names):
        raise ConfigError("--out - writes exactly one report format to standard output")
    # A result file is data entering crmscan again: redacted and neutralised once, here.
    document = clean_document(load_result(result))
    if out_dir == STDOUT:
        click.echo(render_report(document, files[0], cleaned=True, indent=indent), nl=False)
        return
    if "console" in names:
        print_result(document, stdout_console(), limit=0 if all_findings else 15)
    notes = stderr_console()
    target = out_dir or DEFAULT_OUT
    for name in files:
        path = write_report(document, name, target, cleaned=True, indent=indent)
        notes.print(f"wrote {path}", highlight=False)


def _audit(
    result: Path,
    formats: str,
    out_dir: Path | None,
    framework_names: tuple[str, ...],
    evidence: Path | None,
    policy_ref: str | None,
    check_dirs: tuple[Path, ...],
) -> None:
    """Write the auditor's report of each framework in each format asked for."""
    chosen = audit_formats(parse_formats("html,csv,md" if formats == "console" else formats))
    if out_dir == STDOUT and len(chosen) * len(framework_names) != 1:
        raise ConfigError("--out - writes exactly one framework in one format to standard output")
    reports = audit_reports(result, framework_names, check_dirs, evidence, policy_ref)
    if out_dir == STDOUT:
        click.echo(render_audit(reports[0], chosen[0]), nl=False)
        return
    notes = stderr_console()
    for report in reports:
        for fmt in chosen:
            path = write_audit(report, fmt, out_dir or DEFAULT_OUT)
            notes.print(f"wrote {path}", highlight=False)
        counts = ", ".join(f"{n} {s}" for s, n in report.summary.items() if n)
        notes.print(f"{report.framework.id}: {counts}", highlight=False)


def register(group: click.Group) -> None:
    """Add ``report`` to ``group``."""
    group.add_command(report_command)
