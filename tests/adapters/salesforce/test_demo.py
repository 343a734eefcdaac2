"""The offline demo: replay of the sample org, and its recording kept up to date."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from adapters.salesforce import SalesforceAdapter
from scanner.adapter_api import ADAPTERS, CollectionScope
from tests.adapters.salesforce.conftest import Progress, verdicts

ROOT = Path(__file__).resolve().parents[3]
RECORDING = ROOT / "adapters/salesforce/demo/recording.json"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any attempt to open a network connection."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the demo tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.usefixtures("no_network")
def test_demo_scans_the_sample_org_offline_and_fast() -> None:
    adapter = ADAPTERS.get("salesforce").demo()
    assert isinstance(adapter, SalesforceAdapter)
    started = time.monotonic()
    inventory = adapter.collect(CollectionScope(sensitive_fields=("Other.Field__c",)), Progress())
    assert time.monotonic() - started < 10
    assert inventory.tenant.name == "Acme Outfitters"
    assert inventory.users is not None and len(inventory.users) == 50
    assert [g.collection for g in inventory.gaps] == []
    # The recording's scope wins: its sensitive fields were collected.
    assert [f.name for f in inventory.encryption.fields or []] == [
        "Contact.SSN__c",
        "Contact.Birthdate",
        "Account.BankAccount__c",
    ]
    failing = {c: {n for s, n, _ in rows if s == "FAIL"} for c, rows in verdicts(inventory).items()}
    assert "bob.ng@acme-outfitters.example" in failing["AUTH-002"]
    assert failing["PRIV-005"] == {"carol.diaz@acme-outfitters.example"}
    assert failing["PRIV-009"] == {"integration@acme-outfitters.example"}
    assert failing["ENC-002"] == {"Contact.SSN__c"}
    assert failing["AUTH-008"] == {"Acme Outfitters"}


def test_recording_is_up_to_date(tmp_path: Path) -> None:
    from scripts.record_salesforce_demo import record

    fresh = tmp_path / "recording.json"
    record(fresh)
    shipped = json.loads(RECORDING.read_text(encoding="utf-8"))
    recorded = json.loads(fresh.read_text(encoding="utf-8"))
    # The TLS probe meets a fresh throwaway certificate each time; only its shape is stable.
    assert recorded.pop("transport").keys() == shipped.pop("transport").keys()
    assert recorded == shipped, (
        "the demo recording is stale: run python scripts/record_salesforce_demo.py"
    )
