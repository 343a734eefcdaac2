"""``crmscan demo --platform zoho``: the sample org replayed offline, its planted problems
FAIL under their catalogue ids, and the recording is kept up to date."""

from __future__ import annotations

import itertools
import json
import socket
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from adapters.zoho import ZohoAdapter
from scanner.adapter_api import ADAPTERS, CollectionScope, NullProgress
from scanner.cli import cli
from tests.adapters.zoho.conftest import failing

TODAY = datetime.now(timezone.utc)
ROOT = Path(__file__).resolve().parents[3]
RECORDING = ROOT / "adapters/zoho/demo/recording.json"
SAMPLE = json.loads((ROOT / "adapters/zoho/demo/sample_org.json").read_text(encoding="utf-8"))


def _emails(**match: Any) -> set[str]:
    return {
        u["email"]
        for u in SAMPLE["users"]
        if all((u["profile"]["name"] if k == "profile" else u[k]) == v for k, v in match.items())
    }


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any attempt to open a network connection."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the demo tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.usefixtures("no_network")
def test_demo_replays_the_sample_org_with_its_planted_problems() -> None:
    adapter = ADAPTERS.get("zoho").demo()  # replays dated as of today
    assert isinstance(adapter, ZohoAdapter)
    inventory = adapter.collect(CollectionScope(sensitive_fields=("Other.Field",)), NullProgress())
    assert inventory.tenant.name == "Northwind Traders"
    assert inventory.tenant.instance_url == "https://www.zohoapis.com"
    assert inventory.users is not None and len(inventory.users) == 40
    assert [f.name for f in inventory.encryption.fields or []] == SAMPLE["demo_scope"][
        "sensitive_fields"
    ]
    assert not [g for g in inventory.gaps if g.reason.value not in ("no_api", "not_available")]
    # PRIV-001: seven active administrators where the baseline allows five.
    assert failing(inventory, "PRIV-001", TODAY) == {"Northwind Traders"}
    # PRIV-005: the administrator invited months ago who never signed in.
    never = _emails(profile="Administrator", status="active", confirm=False)
    assert len(never) == 1 and failing(inventory, "PRIV-005", TODAY) == never
    # PRIV-011: the non-admin "Sales Operations" profile grants export.
    ops = _emails(profile="Sales Operations", status="active")
    assert ops and ops <= failing(inventory, "PRIV-011", TODAY)
    # PRIV-006: the sales rep invited seven months ago who never signed in.
    stale = _emails(profile="Standard", status="active", confirm=False)
    assert len(stale) == 2  # one stale, one invited last week (within the grace period)
    assert len(stale & failing(inventory, "PRIV-006", TODAY)) == 1


@pytest.mark.usefixtures("no_network")
def test_cli_demo_zoho_and_default_stays_salesforce(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["demo", "--platform", "zoho", "--fail-on", "high",
                                 "--format", "json", "--out", str(tmp_path / "z")])  # fmt: skip
    assert result.exit_code == 1, result.output
    document = json.loads((tmp_path / "z" / "crmscan-results.json").read_text())
    assert document["tenant"]["platform"] == "zoho"
    failed = {f["check_id"] for f in document["findings"] if f["status"] == "FAIL"}
    assert {"PRIV-001", "PRIV-005", "PRIV-006", "PRIV-011"} <= failed
    default = runner.invoke(cli, ["demo", "--format", "json", "--out", str(tmp_path / "sf")])
    assert default.exit_code == 0, default.output
    sf = json.loads((tmp_path / "sf" / "crmscan-results.json").read_text())
    assert sf["tenant"]["platform"] == "salesforce"


def test_recording_is_up_to_date(tmp_path: Path) -> None:
    from scripts.record_zoho_demo import record

    fresh = tmp_path / "recording.json"
    record(fresh)
    shipped = json.loads(RECORDING.read_text(encoding="utf-8"))
    recorded = json.loads(fresh.read_text(encoding="utf-8"))
    # The TLS probe meets a fresh throwaway certificate each time; only its shape is stable.
    assert recorded.pop("transport").keys() == shipped.pop("transport").keys()
    assert recorded == shipped, (
        "the demo recording is stale: run python scripts/record_zoho_demo.py"
    )


def test_sample_org_is_up_to_date(monkeypatch: pytest.MonkeyPatch) -> None:
    from scripts.make_zoho_sample_org import ANCHOR
    from tests.emulators.zoho import org as z
    from tests.emulators.zoho.sample import build

    monkeypatch.setattr(z, "_ids", itertools.count(500001))  # as a fresh process numbers them
    assert build(ANCHOR) == SAMPLE, "run python scripts/make_zoho_sample_org.py"
