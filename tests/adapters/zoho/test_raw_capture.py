"""Raw evidence from a Zoho CRM scan: per-collection answers, redacted, token answers left out."""

from __future__ import annotations

from collections.abc import Callable

from adapters.zoho import ZohoAdapter
from scanner.adapter_api import NullProgress
from scanner.model.inventory import Inventory
from tests.adapters.raw_evidence import assert_raw_evidence, captured, lines
from tests.adapters.zoho.conftest import NOW, SCOPE, SleepRecorder, settings_for
from tests.emulators.zoho import ZohoEmulator, zoho_error
from tests.emulators.zoho.sample import sample_org


def test_a_scan_keeps_each_collections_answers_without_secrets(
    trust: Callable[[ZohoEmulator], None],
) -> None:
    issued: list[str] = []

    def token() -> str:
        issued.append(f"1000.rawcapture{len(issued):04d}.feedface")
        return issued[-1]

    # The accounts server's answers (the tokens) stay out of the evidence.
    with ZohoEmulator(sample_org(NOW), token_factory=token) as server:
        trust(server)
        creds = server.credentials
        server.fail("/crm/v8/settings/roles", 400,
                    zoho_error("INVALID_DATA", f"bad request from {creds.refresh_token}"))  # fmt: skip
        adapter = ZohoAdapter(settings_for(server), sleep=SleepRecorder(), clock=lambda: NOW)
        inventory, files = captured(lambda: adapter.collect(SCOPE, NullProgress()))
    assert issued
    assert_raw_evidence(
        inventory,
        files,
        collections=("tenant", "users", "permission_sets", "roles"),
        secrets=[creds.client_secret, creds.refresh_token, *issued],
        now=NOW,
    )
    recorded = lines(files)
    assert not any("oauth" in line["path"] for line in recorded)
    roles = [line for line in recorded if line["collection"] == "roles"]
    assert any(line["status"] == 400 and "[REDACTED]" in str(line["body"]) for line in roles)


def test_without_capture_nothing_is_kept(collect: Callable[..., Inventory]) -> None:
    assert collect().raw is None
