"""``crmscan evidence keygen`` and ``crmscan evidence verify DIR``."""

from __future__ import annotations

from pathlib import Path

import click

from scanner.errors import EXIT_GATE_FAILED, ConfigError
from scanner.evidence.bundle import generate_key_pair, load_public_key, verify_bundle


@click.group("evidence")
def evidence_group() -> None:
    """Create signing keys and verify evidence bundles written by --evidence."""


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
    generate_key_pair(private_path, public_path)
    click.echo(f"private key: {private_path} (keep it secret)\npublic key:  {public_path}")


@evidence_group.command("verify")
@click.argument("bundle", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--public-key",
    type=click.Path(path_type=Path),
    default=None,
    help="Check the signature with this Ed25519 public key (PEM).",
)
def verify(bundle: Path, public_key: Path | None) -> None:
    """Check that no file of an evidence bundle changed since it was written.

    Exit 0 when every hash (and the signature, with --public-key) matches, 1 when not.
    """
    key = load_public_key(public_key) if public_key else None
    outcome = verify_bundle(bundle, key)
    for problem in outcome.problems:
        click.echo(f"FAILED  {problem}")
    if outcome.ok:
        signature = "signature valid" if outcome.signed else "not signature-checked"
        click.echo(f"ok      {bundle}: {outcome.files} files match the manifest, {signature}")
    else:
        click.get_current_context().exit(EXIT_GATE_FAILED)


def register(group: click.Group) -> None:
    """Add ``evidence`` to ``group``."""
    group.add_command(evidence_group)
