"""``crmscan frameworks list`` and ``crmscan frameworks show NAME``."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from scanner.cli.options import checks_dir_option, stdout_console
from scanner.language.check_spec import load_checks
from scanner.language.frameworks import Framework, find_framework, load_frameworks


def frameworks_for(check_dirs: tuple[Path, ...]) -> dict[str, Framework]:
    """Shipped frameworks plus those in the extra checks folders, validated against checks."""
    return load_frameworks(load_checks(check_dirs), check_dirs)


@click.group("frameworks")
def frameworks_group() -> None:
    """List compliance frameworks and the checks that evidence each requirement."""


@frameworks_group.command("list")
@checks_dir_option
def list_frameworks(check_dirs: tuple[Path, ...]) -> None:
    """List the frameworks with how many requirements are automated or manual."""
    frameworks = frameworks_for(check_dirs)
    table = Table(box=None, pad_edge=False, show_edge=False)
    # The numbers stay on one line; the name (with its version) takes what width is left.
    table.add_column("ID", no_wrap=True)
    table.add_column("NAME", overflow="fold", ratio=1)
    for column in ("REQS", "AUTO", "MANUAL", "CHECKS"):
        table.add_column(column, justify="right", no_wrap=True)
    for framework in sorted(frameworks.values(), key=lambda f: f.id):
        manual = len(framework.manual_requirements())
        total = len(framework.requirements)
        table.add_row(
            framework.id,
            escape(f"{framework.name} ({framework.version})"),
            str(total),
            str(total - manual),
            str(manual),
            str(len(framework.check_ids())),
        )
    console = stdout_console()
    console.print(table)
    console.print(f"{len(frameworks)} frameworks")


@frameworks_group.command("show")
@click.argument("name")
@checks_dir_option
def show_framework(name: str, check_dirs: tuple[Path, ...]) -> None:
    """Show every requirement of framework NAME and the checks that evidence it."""
    framework = find_framework(frameworks_for(check_dirs), name)
    console = stdout_console()
    console.print(
        f"[bold]{escape(framework.name)}[/] ({framework.id}, {escape(framework.version)})"
    )
    if framework.url:
        console.print(framework.url)
    if framework.description:
        console.print(escape(framework.description))
    table = Table(box=None, pad_edge=False, show_edge=False)
    for column in ("REQUIREMENT", "TITLE", "CHECKS"):
        table.add_column(column, overflow="fold")
    for requirement in framework.requirements:
        checks = ", ".join(requirement.checks) if requirement.checks else "MANUAL (no check)"
        table.add_row(requirement.id, escape(requirement.title), checks)
    console.print()
    console.print(table)
    manual = len(framework.manual_requirements())
    console.print(
        f"\n{len(framework.requirements)} requirements: {len(framework.requirements) - manual} "
        f"evidenced by {len(framework.check_ids())} checks, {manual} manual. "
        f"Run them: crmscan scan --framework {framework.id} ..."
    )


def register(group: click.Group) -> None:
    """Add ``frameworks`` to ``group``."""
    group.add_command(frameworks_group)
