"""Hostile Zoho CRM records: one record of every collection broken in every way.

Through the wire-faithful emulator (tests/emulators/zoho): the org, a user (and the
profile and role it points to), a profile in the listing and in its detail answer, one
of a profile's ``permissions_details``, a field of a sensitive module and one of its
per-profile accesses. Each is set to nulls, arrays, objects, the wrong scalar type,
emptied, or replaced by a non-object (`tests.hostile.shapes`). The scan completes, the
broken record is a ``malformed_response`` gap on its collection, and nothing that needs
that collection is PASS.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.zoho import ZohoAdapter
from scanner.adapter_api import NullProgress
from scanner.model.inventory import Inventory
from tests.adapters.zoho.conftest import NOW, SCOPE, settings_for
from tests.emulators.zoho import ZohoEmulator
from tests.emulators.zoho.api import API
from tests.emulators.zoho.org import ZohoOrg
from tests.emulators.zoho.sample import sample_org
from tests.hostile.shapes import MODES, broken, malformed_gap, safe_scan, without

Slot = tuple[Any, Any]  # (container, key): container[key] is the record


def _admin(org: ZohoOrg) -> dict[str, Any]:
    return next(u for u in org.users if u["profile"]["name"] == "Administrator")


def _profile(org: ZohoOrg) -> dict[str, Any]:
    return next(p for p in org.profiles if p["name"] == "Sales Operations")


#: name → (where the record is, the collections its gap may name).
TARGETS: dict[str, tuple[Callable[[ZohoOrg], Slot], tuple[str, ...]]] = {
    "user": (lambda o: (o.users, o.users.index(_admin(o))), ("users",)),
    "user.profile": (lambda o: (_admin(o), "profile"), ("users",)),
    "user.role": (lambda o: (_admin(o), "role"), ("users", "roles")),
    "profile": (lambda o: (o.profiles, o.profiles.index(_profile(o))), ("permission_sets",)),
    "profile.permission": (
        lambda o: (_profile(o)["permissions_details"], 0),
        ("permission_sets", "users.permissions"),
    ),
    "role": (lambda o: (o.roles, 0), ("roles",)),
    "field": (lambda o: (o.fields["Contacts"], 0), ("field_permissions", "encryption.fields")),
    "field.profile": (
        lambda o: (o.fields["Contacts"][0]["profiles"], 0),
        ("field_permissions",),
    ),
}


@pytest.fixture
def emulator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ZohoEmulator]:
    with ZohoEmulator(sample_org(NOW)) as server:
        monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
        monkeypatch.setenv("SSL_CERT_FILE", server.ca_file(str(tmp_path)))
        yield server


def _collect(emulator: ZohoEmulator) -> Inventory:
    adapter = ZohoAdapter(settings_for(emulator), sleep=lambda s: None, clock=lambda: NOW)
    return adapter.collect(SCOPE, NullProgress())


def _serve_org(emulator: ZohoEmulator, record: Any) -> None:
    """The org answer with ``record`` in it (the emulator's edition stays the real one)."""
    body = json.dumps({"org": [record]}).encode()
    emulator.fail(f"{API}/org", 200, body, times=5)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("target", list(TARGETS))
def test_a_broken_record_is_a_gap_never_a_crash_or_a_pass(
    emulator: ZohoEmulator, target: str, mode: str
) -> None:
    where, collections = TARGETS[target]
    container, key = where(emulator.org)
    container[key] = broken(container[key], mode)
    inventory = _collect(emulator)
    malformed_gap(inventory, collections)
    safe_scan(inventory, now=NOW)


@pytest.mark.parametrize("mode", MODES)
def test_a_broken_org_record_is_a_gap(emulator: ZohoEmulator, mode: str) -> None:
    _serve_org(emulator, broken(emulator.org.org, mode))
    inventory = _collect(emulator)
    malformed_gap(inventory, ("tenant",))
    safe_scan(inventory, now=NOW)


#: Fields the adapter reads, each left out of one record (a documented field not sent).
READ_FIELDS = {
    "user": ["id", "status", "profile", "role", "confirm", "email", "created_time", "category"],
    "profile": ["id", "name", "custom", "type"],
    "role": ["id", "name", "reporting_to", "admin_user"],
    "field": ["api_name", "profiles", "crypt"],
}


@pytest.mark.parametrize(
    ("target", "field"),
    [(t, f) for t, fields in READ_FIELDS.items() for f in fields],
)
def test_a_missing_field_never_crashes_or_passes(
    emulator: ZohoEmulator, target: str, field: str
) -> None:
    where, _ = TARGETS[target]
    container, key = where(emulator.org)
    container[key] = without(container[key], field)
    inventory = _collect(emulator)
    safe_scan(inventory, now=NOW)
