"""Fixtures: a running HubSpot emulator and an adapter pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from adapters.hubspot import HubSpotAdapter
from scanner.adapter_api import AdapterSettings
from tests.emulators.hubspot import TOKEN, HubSpotEmulator, sample_account

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def emulator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[HubSpotEmulator]:
    """The sample account served on https://127.0.0.1, its CA trusted via SSL_CERT_FILE."""
    server = HubSpotEmulator(sample_account(NOW)).start()
    try:
        with server.trusted(str(tmp_path), monkeypatch):
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
