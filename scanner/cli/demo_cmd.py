"""``crmscan demo``: scan the bundled sample org, offline."""

from __future__ import annotations

import dataclasses

import click

from scanner.adapter_api import ADAPTERS
from scanner.cli.options import (
    ReportRequest,
    evaluate_and_report,
    report_options,
    stderr_console,
)
from scanner.cli.progress import RichProgress
from scanner.errors import ConfigError
from scanner.scan import collection_scope

DEMO_PLATFORM = "salesforce"


@click.command("demo")
@report_options
def demo_command(report: ReportRequest) -> None:
    """Scan the bundled sample org "Acme Outfitters" offline and report its findings.

    The sample org is collected through the Salesforce adapter's own code path, replaying
    recorded API responses, so nothing leaves this machine. Writes a JSON report to
    --out (default ./crmscan-report) unless --format says otherwise. Exits 0 unless
    --fail-on is given explicitly.
    """
    ctx = click.get_current_context()
    policy = report.policy()
    adapter = ADAPTERS.get(DEMO_PLATFORM).demo()
    if adapter is None:
        raise ConfigError(f"the {DEMO_PLATFORM} adapter ships no sample org")
    console = stderr_console()
    console.print(
        f"crmscan demo: scanning the bundled sample org through the {DEMO_PLATFORM} adapter"
        " (offline)"
    )
    with RichProgress(console) as progress:
        inventory = adapter.collect(collection_scope(policy), progress)
    if "json" not in report.formats.split(","):
        report = dataclasses.replace(report, formats=report.formats + ",json")
    code = evaluate_and_report(inventory, policy, report)
    explicit_gate = ctx.get_parameter_source("fail_on") is not click.core.ParameterSource.DEFAULT
    if not explicit_gate:
        console.print(
            f"The demo exits 0 whatever it finds (a scan would exit {code}); "
            "pass --fail-on SEVERITY to get the gate's exit code."
        )
    ctx.exit(code if explicit_gate else 0)


def register(group: click.Group) -> None:
    """Add ``demo`` to ``group``."""
    group.add_command(demo_command)
