"""Fixtures: the sample enterprise served by the Fxiaoke emulator, and adapters for it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from adapters.fxiaoke import FxiaokeAdapter
from scanner.adapter_api import AdapterSettings, CollectionScope, NullProgress
from scanner.model.inventory import Inventory
from tests.emulators.fxiaoke import Enterprise, FakeClock, FxiaokeEmulator, sample_enterprise

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
#: 周建国, a CRM administrator of the sample enterprise: the roles are read as him.
OPERATOR_INDEX = 0


class SleepRecorder:
    """Stands in for time.sleep: records each wait instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def clock() -> FakeClock:
    """The clock the emulator and the adapter's token renewal share."""
    return FakeClock()


@pytest.fixture
def enterprise() -> Enterprise:
    """The fictional 星河贸易有限公司."""
    return sample_enterprise(NOW)


@pytest.fixture
def emulator(enterprise: Enterprise, clock: FakeClock, tmp_path: Path) -> Iterator[FxiaokeEmulator]:
    """The sample enterprise on https://127.0.0.1, its CA trusted via SSL_CERT_FILE."""
    with FxiaokeEmulator(enterprise, clock=clock) as server, server.trusted(tmp_path):
        yield server


@pytest.fixture
def sleeps() -> SleepRecorder:
    """Records back-off waits."""
    return SleepRecorder()


def settings_for(emulator: FxiaokeEmulator, **overrides: str | None) -> dict[str, str | None]:
    """Adapter settings for ``emulator``'s enterprise (a CRM administrator as operator)."""
    creds = emulator.enterprise.credentials
    values: dict[str, str | None] = {
        "app_id": creds.app_id,
        "app_secret": creds.app_secret,
        "permanent_code": creds.permanent_code,
        "open_user_id": emulator.enterprise.employees[OPERATOR_INDEX].open_user_id,
        "base_url": emulator.url,
    }
    values.update(overrides)
    return values


@pytest.fixture
def make_adapter(
    emulator: FxiaokeEmulator, sleeps: SleepRecorder, clock: FakeClock
) -> Callable[..., FxiaokeAdapter]:
    """Build a `FxiaokeAdapter` for the emulator; keyword arguments override settings."""

    def build(**overrides: str | None) -> FxiaokeAdapter:
        settings = AdapterSettings(settings_for(emulator, **overrides))
        return FxiaokeAdapter(settings, sleep=sleeps, clock=lambda: NOW, monotonic=clock)

    return build


@pytest.fixture
def scan(make_adapter: Callable[..., FxiaokeAdapter]) -> Callable[..., Inventory]:
    """Collect the emulated enterprise; keyword arguments override settings."""

    def run(scope: CollectionScope | None = None, **overrides: Any) -> Inventory:
        return make_adapter(**overrides).collect(scope or CollectionScope(), NullProgress())

    return run
