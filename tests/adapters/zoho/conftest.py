"""Fixtures: the sample org on a loopback Zoho emulator, trusted through SSL_CERT_FILE."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from adapters.zoho import ZohoAdapter
from scanner.adapter_api import AdapterSettings, CollectionScope, NullProgress
from scanner.engine.scan import run_checks
from scanner.language.policy import load_policy
from scanner.model.inventory import Inventory
from tests.emulators.zoho import ZohoEmulator
from tests.emulators.zoho.sample import DEMO_SENSITIVE_FIELDS, sample_org

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
SCOPE = CollectionScope(sensitive_fields=DEMO_SENSITIVE_FIELDS, max_workers=4)


class SleepRecorder:
    """Stands in for time.sleep: records each wait instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    """Records back-off waits."""
    return SleepRecorder()


@pytest.fixture
def trust(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[[ZohoEmulator], None]:
    """Trust an emulator's throwaway CA, as a user would with SSL_CERT_FILE."""

    def apply(emulator: ZohoEmulator) -> None:
        monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
        monkeypatch.setenv("SSL_CERT_FILE", emulator.ca_file(str(tmp_path)))

    return apply


@pytest.fixture
def emulator(trust: Callable[[ZohoEmulator], None]) -> Iterator[ZohoEmulator]:
    """The sample org served on loopback, dated `NOW`."""
    with ZohoEmulator(sample_org(NOW)) as server:
        trust(server)
        yield server


def settings_for(emulator: ZohoEmulator, **overrides: str | None) -> AdapterSettings:
    """Adapter settings pointing the sign-in at ``emulator``."""
    creds = emulator.credentials
    values: dict[str, str | None] = {
        "client_id": creds.client_id,
        "client_secret": creds.client_secret,
        "refresh_token": creds.refresh_token,
        "accounts_url": emulator.url,
    }
    values.update(overrides)
    return AdapterSettings(values)


@pytest.fixture
def collect(emulator: ZohoEmulator, sleeps: SleepRecorder) -> Callable[..., Inventory]:
    """Scan the emulator; keyword arguments override settings, ``scope`` the scope."""

    def run(scope: CollectionScope = SCOPE, **overrides: Any) -> Inventory:
        adapter = ZohoAdapter(settings_for(emulator, **overrides), sleep=sleeps, clock=lambda: NOW)
        return adapter.collect(scope, NullProgress())

    return run


def verdicts(
    inventory: Inventory, policy: str = "baseline", now: datetime = NOW
) -> dict[str, list[tuple[str, str]]]:
    """``{check id: [(status, resource name)]}`` of the shipped checks on ``inventory``."""
    result = run_checks(inventory, load_policy(policy), now=now)
    found: dict[str, list[tuple[str, str]]] = {}
    for finding in result.findings:
        name = finding.resource_name(inventory.tenant) or ""
        found.setdefault(finding.check.id, []).append((finding.status.value, name))
    return found


def failing(inventory: Inventory, check: str, now: datetime = NOW) -> set[str]:
    """Names of the resources ``check`` FAILs."""
    return {n for s, n in verdicts(inventory, now=now).get(check, []) if s == "FAIL"}


def statuses(inventory: Inventory, check: str) -> set[str]:
    """The statuses ``check`` reports."""
    return {s for s, _ in verdicts(inventory).get(check, [])}
