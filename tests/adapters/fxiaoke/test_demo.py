"""The offline demo: the sample enterprise replayed, and its recording kept up to date."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from adapters.fxiaoke import FxiaokeAdapter
from adapters.fxiaoke.replay import RECORDING
from scanner.adapter_api import ADAPTERS, CollectionScope, NullProgress
from scanner.cli import cli
from scanner.engine.findings import Status
from scanner.engine.scan import run_checks
from scanner.language.policy import load_policy


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any attempt to open a network connection."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the demo tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.usefixtures("no_network")
def test_demo_scans_the_sample_enterprise_offline() -> None:
    adapter = ADAPTERS.get("fxiaoke").demo()
    assert isinstance(adapter, FxiaokeAdapter)
    inventory = adapter.collect(CollectionScope(), NullProgress())
    assert inventory.tenant.name == "星河贸易有限公司"
    assert inventory.users is not None and len(inventory.users) == 20
    assert inventory.api_usage is not None and inventory.api_usage.requests == 5
    assert inventory.gaps == []
    result = run_checks(inventory, load_policy(), ["PRIV-001", "PRIV-002", "PRIV-015"])
    failing: dict[str, set[str]] = {}
    for finding in result.findings:
        if finding.status is Status.FAIL:
            failing.setdefault(finding.check.id, set()).add(
                str(finding.resource_name(inventory.tenant))
            )
    assert failing["PRIV-002"] == {
        "zhoujianguo", "lixiaomei", "wanglei", "chenjing", "liuyang", "zhaomin", "sunpeng",
    }  # fmt: skip
    assert failing["PRIV-015"] == {"handong"}
    # Seven known administrators against the baseline's five: FAIL, whatever the roles
    # whose grants the API does not show allow.
    (count,) = [f for f in result.findings if f.check.id == "PRIV-001"]
    assert count.status is Status.FAIL and (count.details or {})["count"] == 7


@pytest.mark.usefixtures("no_network")
def test_demo_command(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["demo", "--platform", "fxiaoke", "--out", str(tmp_path)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "crmscan-results.json").read_text())
    assert document["tenant"]["platform"] == "fxiaoke"
    fails = {
        (f["check_id"], f["resource"]["name"])
        for f in document["findings"]
        if f["status"] == "FAIL"
    }
    assert ("PRIV-015", "handong") in fails and ("PRIV-002", "zhoujianguo") in fails


def test_recording_is_up_to_date(tmp_path: Path) -> None:
    from scripts.record_fxiaoke_demo import record

    fresh = tmp_path / "recording.json"
    record(fresh)
    shipped = json.loads(RECORDING.read_text(encoding="utf-8"))
    recorded = json.loads(fresh.read_text(encoding="utf-8"))
    # The TLS probe meets a fresh throwaway certificate each time; only its shape is stable.
    assert recorded.pop("transport").keys() == shipped.pop("transport").keys()
    assert recorded == shipped, (
        "the demo recording is stale: run python scripts/record_fxiaoke_demo.py"
    )
