"""``crmscan evidence keygen``, ``evidence verify BUNDLE`` and ``evidence explain``."""

from __future__ import annotations

from pathlib import Path

import click

from scanner.errors import EXIT_GATE_FAILED, ConfigError
from scanner.evidence.bundle import generate_key_pair, load_public_key, verify_bundle
from scanner.evidence.explain import explain, findings_by_id, load_results, render
from scanner.evidence.verify import Verification
from scanner.sanitize import neutralize

_PUBLIC_KEY = click.option(
    "--public-key",
    type=click.Path(path_type=Path),
    default=None,
    help="Check the signature with this Ed25519 public key (PEM).",
)
_BUNDLE = click.argument("bundle", type=click.Path(path_type=Path))


@click.group("evidence")
def evidence_group() -> None:
    """Create signing keys, verify and explain evidence bundles written by --evidence."""


@evidence_group.command("keygen")
@click.option(
    "--out",
    "private_path",
    type=click.Path(path_type=Path),
    required=True,
    help="Where to write the private key (PEM); the public key goes beside it (.pub).",
)
def keygen(private_path: Path) -> None:
    """Create an Ed25519 key pair for signing evidence bundles."""
    if private_path.exists():
        raise ConfigError(f"{private_path} exists; refusing to overwrite a key")
    public_path = private_path.with_name(private_path.name + ".pub")
    ident = generate_key_pair(private_path, public_path)
    click.echo(
        f"private key: {private_path} (keep it secret)\npublic key:  {public_path}\n"
        f"key id:      {ident}"
    )


def _print_problems(outcome: Verification) -> None:
    for problem in outcome.problems:
        click.echo(f"FAILED  {neutralize(problem, single_line=True)}")


@evidence_group.command("verify")
@_BUNDLE
@_PUBLIC_KEY
def verify(bundle: Path, public_key: Path | None) -> None:
    """Check that no file of an evidence bundle (folder, .zip or .tar.gz) changed.

    Exit 0 when every file matches the statement (and, with --public-key, the signature
    is valid), 1 when not, 2 when BUNDLE is not a bundle of this format.
    """
    key = load_public_key(public_key) if public_key else None
    outcome = verify_bundle(bundle, key)
    _print_problems(outcome)
    if outcome.ok:
        signature = "signature valid" if outcome.signed else "not signature-checked"
        click.echo(f"ok      {bundle}: {outcome.files} files match the statement, {signature}")
    else:
        click.get_current_context().exit(EXIT_GATE_FAILED)


@evidence_group.command("explain")
@_BUNDLE
@click.argument("finding_id", required=False)
@_PUBLIC_KEY
@click.option("--all", "show_all", is_flag=True, help="List PASS findings too.")
def explain_cmd(
    bundle: Path, finding_id: str | None, public_key: Path | None, show_all: bool
) -> None:
    """Show the check, rule, observed values and raw API records behind a finding.

    FINDING-ID is CHECK-ID:RESOURCE-ID (``check_id`` and ``resource.id`` of the finding
    in results.json). Without it, the bundle's findings are listed with their ids
    (not PASS ones unless --all). Exit 1 when the bundle does not verify.
    """
    key = load_public_key(public_key) if public_key else None
    outcome = verify_bundle(bundle, key)
    if outcome.ok:
        how = "signature valid" if outcome.signed else "hashes match, signature not checked"
        click.echo(f"bundle {bundle}: verified ({how})")
    else:
        click.echo(f"bundle {bundle}: DOES NOT VERIFY; what follows may have been altered")
        _print_problems(outcome)
    assert outcome.bundle is not None
    if finding_id is None:
        findings = findings_by_id(load_results(outcome))
        for ident, finding in findings.items():
            if show_all or finding.get("status") != "PASS":
                line = f"{ident}  {finding.get('status')}  {finding.get('message')}"
                click.echo(neutralize(line, single_line=True))
    else:
        for line in render(explain(outcome, finding_id)):
            click.echo(neutralize(line))
    if not outcome.ok:
        click.get_current_context().exit(EXIT_GATE_FAILED)


def register(group: click.Group) -> None:
    """Add ``evidence`` to ``group``."""
    group.add_command(evidence_group)
