"""Fixtures: a running HubSpot emulator and an adapter pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import pytest

from adapters.hubspot import HubSpotAdapter
from scanner.adapter_api import AdapterSettings
from tests.emulators.hubspot import TOKEN, HubSpotEmulator, sample_account

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def emulator() -> Iterator[HubSpotEmulator]:
    """The sample account served on loopback."""
    server = HubSpotEmulator(sample_account(NOW)).start()
    try:
        yield server
    finally:
        server.stop()


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
def make_adapter(emulator: HubSpotEmulator, sleeps: SleepRecorder):  # type: ignore[no-untyped-def]
    """Build a `HubSpotAdapter` for the emulator (token overridable)."""

    def build(token: str = TOKEN) -> HubSpotAdapter:
        settings = AdapterSettings({"access_token": token, "base_url": emulator.url})
        return HubSpotAdapter(settings, sleep=sleeps, clock=lambda: NOW)

    return build
