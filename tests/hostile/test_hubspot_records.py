"""Hostile HubSpot records: every field of every collection null, then absent.

A record the adapter cannot map is a gap (or a null on that one record) and ERROR for
the checks that need it: the scan always completes, no check PASSes on a collection
with a gap, and breaking a record never turns a finding into a PASS that was not one
on the intact account.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from adapters.hubspot import HubSpotAdapter
from scanner.adapter_api import AdapterSettings, CollectionScope, NullProgress
from scanner.engine.scan import run_checks
from scanner.language.policy import load_policy
from scanner.model.inventory import Inventory
from tests.emulators.hubspot import TOKEN, Account, HubSpotEmulator, sample_account

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
USAGE = "/account-info/v3/api-usage/daily/private-apps"
TOKEN_INFO = "/oauth/v2/private-apps/get/access-token-info"


def _account() -> Account:
    return sample_account(NOW, enterprise=True)


#: (collection, the record broken, the body served for it when it is built on the fly).
def _records(account: Account) -> dict[str, dict[str, Any]]:
    return {
        "details": account.details,
        "users": account.users[0],
        "roles": account.roles[0],
        "teams": account.teams[0],
        "owners": account.owners[0],
        "logins": account.logins[0],
        "security": account.security[0],
        "audit_logs": account.audit_logs[0],
        "api_usage": {"name": "private-apps-api-calls-daily", "usageLimit": 500_000,
                      "currentUsage": 10, "collectedAt": "2026-03-01T00:00:00.000Z",
                      "fetchStatus": "SUCCESS", "resetsAt": "2026-03-02T05:00:00Z"},
        "token_info": {"userId": int(account.users[0]["id"]), "hubId": 62515,
                       "appId": account.app_id, "scopes": sorted(account.scopes)},
    }  # fmt: skip


CASES = [(name, key) for name, record in _records(_account()).items() for key in record]


@pytest.fixture
def emulator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[HubSpotEmulator]:
    server = HubSpotEmulator(_account()).start()
    try:
        with server.trusted(str(tmp_path), monkeypatch):
            yield server
    finally:
        server.stop()


def _collect(emulator: HubSpotEmulator) -> Inventory:
    settings = AdapterSettings({"access_token": TOKEN, "base_url": emulator.url})
    adapter = HubSpotAdapter(settings, sleep=lambda s: None, clock=lambda: NOW)
    return adapter.collect(CollectionScope(), NullProgress())


def _verdicts(inventory: Inventory) -> dict[tuple[str, str], str]:
    result = run_checks(inventory, load_policy("baseline"))
    verdicts: dict[tuple[str, str], str] = {}
    for finding in result.findings:
        if finding.status.value == "PASS":
            for collection in finding.check.requires:
                gap = inventory.gap_for(collection)
                assert gap is None, f"{finding.check.id} PASS although {gap} was not collected"
        key = (finding.check.id, str(finding.resource_id(inventory.tenant)))
        verdicts[key] = finding.status.value
    return verdicts


@pytest.fixture(scope="module")
def intact(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], str]:
    monkeypatch = pytest.MonkeyPatch()
    server = HubSpotEmulator(_account()).start()
    try:
        with server.trusted(str(tmp_path_factory.mktemp("ca")), monkeypatch):
            return _verdicts(_collect(server))
    finally:
        server.stop()
        monkeypatch.undo()


def _break(emulator: HubSpotEmulator, name: str, key: str, mode: str) -> None:
    account = emulator.account
    record = _records(account)[name]
    if mode == "null":
        record[key] = None
    else:
        del record[key]
    if name == "api_usage":
        emulator.fail(USAGE, 200, {"results": [record]})
    elif name == "token_info":
        emulator.fail(TOKEN_INFO, 200, copy.deepcopy(record))


@pytest.mark.parametrize("mode", ["null", "absent"])
@pytest.mark.parametrize(("name", "key"), CASES, ids=[f"{n}.{k}" for n, k in CASES])
def test_a_broken_field_never_makes_a_pass(
    emulator: HubSpotEmulator,
    intact: dict[tuple[str, str], str],
    name: str,
    key: str,
    mode: str,
) -> None:
    _break(emulator, name, key, mode)
    inventory = _collect(emulator)  # completes: no exception, whatever the record holds
    broken = _verdicts(inventory)
    new_passes = [
        finding
        for finding, status in broken.items()
        if status == "PASS" and intact.get(finding) not in (None, "PASS")
    ]
    assert not new_passes, new_passes


def test_every_collection_is_broken_somewhere() -> None:
    assert {name for name, _ in CASES} == set(_records(_account()))
    assert len(CASES) >= 60
