"""Raw evidence from a Dynamics 365 scan: Dataverse and Graph answers, never Entra's tokens."""

from __future__ import annotations

from collections.abc import Callable

from adapters.dynamics import DynamicsAdapter
from scanner.model.inventory import Inventory
from tests.adapters.dynamics.conftest import NOW, SCOPE, Progress, SleepRecorder, settings_for
from tests.adapters.raw_evidence import assert_raw_evidence, captured, lines
from tests.emulators.dynamics import DynamicsEmulator


def test_a_scan_keeps_each_collections_answers_without_secrets(
    emulator: DynamicsEmulator, sleeps: SleepRecorder
) -> None:
    secret = emulator.env.app.client_secret
    assert secret
    emulator.fail(
        "dataverse",
        "/teams",
        400,
        {"error": {"code": "0x80040203", "message": f"bad request with {secret}"}},
    )
    # As the pipeline builds it: the secret options are registered for redaction.
    settings = DynamicsAdapter.settings_from(settings_for(emulator), {})
    adapter = DynamicsAdapter(settings, sleep=sleeps, clock=lambda: NOW)
    inventory, files = captured(lambda: adapter.collect(SCOPE, Progress()))
    tokens = list(emulator.entra.tokens)
    assert tokens
    assert_raw_evidence(
        inventory,
        files,
        collections=("tenant", "users", "permission_sets", "users.mfa", "auth.mfa"),
        secrets=[secret, *tokens],
        now=NOW,
    )
    recorded = lines(files)
    assert not any("/oauth2/" in line["path"] for line in recorded)  # Entra's sign-in
    teams = [line for line in recorded if line["collection"] == "users.teams"]
    assert teams and teams[-1]["status"] == 400 and "[REDACTED]" in str(teams[-1]["body"])


def test_without_capture_nothing_is_kept(collect: Callable[..., Inventory]) -> None:
    assert collect().raw is None
