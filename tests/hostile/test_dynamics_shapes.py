"""Hostile Dynamics 365 records: one record of every read broken in every way.

Through the emulator (tests/emulators/dynamics): each Dataverse entity set and Graph
listing the adapter reads answers as it would, except that its first record (or an
expanded record inside it) is broken (`tests.hostile.shapes`). The scan completes, the
broken record is a ``malformed_response`` gap on its collection, and nothing that needs
a collection with a gap is PASS.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.dynamics import DynamicsAdapter
from scanner.adapter_api import AdapterSettings
from scanner.model.inventory import Inventory
from tests.adapters.dynamics.conftest import NOW, SCOPE, Progress, settings_for
from tests.emulators.dynamics import DynamicsEmulator, Environment
from tests.emulators.dynamics.wire import Fault
from tests.hostile.shapes import MODES, broken, malformed_gap, safe_scan, without

Edit = Callable[[Any], Any]


def first(edit: Edit) -> Callable[[Any], Any]:
    """Apply ``edit`` to the first record of an OData page (``value[0]``)."""

    def apply(body: Any) -> Any:
        body["value"][0] = edit(body["value"][0])
        return body

    return apply


def nested(prop: str, edit: Edit) -> Edit:
    """Apply ``edit`` to the first expanded record of ``prop`` in the first row that has one."""

    def apply(body: Any) -> Any:
        row = next(r for r in body["value"] if r.get(prop))
        row[prop][0] = edit(row[prop][0])
        return body

    return apply


#: name → (service, path suffix, where in the answer the record is, its collections).
READS: dict[str, tuple[str, str, Callable[[Edit], Edit], tuple[str, ...]]] = {
    "organization": ("dataverse", "/organizations", first, ("tenant", "monitoring")),
    "business unit": ("dataverse", "/businessunits", first, ("roles",)),
    "system user": ("dataverse", "/systemusers", first, ("users",)),
    "system user role": (
        "dataverse",
        "/systemusers",
        lambda e: nested("systemuserroles_association", e),
        ("users",),
    ),
    "team": ("dataverse", "/teams", first, ("users.teams", "users.permissions")),
    "role": ("dataverse", "/roles", first, ("permission_sets", "users.permissions")),
    "privilege": ("dataverse", "/privileges", first, ("permission_sets", "users.permissions")),
    "role privilege": (
        "dataverse",
        "/roleprivilegescollection",
        first,
        ("permission_sets", "users.permissions"),
    ),
    "field security profile": (
        "dataverse",
        "/fieldsecurityprofiles",
        first,
        ("field_permissions",),
    ),
    "field permission": (
        "dataverse",
        "/fieldsecurityprofiles",
        lambda e: nested("lk_fieldpermission_fieldsecurityprofileid", e),
        ("field_permissions",),
    ),
    "registration": (
        "graph",
        "/reports/authenticationMethods/userRegistrationDetails",
        first,
        ("users.mfa",),
    ),
    "sign-in": ("graph", "/v1.0/users", first, ("users.last_login_at",)),
    "conditional access policy": (
        "graph",
        "/identity/conditionalAccess/policies",
        first,
        ("auth.mfa",),
    ),
    "security defaults": (
        "graph",
        "/policies/identitySecurityDefaultsEnforcementPolicy",
        lambda e: e,
        ("auth.mfa",),
    ),
}


@pytest.fixture
def emulator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DynamicsEmulator]:
    with DynamicsEmulator(Environment.sample(NOW)) as emu:
        ca = emu.ca_file(str(tmp_path))
        monkeypatch.setenv("SSL_CERT_FILE", ca)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca)
        yield emu


def _collect(emulator: DynamicsEmulator) -> Inventory:
    adapter = DynamicsAdapter(
        AdapterSettings(settings_for(emulator)),
        sleep=lambda s: None,
        clock=lambda: NOW,
        probe_transport=False,  # the TLS probe reads no record; it only slows each case
    )
    return adapter.collect(SCOPE, Progress())


def _no_covering_policy(env: Environment) -> None:
    for policy in env.conditional_access:
        policy["state"] = "disabled"


#: What a read's verdict needs first: security defaults decide MFA only when no
#: Conditional Access policy requires it.
PREPARE: dict[str, Callable[[Environment], None]] = {"security defaults": _no_covering_policy}


def _rewrite(emulator: DynamicsEmulator, name: str, edit: Edit) -> None:
    PREPARE.get(name, lambda env: None)(emulator.env)
    service, path, where, _ = READS[name]
    with emulator._lock:
        emulator.faults.append(
            Fault(service, path, kind="rewrite", times=None, rewrite=where(edit))
        )


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", list(READS))
def test_a_broken_record_is_a_gap_never_a_crash_or_a_pass(
    emulator: DynamicsEmulator, name: str, mode: str
) -> None:
    _rewrite(emulator, name, lambda record: broken(record, mode))
    inventory = _collect(emulator)
    malformed_gap(inventory, READS[name][3])
    safe_scan(inventory, now=NOW)


#: A field the mapping reads, left out of one record.
MISSING = [
    ("organization", "organizationid"),
    ("organization", "isauditenabled"),
    ("system user", "systemuserid"),
    ("system user", "isdisabled"),
    ("system user", "systemuserroles_association"),
    ("team", "teamroles_association"),
    ("role", "roleid"),
    ("role privilege", "privilegedepthmask"),
    ("field permission", "canread"),
    ("registration", "isMfaRegistered"),
    ("sign-in", "signInActivity"),
    ("conditional access policy", "state"),
    ("security defaults", "isEnabled"),
]


@pytest.mark.parametrize(("name", "field"), MISSING, ids=[f"{n}.{f}" for n, f in MISSING])
def test_a_missing_field_never_crashes_or_passes(
    emulator: DynamicsEmulator, name: str, field: str
) -> None:
    _rewrite(emulator, name, lambda record: without(record, field))
    inventory = _collect(emulator)
    safe_scan(inventory, now=NOW)
