"""``crmscan checks list`` and ``crmscan checks show ID``."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from scanner.adapter_api import ADAPTERS
from scanner.cli.options import checks_dir_option, stdout_console
from scanner.engine.support import check_support
from scanner.errors import ConfigError
from scanner.language.check_spec import SEVERITIES, SEVERITY_RANK, CheckSpec, load_checks
from scanner.language.compiler import compile_check
from scanner.language.frameworks import check_mappings, find_framework, load_frameworks
from scanner.language.policy import load_policy
from scanner.model.resources import RESOURCE_KINDS, field_table
from scanner.model.values import to_json
from scanner.outputs.console import emit


@click.group("checks")
def checks_group() -> None:
    """List and explain the checks."""


def _filtered(
    specs: dict[str, CheckSpec],
    platform: str | None,
    severity: str | None,
    framework_ids: set[str] | None = None,
) -> list[CheckSpec]:
    selected = sorted(specs.values(), key=lambda s: s.id)
    if framework_ids is not None:
        selected = [s for s in selected if s.id in framework_ids]
    if platform:  # a check without a platforms list covers every platform
        selected = [s for s in selected if not s.platforms or platform in s.platforms]
    if severity:
        selected = [s for s in selected if SEVERITY_RANK[s.severity] >= SEVERITY_RANK[severity]]
    return selected


@checks_group.command("list")
@click.option("--platform", default=None, help="Only checks whose data this platform provides.")
@click.option(
    "--severity", type=click.Choice(SEVERITIES), default=None, help="This severity or higher."
)
@click.option(
    "--framework",
    default=None,
    metavar="NAME",
    help="Only checks that evidence this framework (see 'crmscan frameworks list').",
)
@click.option(
    "--domain",
    default=None,
    metavar="DOMAIN",
    help="Only checks of this catalogue domain (AUTH, PRIV, ENC, INT, MON, GOV, DATA, ...).",
)
@checks_dir_option
def list_checks(
    platform: str | None,
    severity: str | None,
    framework: str | None,
    domain: str | None,
    check_dirs: tuple[Path, ...],
) -> None:
    """List the checks, with id, severity, platforms and title."""
    loaded = load_checks(check_dirs)
    if domain is not None:
        wanted = domain.strip().upper()
        loaded = {cid: spec for cid, spec in loaded.items() if spec.domain.upper() == wanted}
        if not loaded:
            known = sorted({spec.domain for spec in load_checks(check_dirs).values()})
            raise click.UsageError(f"no check in domain {domain!r}; domains: {', '.join(known)}")
    framework_ids: set[str] | None = None
    if framework is not None:
        chosen = find_framework(load_frameworks(loaded, check_dirs), framework)
        framework_ids = set(chosen.check_ids())
    specs = _filtered(loaded, platform, severity, framework_ids)
    table = Table(box=None, pad_edge=False, show_edge=False)
    for column in ("ID", "SEVERITY", "PLATFORMS", "TITLE"):
        table.add_column(column, overflow="fold")
    for spec in specs:
        table.add_row(spec.id, spec.severity, ",".join(spec.platforms) or "all", escape(spec.title))
    console = stdout_console()
    console.print(table)
    console.print(f"{len(specs)} checks")


@checks_group.command("show")
@click.argument("check_id")
@click.option("--policy", "policy_ref", default=None, help="Show parameter values of this policy.")
@checks_dir_option
def show_check(check_id: str, policy_ref: str | None, check_dirs: tuple[Path, ...]) -> None:
    """Explain one check: what it asserts, why, how to fix it, what it reads."""
    specs = load_checks(check_dirs)
    spec = specs.get(check_id.upper())
    if spec is None:
        raise ConfigError(f"no check {check_id!r} (see 'crmscan checks list')")
    policy = load_policy(policy_ref)
    compiled = compile_check(spec, policy, datetime.now(timezone.utc))
    console = stdout_console()
    console.print(f"[bold]{spec.id}[/]  {escape(spec.title)}")
    console.print(
        f"severity: {compiled.severity}   resource: {spec.resource}   "
        f"platforms: {', '.join(spec.platforms) or 'all'}"
    )
    console.print(f"file: {spec.path}")
    for heading, text in (
        ("Description", spec.description),
        ("Risk", spec.risk),
        ("Remediation", spec.remediation),
    ):
        if text:
            console.print(f"\n[bold]{heading}[/]\n{escape(text.strip())}")
    console.print("\n[bold]Platforms[/] (how the check runs on each, before scanning)")
    for name, adapter in ADAPTERS:
        support = check_support(compiled, name, adapter.capabilities)
        detail = f": {escape(support.detail)}" if support.detail else ""
        emit(console, f"  [bold]{escape(name)}[/] {support.mode}{detail}", hanging=4)
    console.print(f"\n[bold]Requires[/] {', '.join(compiled.requires)}")
    console.print(f"[bold]Reads fields[/] {', '.join(compiled.fields) or '-'}")
    if compiled.parameters:
        console.print(f"\n[bold]Policy parameters[/] (policy {policy.name})")
        for name, value in compiled.parameters.items():
            console.print(f"  {name} = {escape(str(to_json(value)))}")
    mapped = check_mappings(load_frameworks(specs, check_dirs).values()).get(spec.id, [])
    console.print("\n[bold]Frameworks[/]" + ("" if mapped else " none"))
    for entry in mapped:
        console.print(
            f"  {entry['framework']} {escape(entry['requirement'])}: {escape(entry['title'])}"
        )
    if spec.references:
        console.print("\n[bold]References[/]")
        for ref in spec.references:
            if isinstance(ref, dict):
                console.print(
                    f"  - {escape(ref['title'])}" + (f" <{ref['url']}>" if ref.get("url") else "")
                )
            else:
                console.print(f"  - {escape(str(ref))}")


@checks_group.command("fields")
@click.argument("resource", required=False, type=click.Choice(sorted(RESOURCE_KINDS)))
def list_fields(resource: str | None) -> None:
    """The fields a check can read, per resource (default: every resource).

    Use them as `field:` in where/assert and as {placeholders} in messages. A field that
    was not collected is null, and a check reading it reports ERROR.
    """
    console = stdout_console()
    for name in [resource] if resource else sorted(RESOURCE_KINDS):
        kind = RESOURCE_KINDS[name]
        console.print(f"[bold]resource: {name}[/]  ({kind.model.__name__})")
        table = Table(box=None, pad_edge=False, show_edge=False, show_header=False)
        table.add_column("field", no_wrap=True)
        table.add_column("type", overflow="fold")
        rows = field_table(kind.model)
        if name == "tenant":  # the whole inventory: only its top-level sections
            rows = [row for row in rows if row[0].count(".") <= 1]
        for path, type_name, _ in rows:
            table.add_row(f"  {path}", escape(type_name))
        console.print(table)


def register(group: click.Group) -> None:
    """Add ``checks`` to ``group``."""
    group.add_command(checks_group)
