"""Hostile HubSpot records: one record of every endpoint broken in every way.

`test_hubspot_records` nulls or drops one field at a time; this breaks a whole record
(`tests.hostile.shapes`): every field null, an array, an object or the wrong scalar
type, no field at all, or no object at all, and then each field in turn of the wrong
type. Through the emulator, the scan completes; where the adapter reads the record, the
broken record is a ``malformed_response`` gap on its collection; nothing that needs a
collection with a gap is PASS.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.hubspot import HubSpotEmulator
from tests.hostile.shapes import MODES, broken, malformed_gap, safe_scan
from tests.hostile.test_hubspot_records import (
    NOW,
    TOKEN_INFO,
    USAGE,
    _account,
    _collect,
    _records,
)

#: Records served in a list the account holds, by ``_records`` name → account attribute.
LISTED = {
    "users": "users",
    "roles": "roles",
    "teams": "teams",
    "owners": "owners",
    "logins": "logins",
    "security": "security",
    "audit_logs": "audit_logs",
}
#: The collections a broken record's gap may name (none: the adapter does not read it).
COLLECTIONS: dict[str, tuple[str, ...]] = {
    "details": ("tenant",),
    "users": ("users",),
    "roles": ("permission_sets",),
    "teams": ("users.teams",),
    "owners": ("users.active",),
    "logins": ("users.login",),
    "security": ("monitoring.security_activity",),
    "audit_logs": (),  # the audit-log probe reads no entry, only that the API answers
    "api_usage": ("integrations",),
    "token_info": ("integrations",),
}


@pytest.fixture
def emulator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[HubSpotEmulator]:
    server = HubSpotEmulator(_account()).start()
    try:
        with server.trusted(str(tmp_path), monkeypatch):
            yield server
    finally:
        server.stop()


def _plant(emulator: HubSpotEmulator, name: str, record: Any) -> None:
    """Serve ``record`` where the account's record ``name`` belongs."""
    account = emulator.account
    if name in LISTED:
        rows: list[Any] = getattr(account, LISTED[name])
        rows[rows.index(_records(account)[name])] = record
    elif name == "details":
        emulator.fail("/account-info/v3/details", 200, _raw(record), times=3)
    elif name == "api_usage":
        emulator.fail(USAGE, 200, _raw({"results": [record]}), times=3)
    else:
        emulator.fail(TOKEN_INFO, 200, _raw(record), times=3)


def _raw(body: Any) -> bytes:
    return json.dumps(body).encode()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", list(COLLECTIONS))
def test_a_broken_record_is_a_gap_never_a_crash_or_a_pass(
    emulator: HubSpotEmulator, name: str, mode: str
) -> None:
    record = copy.deepcopy(_records(emulator.account)[name])
    _plant(emulator, name, broken(record, mode))
    inventory = _collect(emulator)
    if COLLECTIONS[name]:
        malformed_gap(inventory, COLLECTIONS[name])
    safe_scan(inventory, now=NOW)


FIELDS = [(name, key) for name, record in _records(_account()).items() for key in record]


@pytest.mark.parametrize("mode", ["array", "wrong_scalar"])
@pytest.mark.parametrize(("name", "key"), FIELDS, ids=[f"{n}.{k}" for n, k in FIELDS])
def test_one_field_of_the_wrong_type_never_crashes_or_passes(
    emulator: HubSpotEmulator, name: str, key: str, mode: str
) -> None:
    record = copy.deepcopy(_records(emulator.account)[name])
    record[key] = broken({key: record[key]}, mode)[key]
    _plant(emulator, name, record)
    inventory = _collect(emulator)
    safe_scan(inventory, now=NOW)
