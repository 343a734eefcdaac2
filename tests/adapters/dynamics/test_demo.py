"""The offline demo: the recorded sample tenant, replayed through the adapter's code."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from adapters.dynamics import DynamicsAdapter
from adapters.dynamics.replay import ReplayTransport
from scanner import cli as cli_module
from scanner.adapter_api import ADAPTERS
from tests.adapters.dynamics.conftest import SCOPE, Progress, user, verdicts

ROOT = Path(__file__).resolve().parents[3]
RECORDING = ROOT / "adapters/dynamics/demo/recording.json"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any attempt to open a network connection."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the demo tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.usefixtures("no_network")
def test_demo_scans_the_sample_offline() -> None:
    adapter = ADAPTERS.get("dynamics").demo()
    assert isinstance(adapter, DynamicsAdapter)
    inventory = adapter.collect(SCOPE, Progress())
    assert inventory.tenant.name == "Fabrikam Outdoors"
    assert inventory.tenant.instance_url == "https://fabrikam.crm.dynamics.com"
    assert inventory.users is not None and len(inventory.users) == 38
    assert inventory.encryption.transport is not None
    assert inventory.encryption.transport.host == "fabrikam.crm.dynamics.com"
    failing = {c: s.get("FAIL", set()) for c, s in verdicts(inventory).items()}
    assert "erp-connector@fabrikam-outdoors.example" in failing["PRIV-009"]
    assert "dana.lee@fabrikam-outdoors.example" in failing["AUTH-002"]
    assert failing["PRIV-001"] == {"Fabrikam Outdoors"}
    assert failing["MON-003"] == {"Fabrikam Outdoors"}
    # Dates move with the calendar: Dev Patel's last sign-in stays 131 days old.
    dev = user(inventory, "dev.patel")
    assert dev.last_login_at is not None
    assert (inventory.tenant.collected_at - dev.last_login_at).days in (131, 132)


@pytest.mark.usefixtures("no_network")
def test_demo_command(tmp_path: Path) -> None:
    args = ["demo", "--platform", "dynamics", "--out", str(tmp_path), "--fail-on", "high"]
    result = CliRunner().invoke(cli_module.cli, args, catch_exceptions=False)
    assert result.exit_code == 1, result.output
    document = json.loads((tmp_path / "crmscan-results.json").read_text())
    failed = {f["check_id"] for f in document["findings"] if f["status"] == "FAIL"}
    assert {"PRIV-009", "AUTH-002", "PRIV-001", "MON-003"} <= failed


def test_replay_misses_are_404s() -> None:
    import httpx

    replay = ReplayTransport(json.loads(RECORDING.read_text()))
    response = replay.handle_request(httpx.Request("GET", "https://x.example/api/data/v9.2/nope"))
    assert response.status_code == 404 and replay.misses


def _normalized(recording: dict[str, Any]) -> dict[str, Any]:
    recording.pop("transport")  # a fresh throwaway certificate each time: shape only
    for entry in recording["responses"].values():
        body = json.loads(entry["body"]) if entry["body"] else None
        if isinstance(body, dict) and "access_token" in body:
            body["access_token"] = "<token>"
            entry["body"] = json.dumps(body)
    return recording


def test_recording_is_up_to_date(tmp_path: Path) -> None:
    from scripts.record_dynamics_demo import record

    fresh = tmp_path / "recording.json"
    record(fresh)
    shipped = json.loads(RECORDING.read_text(encoding="utf-8"))
    recorded = json.loads(fresh.read_text(encoding="utf-8"))
    assert recorded["transport"].keys() == shipped["transport"].keys()
    assert _normalized(recorded) == _normalized(shipped), (
        "the demo recording is stale: run python scripts/record_dynamics_demo.py"
    )


def test_sample_is_up_to_date() -> None:
    from scripts.make_dynamics_sample_env import OUT, build

    assert json.loads(OUT.read_text(encoding="utf-8")) == json.loads(json.dumps(build())), (
        "the sample is stale: run python scripts/make_dynamics_sample_env.py"
    )
