"""Raw evidence from a HubSpot scan: the httpx path and the SDK (urllib3) path alike."""

from __future__ import annotations

from typing import Any

from scanner.adapter_api import CollectionScope, NullProgress
from tests.adapters.hubspot.conftest import NOW
from tests.adapters.raw_evidence import assert_raw_evidence, captured, lines
from tests.emulators.hubspot import TOKEN, HubSpotEmulator
from tests.emulators.hubspot.server import error_body


def test_a_scan_keeps_each_collections_answers_without_secrets(
    emulator: HubSpotEmulator, make_adapter: Any
) -> None:
    emulator.fail(
        "/settings/v3/users/teams", 400, error_body(f"bad token {TOKEN} sent", "VALIDATION_ERROR")
    )
    adapter = make_adapter()
    inventory, files = captured(lambda: adapter.collect(CollectionScope(), NullProgress()))
    assert_raw_evidence(
        inventory,
        files,
        collections=("tenant", "users", "permission_sets", "users.teams", "integrations"),
        secrets=[TOKEN],
        now=NOW,
    )
    recorded = lines(files)
    sdk = [line for line in recorded if line["path"].startswith("/settings/v3/users")]
    assert {line["collection"] for line in sdk} == {"users", "permission_sets", "users.teams"}
    teams = next(line for line in sdk if line["collection"] == "users.teams")
    assert teams["status"] == 400 and "[REDACTED]" in str(teams["body"])


def test_without_capture_nothing_is_kept(emulator: HubSpotEmulator, make_adapter: Any) -> None:
    assert make_adapter().collect(CollectionScope(), NullProgress()).raw is None
