"""Fixtures of the worker tests: emulated HubSpot orgs, PostgreSQL, Redis, workers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
import trustme

from tests.emulators.hubspot import HubSpotEmulator, sample_account
from tests.scanner.workers.harness import Broker, Workers, fresh_database


@pytest.fixture
def ca(tmp_path: Path) -> tuple[trustme.CA, str]:
    """One test CA for every emulator, and its certificate file."""
    authority = trustme.CA()
    path = tmp_path / "emulators-ca.pem"
    authority.cert_pem.write_to_path(str(path))
    return authority, str(path)


@pytest.fixture
def orgs(ca: tuple[trustme.CA, str]) -> Iterator[list[HubSpotEmulator]]:
    """Four emulated HubSpot accounts (on loopback, trusted through ``ca``)."""
    now = datetime.now(timezone.utc)
    emulators = [HubSpotEmulator(sample_account(now), ca=ca[0]).start() for _ in range(4)]
    try:
        yield emulators
    finally:
        for emulator in emulators:
            emulator.stop()


@pytest.fixture
def store_url() -> Iterator[str]:
    """A fresh PostgreSQL database."""
    with fresh_database() as url:
        yield url


@pytest.fixture
def broker() -> Iterator[Broker]:
    """A private corner of the local Redis."""
    chosen = Broker()
    try:
        yield chosen
    finally:
        chosen.clean()


def targets_file(path: Path, emulators: list[HubSpotEmulator], notify: str = "") -> Path:
    """A targets file naming each emulator org-N, the token in $FLEET_HS_TOKEN."""
    lines = [notify, "targets:"]
    for i, emulator in enumerate(emulators):
        lines += [
            f"  - name: org-{i}",
            "    platform: hubspot",
            f'    options: {{base_url: "{emulator.url}"}}',
            "    env: {access_token: FLEET_HS_TOKEN}",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def workers_dir(tmp_path: Path) -> Path:
    """Where worker logs go."""
    folder = tmp_path / "worker-logs"
    folder.mkdir()
    return folder


@pytest.fixture
def workers_factory(workers_dir: Path) -> Iterator[list[Workers]]:
    """Worker groups a test starts; all stopped at the end."""
    made: list[Workers] = []
    try:
        yield made
    finally:
        for group in made:
            group.stop_all()
