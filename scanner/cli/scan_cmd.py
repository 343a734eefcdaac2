"""``crmscan scan``: collect from a platform (or load a snapshot), evaluate, report."""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import Any

import click

from scanner import pipeline
from scanner.adapter_api import ADAPTERS, AdapterOption
from scanner.cli.fleet_output import print_fleet_summary
from scanner.cli.options import (
    ReportRequest,
    evaluate_and_report,
    print_outcome,
    report_options,
    scan_request,
    stderr_console,
)
from scanner.cli.progress import RichProgress
from scanner.errors import ConfigError
from scanner.fleet.runner import FleetRun, TargetOutcome, fleet_exit_code, run_fleet
from scanner.fleet.targets import Fleet, Target, load_fleet
from scanner.language.policy import Policy
from scanner.model.inventory import Inventory
from scanner.notify import Notifier
from scanner.sanitize import clean_message


def _adapter_options() -> list[AdapterOption]:
    """Every registered adapter's options, once per name."""
    seen: dict[str, AdapterOption] = {}
    for _, adapter in ADAPTERS:
        for option in adapter.options:
            seen.setdefault(option.name, option)
    return list(seen.values())


def _shared_help(name: str) -> str:
    """The help of option ``name``; per platform when the adapters sharing it differ."""
    helps: dict[str, list[str]] = {}
    for platform, adapter in ADAPTERS:
        for option in adapter.options:
            if option.name == name:
                helps.setdefault(option.help, []).append(platform)
    if len(helps) == 1:
        return next(iter(helps))
    return "; ".join(f"{'/'.join(platforms)}: {text}" for text, platforms in helps.items())


def _click_option(option: AdapterOption) -> click.Option:
    flag = "--" + option.name.replace("_", "-")
    envs = sorted(
        {o.envvar for _, a in ADAPTERS for o in a.options if o.name == option.name and o.envvar}
    )
    help_text = _shared_help(option.name) + (f" [env: {', '.join(envs)}]" if envs else "")
    if option.is_flag:
        return click.Option([flag, option.name], is_flag=True, default=None, help=help_text)
    return click.Option([flag, option.name], default=None, help=help_text, metavar="VALUE")


def collect(
    platform: str,
    flags: dict[str, Any],
    policy: Policy,
    timeout: float | None = None,
    capture_raw: bool = False,
) -> Inventory:
    """Collect ``platform`` through the pipeline, showing progress on stderr.

    ``capture_raw``: keep the raw API responses for the evidence bundle (``--evidence``).
    """
    with RichProgress(stderr_console()) as progress:
        return pipeline.collect(
            platform, flags, policy, progress, timeout=timeout, capture_raw=capture_raw
        )


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
    "--config",
    "config",
    type=click.Path(path_type=Path),
    default=None,
    help="Scan every org in this targets file (credentials from the environment).",
)
@click.option(
    "--framework",
    default=None,
    metavar="NAME",
    help="Run the checks of this framework and report its status per requirement "
    "(see 'crmscan frameworks list').",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="SECONDS",
    help="End the collection after this many seconds: what is left becomes api_error "
    "gaps (ERROR findings) and the scan reports instead of waiting on a hung CRM. "
    "With --config, per target (a target's own 'timeout' wins).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1, max=64),
    default=1,
    show_default=True,
    metavar="N",
    help="With --config: scan up to N targets at the same time (never one target twice).",
)
@report_options
def scan_command(
    platform: str | None,
    snapshot: Path | None,
    config: Path | None,
    framework: str | None,
    timeout: float | None,
    jobs: int,
    report: ReportRequest,
    **adapter_flags: Any,
) -> None:
    """Scan a CRM org (or a saved snapshot) and report findings.

    \b
    crmscan scan --platform salesforce --instance-url URL --access-token TOKEN
    crmscan scan --platform hubspot --access-token TOKEN
    crmscan scan --platform zoho --client-id ID --client-secret S --refresh-token T
    crmscan scan --platform dynamics --environment-url URL --tenant-id T --client-id C ...
    crmscan scan --snapshot inventory.json --fail-on high
    crmscan scan --snapshot inventory.json --framework pci-dss --policy strict
    crmscan scan --config targets.yaml --out reports/ --jobs 4
    """
    ctx = click.get_current_context()
    if jobs != 1 and config is None:
        raise ConfigError("--jobs scans several targets: give --config FILE too")
    if sum(x is not None for x in (platform, snapshot, config)) != 1:
        raise ConfigError("give exactly one of --platform NAME, --snapshot FILE or --config FILE")
    if config is not None:
        ctx.exit(scan_targets(load_fleet(config), report, framework, timeout, jobs))
    policy = report.policy()
    if snapshot is not None:
        inventory = pipeline.load_inventory(snapshot)
    else:
        assert platform is not None
        inventory = collect(
            platform, adapter_flags, policy, timeout, capture_raw=report.evidence is not None
        )
    ctx.exit(evaluate_and_report(inventory, policy, report, framework))


def scan_targets(
    fleet: Fleet,
    report: ReportRequest,
    framework: str | None,
    timeout: float | None = None,
    jobs: int = 1,
) -> int:
    """Scan each target into its own report folder, ``jobs`` at a time; print one summary
    row per target. Exit code: `scanner.fleet.runner.fleet_exit_code`."""
    notes = stderr_console()
    base = report.out_dir or pipeline.DEFAULT_OUT
    notifier = Notifier(fleet.notify, os.environ) if fleet.notify else None
    if notifier is not None:
        problems = notifier.problems()
        if problems:
            raise ConfigError("; ".join(problems))

    def target_report(target: Target) -> ReportRequest:
        chosen = dataclasses.replace(report, out_dir=base / target.name)
        if target.policy:
            chosen = dataclasses.replace(chosen, policy_ref=target.policy)
        return chosen

    def done(result: TargetOutcome) -> None:
        notes.rule(f"{result.target.name} ({result.target.platform})")
        if result.outcome is not None:
            print_outcome(result.outcome, target_report(result.target))
        else:
            notes.print(
                f"crmscan: {result.target.name}: error: {clean_message(result.error or '')}",
                highlight=False,
                markup=False,
            )
        for sent in result.notified:
            if not sent.ok:
                notes.print(
                    f"crmscan: {result.target.name}: webhook {sent.variable} not delivered "
                    f"after {sent.attempts} attempt(s): {clean_message(sent.error or '')}",
                    highlight=False,
                    markup=False,
                )

    if jobs > 1:
        notes.print(f"scanning {len(fleet.targets)} targets, {jobs} at a time", highlight=False)
    run = FleetRun(
        request_for=lambda t: scan_request(target_report(t), framework),
        jobs=jobs,
        timeout=timeout,
        on_done=done,
        notifier=notifier,
    )
    outcomes = run_fleet(fleet.targets, run)
    print_fleet_summary(outcomes, sys.stdout)
    return fleet_exit_code(outcomes)


def register(group: click.Group) -> None:
    """Add ``scan`` (with every adapter's options) to ``group``."""
    for option in _adapter_options():
        scan_command.params.append(_click_option(option))
    platforms = ", ".join(ADAPTERS.names()) or "none installed"
    for param in scan_command.params:
        if param.name == "platform" and isinstance(param, click.Option):
            param.help = f"Platform to scan: {platforms}."
    group.add_command(scan_command)
