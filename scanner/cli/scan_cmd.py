"""``crmscan scan``: collect from a platform (or load a snapshot), evaluate, report."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from scanner.adapter_api import ADAPTERS, AdapterOption
from scanner.cli.options import (
    ReportRequest,
    evaluate_and_report,
    report_options,
    stderr_console,
)
from scanner.cli.progress import RichProgress
from scanner.errors import ConfigError
from scanner.inventory import Inventory
from scanner.policy import Policy
from scanner.scan import collection_scope
from scanner.snapshot import load_snapshot


def _adapter_options() -> list[AdapterOption]:
    """Every registered adapter's options, once per name."""
    seen: dict[str, AdapterOption] = {}
    for _, adapter in ADAPTERS:
        for option in adapter.options:
            seen.setdefault(option.name, option)
    return list(seen.values())


def _click_option(option: AdapterOption) -> click.Option:
    flag = "--" + option.name.replace("_", "-")
    envs = sorted(
        {o.envvar for _, a in ADAPTERS for o in a.options if o.name == option.name and o.envvar}
    )
    help_text = option.help + (f" [env: {', '.join(envs)}]" if envs else "")
    if option.is_flag:
        return click.Option([flag, option.name], is_flag=True, default=None, help=help_text)
    return click.Option([flag, option.name], default=None, help=help_text, metavar="VALUE")


def collect(platform: str, flags: dict[str, Any], policy: Policy) -> Inventory:
    """Run the ``platform`` adapter with credentials from ``flags`` and the environment."""
    adapter_class = ADAPTERS.get(platform)
    values = {k: (None if v is None else str(v)) for k, v in flags.items()}
    settings = adapter_class.settings_from(values, os.environ)
    adapter = adapter_class(settings)
    scope = collection_scope(policy, settings.get("health_check_baseline"))
    with RichProgress(stderr_console()) as progress:
        return adapter.collect(scope, progress)


@click.command("scan")
@click.option(
    "--platform", default=None, metavar="NAME", help="Platform to scan (see --help for options)."
)
@click.option(
    "--snapshot",
    type=click.Path(path_type=Path),
    default=None,
    help="Evaluate a saved inventory offline instead of collecting.",
)
@click.option(
    "--framework",
    default=None,
    metavar="NAME",
    help="Run the checks of this framework and report its status per requirement "
    "(see 'crmscan frameworks list').",
)
@report_options
def scan_command(
    platform: str | None,
    snapshot: Path | None,
    framework: str | None,
    report: ReportRequest,
    **adapter_flags: Any,
) -> None:
    """Scan a CRM org (or a saved snapshot) and report findings.

    \b
    crmscan scan --platform salesforce --instance-url URL --access-token TOKEN
    crmscan scan --platform hubspot --access-token TOKEN
    crmscan scan --snapshot inventory.json --fail-on high
    crmscan scan --snapshot inventory.json --framework pci-dss --policy strict
    """
    if (platform is None) == (snapshot is None):
        raise ConfigError("give exactly one of --platform NAME or --snapshot FILE")
    policy = report.policy()
    if snapshot is not None:
        inventory = load_snapshot(snapshot)
    else:
        assert platform is not None
        inventory = collect(platform, adapter_flags, policy)
    code = evaluate_and_report(inventory, policy, report, framework)
    click.get_current_context().exit(code)


def register(group: click.Group) -> None:
    """Add ``scan`` (with every adapter's options) to ``group``."""
    for option in _adapter_options():
        scan_command.params.append(_click_option(option))
    platforms = ", ".join(ADAPTERS.names()) or "none installed"
    for param in scan_command.params:
        if param.name == "platform" and isinstance(param, click.Option):
            param.help = f"Platform to scan: {platforms}."
    group.add_command(scan_command)
