"""Fixtures: the sample org served by the emulator, and adapters pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from adapters.salesforce import SalesforceAdapter
from scanner.adapter_api import AdapterSettings, CollectionScope
from scanner.engine.scan import run_checks
from scanner.language.policy import load_policy
from scanner.model.inventory import Inventory
from tests.emulators.salesforce import Org, SalesforceEmulator

SAMPLE_ORG = Path(__file__).resolve().parents[3] / "adapters/salesforce/demo/sample_org.json"
SCOPE = CollectionScope(
    sensitive_objects=("Contact", "Lead", "Account", "Opportunity", "Case"),
    sensitive_fields=("Contact.SSN__c", "Contact.Birthdate", "Account.BankAccount__c"),
    login_history_days=30,
    key_objects=("Account", "Contact", "Lead"),
    personal_data_objects=("Contact", "Lead"),
    retention_days=1095,
)


class Progress:
    """Records progress calls."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, bool | None]] = []

    def started(self, collection: str) -> None:
        self.events.append(("started", collection, None))

    def finished(self, collection: str, ok: bool) -> None:
        self.events.append(("finished", collection, ok))


@pytest.fixture
def emulator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SalesforceEmulator]:
    """The sample org on https://127.0.0.1:PORT, its CA trusted through REQUESTS_CA_BUNDLE."""
    with SalesforceEmulator(Org.load(SAMPLE_ORG)) as emu:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", emu.ca_file(str(tmp_path)))
        yield emu


def verdicts(inventory: Inventory) -> dict[str, list[tuple[str, str | None, str | None]]]:
    """``{check id: [(status, resource name, reason)]}`` under the baseline policy."""
    result = run_checks(inventory, load_policy("baseline"))
    out: dict[str, list[tuple[str, str | None, str | None]]] = {}
    for finding in result.findings:
        out.setdefault(finding.check.id, []).append(
            (finding.status.value, finding.resource_name(inventory.tenant), finding.reason)
        )
    return out


def make_adapter(
    emu: SalesforceEmulator,
    session: requests.Session | None = None,
    *,
    timeout: float = 2.0,
    retries: int = 2,
    **values: Any,
) -> SalesforceAdapter:
    """An adapter for ``emu``; ``values`` are option values (access token by default)."""
    if not values:
        values = {"instance_url": emu.url, "access_token": emu.credentials.access_token}
    return SalesforceAdapter(
        AdapterSettings(dict(values)),
        session=session or emu.session(),
        backoff=0.01,
        timeout=timeout,
        retries=retries,
    )
