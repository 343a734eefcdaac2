"""``crmscan report RESULT.json``: render a saved result document again.

The saved native JSON result is validated against the result schema first, so a damaged
or hand-edited file is refused with its file, line and field (exit 2). Every format
renders from the document alone, so the output equals what the scan would have written.
"""

from __future__ import annotations

from pathlib import Path

import click

from scanner.cli.options import (
    STDOUT,
    indent_option,
    parse_formats,
    stderr_console,
    stdout_console,
)
from scanner.errors import ConfigError
from scanner.outputs import render_report, write_report
from scanner.outputs.console import print_result
from scanner.pipeline import DEFAULT_OUT
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
@indent_option
def report_command(
    result: Path, formats: str, out_dir: Path | None, all_findings: bool, indent: bool
) -> None:
    """Render the saved result RESULT (a crmscan JSON result) in other formats.

    Example: crmscan report crmscan-report/crmscan-results.json --format html,sarif
    """
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


def register(group: click.Group) -> None:
    """Add ``report`` to ``group``."""
    group.add_command(report_command)
