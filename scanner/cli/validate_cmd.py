"""``crmscan validate FILE...``: check, policy and snapshot files."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import click

from scanner.documents import LoadedDocument, load_file
from scanner.errors import EXIT_USAGE, CrmscanError
from scanner.fleet.targets import load_fleet
from scanner.language.check_spec import load_checks, spec_from_document
from scanner.language.compiler import compile_check, compile_checks
from scanner.language.policy import load_policy
from scanner.model.snapshot import inventory_from_document
from scanner.sanitize import clean_message


def detect_kind(document: LoadedDocument) -> str:
    """``check``, ``policy``, ``snapshot`` or ``targets``, from the document's top-level keys."""
    data = document.data
    if not isinstance(data, dict):
        raise document.error([], "expected a mapping (a check, policy or snapshot document)")
    if "tenant" in data and "schema_version" in data:
        return "snapshot"
    if "targets" in data:
        return "targets"
    if "resource" in data or "assert" in data or "severity" in data:
        return "check"
    return "policy"


def validate_path(path: Path) -> str:
    """Validate one file; returns a description of what it is. Raises on any problem."""
    document = load_file(path)
    kind = detect_kind(document)
    now = datetime.now(timezone.utc)
    if kind == "check":
        spec = spec_from_document(document)
        shipped = load_checks().get(spec.id)
        if shipped is not None and Path(shipped.path).resolve() != path.resolve():
            # scan refuses a second definition of an id: so does validate.
            raise spec.error(["id"], f"check id {spec.id} is already defined in {shipped.path}")
        compile_check(spec, load_policy(), now)
        return f"check {spec.id}"
    if kind == "targets":
        fleet = load_fleet(path)
        scheduled = sum(1 for t in fleet.targets if t.schedule)
        return (
            f"targets file: {len(fleet.targets)} target(s), {scheduled} scheduled, "
            f"{len(fleet.notify)} webhook(s)"
        )
    if kind == "snapshot":
        inventory = inventory_from_document(document)
        return f"snapshot of {inventory.tenant.platform} tenant {inventory.tenant.id or '?'}"
    policy = load_policy(str(path))
    compile_checks([s for s in load_checks().values() if policy.selects(s.id)], policy, now)
    return f"policy {policy.name}"


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate_command(files: tuple[Path, ...]) -> None:
    """Validate check, policy and snapshot files; name the file, line and field of a mistake."""
    failed = 0
    for path in files:
        try:
            what = validate_path(path)
        except CrmscanError as exc:
            failed += 1
            click.echo(f"INVALID {clean_message(str(exc))}", err=True)
        else:
            click.echo(f"ok      {path}: {what}")
    if failed:
        click.get_current_context().exit(EXIT_USAGE)


def register(group: click.Group) -> None:
    """Add ``validate`` to ``group``."""
    group.add_command(validate_command)
