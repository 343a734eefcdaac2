"""The ``crmscan`` command line. Subcommands live in one module each."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from scanner import __version__
from scanner.errors import EXIT_USAGE, CrmscanError
from scanner.redact import install_log_filter
from scanner.sanitize import clean_message


class CrmscanGroup(click.Group):
    """A click group that turns crmscan errors into a message and an exit code.

    A user error never prints a traceback; ``--debug`` shows one for bug reports.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CrmscanError as exc:
            click.echo(f"crmscan: error: {clean_message(str(exc))}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(
                f"crmscan: internal error: {type(exc).__name__}: {clean_message(str(exc))}\n"
                "Rerun with --debug for details and report it.",
                err=True,
            )
            ctx.exit(EXIT_USAGE)


@click.group(cls=CrmscanGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="crmscan")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, debug: bool) -> None:
    """crmscan: access-control and security-posture scanner for CRM platforms.

    Exit codes: 0 gate passed, 1 a FAIL at or above --fail-on, 2 usage, configuration or
    authentication error, 3 scan incomplete (ERROR findings) but the gate passed.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    install_log_filter()


def _register_commands() -> None:
    from scanner.cli import (
        checks_cmd,
        demo_cmd,
        diff_cmd,
        evidence_cmd,
        findings_cmd,
        frameworks_cmd,
        history_cmd,
        report_cmd,
        scan_cmd,
        validate_cmd,
        worker_cmd,
    )

    for module in (
        scan_cmd,
        demo_cmd,
        report_cmd,
        diff_cmd,
        history_cmd,
        findings_cmd,
        checks_cmd,
        frameworks_cmd,
        validate_cmd,
        evidence_cmd,
        worker_cmd,
    ):
        module.register(cli)


_register_commands()


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="crmscan")
