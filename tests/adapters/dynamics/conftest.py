"""Fixtures: the emulated Fabrikam Outdoors tenant on loopback, and adapters for it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from adapters.dynamics import DynamicsAdapter
from scanner.adapter_api import AdapterSettings, CollectionScope
from scanner.engine.scan import run_checks
from scanner.language.policy import load_policy
from scanner.model.inventory import Inventory
from tests.emulators.dynamics import DynamicsEmulator, Environment

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
SCOPE = CollectionScope(
    sensitive_fields=("Contact.SSN__c", "Contact.Birthdate", "Account.BankAccount__c")
)


class Progress:
    """Records progress calls."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, bool | None]] = []

    def started(self, collection: str) -> None:
        self.events.append(("started", collection, None))

    def finished(self, collection: str, ok: bool) -> None:
        self.events.append(("finished", collection, ok))


class SleepRecorder:
    """Stands in for time.sleep: records each wait instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def env() -> Environment:
    """The sample tenant, dated to NOW."""
    return Environment.sample(NOW)


@pytest.fixture
def emulator(
    env: Environment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DynamicsEmulator]:
    """The tenant served on loopback HTTPS; its CA trusted through the environment."""
    with DynamicsEmulator(env) as emu:
        ca = emu.ca_file(str(tmp_path))
        monkeypatch.setenv("SSL_CERT_FILE", ca)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca)
        yield emu


@pytest.fixture
def sleeps() -> SleepRecorder:
    """Records back-off waits."""
    return SleepRecorder()


def settings_for(emu: DynamicsEmulator, **overrides: Any) -> dict[str, str | None]:
    """Option values that point the adapter at ``emu``."""
    values: dict[str, str | None] = {
        "environment_url": emu.environment_url,
        "authority_host": emu.authority_url,
        "graph_url": emu.graph_url,
        "tenant_id": emu.env.tenant_id,
        "client_id": emu.env.app.client_id,
        "client_secret": emu.env.app.client_secret,
    }
    values.update(overrides)
    return values


@pytest.fixture
def make_adapter(
    emulator: DynamicsEmulator, sleeps: SleepRecorder
) -> Callable[..., DynamicsAdapter]:
    """Build a `DynamicsAdapter` for the emulator; keyword arguments override options."""

    def build(**overrides: Any) -> DynamicsAdapter:
        return DynamicsAdapter(
            AdapterSettings(settings_for(emulator, **overrides)),
            sleep=sleeps,
            clock=lambda: NOW,
        )

    return build


@pytest.fixture
def collect(make_adapter: Callable[..., DynamicsAdapter]) -> Callable[..., Inventory]:
    """Collect the emulated environment (keyword arguments override options)."""

    def run(scope: CollectionScope = SCOPE, **overrides: Any) -> Inventory:
        return make_adapter(**overrides).collect(scope, Progress())

    return run


def verdicts(inventory: Inventory) -> dict[str, dict[str, set[str]]]:
    """``{check id: {status: {resource names}}}`` under the baseline policy."""
    result = run_checks(inventory, load_policy("baseline"))
    out: dict[str, dict[str, set[str]]] = {}
    for finding in result.findings:
        name = finding.resource_name(inventory.tenant) or ""
        out.setdefault(finding.check.id, {}).setdefault(finding.status.value, set()).add(name)
    return out


def user(inventory: Inventory, alias: str) -> Any:
    """The user whose username starts with ``alias@``."""
    assert inventory.users is not None
    return next(u for u in inventory.users if (u.username or "").startswith(f"{alias}@"))
