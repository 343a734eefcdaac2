"""``crmscan demo``: scan a bundled sample org, offline."""

from __future__ import annotations

import dataclasses

import click

from scanner import pipeline
from scanner.adapter_api import ADAPTERS
from scanner.cli.options import ReportRequest, evaluate_and_report, report_options, stderr_console
from scanner.cli.progress import RichProgress

DEFAULT_DEMO_PLATFORM = "salesforce"


def _demo_platforms() -> list[str]:
    return [name for name, adapter in ADAPTERS if adapter.has_demo()]


@click.command("demo")
@click.option(
    "--platform",
    default=DEFAULT_DEMO_PLATFORM,
    show_default=True,
    metavar="NAME",
    help="Whose sample org to scan (every adapter that ships one).",
)
@report_options
def demo_command(platform: str, report: ReportRequest) -> None:
    """Scan a bundled sample org offline and report its findings.

    The sample org is collected through the platform adapter's own code path, replaying
    recorded API responses, so nothing leaves this machine. Without --platform it is
    "Acme Outfitters", a Salesforce org. Writes a JSON report to --out (default
    ./crmscan-report) unless --format says otherwise. Exits 0 unless --fail-on is given
    explicitly.
    """
    ctx = click.get_current_context()
    policy = report.policy()
    console = stderr_console()
    console.print(
        f"crmscan demo: scanning the bundled sample org through the {platform} adapter (offline)",
        highlight=False,
    )
    with RichProgress(console) as progress:
        inventory = pipeline.collect_demo(
            platform, policy, progress, capture_raw=report.evidence is not None
        )
    if "json" not in report.formats.split(","):
        report = dataclasses.replace(report, formats=report.formats + ",json")
    code = evaluate_and_report(inventory, policy, report)
    explicit_gate = ctx.get_parameter_source("fail_on") is not click.core.ParameterSource.DEFAULT
    if not explicit_gate:
        console.print(
            f"The demo exits 0 whatever it finds (a scan would exit {code}); "
            "pass --fail-on SEVERITY to get the gate's exit code.",
            soft_wrap=True,
        )
    ctx.exit(code if explicit_gate else 0)


def register(group: click.Group) -> None:
    """Add ``demo`` to ``group``."""
    for param in demo_command.params:
        if param.name == "platform" and isinstance(param, click.Option):
            param.help = f"Whose sample org to scan: {', '.join(_demo_platforms())}."
    group.add_command(demo_command)
