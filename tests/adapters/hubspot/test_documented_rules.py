"""The adapter against the documented rules the emulator enforces (docs/api/hubspot.md).

Deactivated users (archived CRM owners, status events), service keys as the credential,
scopes per endpoint, page-size maxima, opaque cursors, the burst window, and what the
security log may prove.
"""

from __future__ import annotations

import json
import ssl
import urllib.request
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from adapters.hubspot import HubSpotAdapter
from scanner.adapter_api import AdapterSettings, CollectionScope, NullProgress
from scanner.errors import ConfigError
from scanner.model.inventory import GapReason, Inventory
from tests.adapters.hubspot.conftest import NOW, SleepRecorder
from tests.emulators.hubspot import SERVICE_KEY, TOKEN, HubSpotEmulator, large_account
from tests.emulators.hubspot.account import ADMIN, BOB, ERIN, iso

Build = Callable[..., HubSpotAdapter]


def _scan(adapter: HubSpotAdapter) -> Inventory:
    return adapter.collect(CollectionScope(), NullProgress())


def _with_key(emulator: HubSpotEmulator, sleeps: SleepRecorder, **settings: str) -> HubSpotAdapter:
    values = {"base_url": emulator.url, **settings}
    return HubSpotAdapter(AdapterSettings(values), sleep=sleeps, clock=lambda: NOW)


def _get(emulator: HubSpotEmulator, path: str) -> tuple[int, Any]:
    """A raw GET to the emulator (its CA is trusted through SSL_CERT_FILE)."""
    request = urllib.request.Request(
        emulator.url + path, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    context = ssl.create_default_context()
    try:
        with urllib.request.urlopen(request, context=context) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


# -- deactivated users --------------------------------------------------------------


def test_a_deactivated_super_admin_is_not_active(make_adapter: Build) -> None:
    users = {u.id: u for u in _scan(make_adapter()).users or []}
    assert users[ERIN].active is False  # an archived owner and a DEACTIVATE_USER event
    assert "account.super_admin" in (users[ERIN].permissions or [])  # still listed as such
    active_admins = [u.id for u in users.values() if u.active and u.permissions]
    assert ERIN not in active_admins and ADMIN in active_admins


def test_without_the_owners_scope_status_comes_from_events_or_is_a_gap(
    make_adapter: Build, emulator: HubSpotEmulator
) -> None:
    emulator.account.scopes.discard("crm.objects.owners.read")
    inv = _scan(make_adapter())
    users = {u.id: u for u in inv.users or []}
    assert users[ERIN].active is False  # DEACTIVATE_USER in the security log
    assert users[ADMIN].active is None  # nothing shows it: unknown, never "active"
    gap = inv.gap_for("users.active")
    assert gap is not None and gap.reason == GapReason.PERMISSION_MISSING
    assert "crm.objects.owners.read" in gap.detail
    # HubSpot's 403 named the scope: the gap of the owners step says so too.
    owners_calls = [r for r in emulator.requests if r.path == "/crm/v3/owners"]
    assert len(owners_calls) == 1


def test_a_user_no_owner_names_is_unclassified(
    make_adapter: Build, emulator: HubSpotEmulator
) -> None:
    emulator.account.owners = [o for o in emulator.account.owners if o.get("userId") != int(BOB)]
    inv = _scan(make_adapter())
    users = {u.id: u for u in inv.users or []}
    assert users[BOB].active is None
    gap = inv.gap_for("users.active")
    assert gap is not None and BOB in gap.detail and gap.reason == GapReason.API_ERROR


def test_an_owner_without_its_archived_flag_classifies_nobody(
    make_adapter: Build, emulator: HubSpotEmulator
) -> None:
    for owner in emulator.account.owners:
        if owner.get("userId") == int(ADMIN):
            owner.pop("archived")
    users = {u.id: u for u in _scan(make_adapter()).users or []}
    assert users[ADMIN].active is None


# -- service keys -------------------------------------------------------------------


def test_a_service_key_is_the_credential(emulator: HubSpotEmulator, sleeps: SleepRecorder) -> None:
    inv = _scan(_with_key(emulator, sleeps, service_key=SERVICE_KEY))
    assert {r.credential for r in emulator.requests} == {"service_key"}
    assert inv.users is not None and inv.gap_for("users") is None
    (own,) = inv.integrations or []
    assert own.kind == "api_token" and own.name.startswith("service key 880002")
    assert "crm.objects.owners.read" in (own.scopes or [])
    assert inv.extra["hubspot"]["credential"] == "service_key"


def test_a_service_key_missing_a_scope_gets_the_gap_naming_it(
    emulator: HubSpotEmulator, sleeps: SleepRecorder
) -> None:
    emulator.account.service_key_scopes.discard("settings.users.teams.read")
    inv = _scan(_with_key(emulator, sleeps, service_key=SERVICE_KEY))
    gap = inv.gap_for("users.teams")
    assert gap is not None and gap.reason == GapReason.PERMISSION_MISSING
    assert "settings.users.teams.read" in gap.detail and "service key" in gap.detail


def test_one_credential_exactly(emulator: HubSpotEmulator, sleeps: SleepRecorder) -> None:
    with pytest.raises(ConfigError, match="not both"):
        _scan(_with_key(emulator, sleeps, service_key=SERVICE_KEY, access_token=TOKEN))
    with pytest.raises(ConfigError, match="service key"):
        _scan(_with_key(emulator, sleeps))
    assert not emulator.requests


# -- what the emulator enforces, seen from the wire ------------------------------------


def test_emulator_refuses_a_limit_above_the_documented_maximum(emulator: HubSpotEmulator) -> None:
    status, body = _get(emulator, "/account-info/v3/activity/login?limit=201")
    assert status == 400 and body["category"] == "VALIDATION_ERROR"
    assert _get(emulator, "/account-info/v3/activity/login?limit=200")[0] == 200


def test_emulator_refuses_a_cursor_it_did_not_issue(emulator: HubSpotEmulator) -> None:
    status, body = _get(emulator, "/settings/v3/users?limit=2&after=MTA")
    assert status == 400 and "after" in body["message"]


def test_emulator_names_every_scope_that_opens_an_endpoint(emulator: HubSpotEmulator) -> None:
    emulator.account.scopes.discard("crm.objects.owners.read")
    status, body = _get(emulator, "/crm/v3/owners")
    assert status == 403 and body["category"] == "MISSING_SCOPES"
    assert body["errors"][0]["context"]["missingScopes"] == [
        "automation",
        "crm.objects.owners.read",
    ]


def test_every_answer_carries_the_rate_limit_headers(emulator: HubSpotEmulator) -> None:
    request = urllib.request.Request(
        emulator.url + "/account-info/v3/details", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    with urllib.request.urlopen(request, context=ssl.create_default_context()) as response:  # noqa: S310
        headers = {k.lower() for k in response.headers}
    assert {
        "x-hubspot-ratelimit-daily",
        "x-hubspot-ratelimit-daily-remaining",
        "x-hubspot-ratelimit-interval-milliseconds",
        "x-hubspot-ratelimit-max",
        "x-hubspot-ratelimit-remaining",
    } <= headers


def test_the_burst_window_is_waited_out_instead_of_drawing_429(
    emulator: HubSpotEmulator,
) -> None:
    emulator.account = large_account(NOW, users=450, logins=900)
    emulator.account.burst_per_10s = 4  # a tiny window: the scan must pace itself
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:  # the emulator's window moves with the waits
        waits.append(seconds)
        now[0] += seconds

    emulator.clock = lambda: now[0]
    settings = AdapterSettings({"access_token": TOKEN, "base_url": emulator.url})
    adapter = HubSpotAdapter(settings, sleep=sleep, clock=lambda: NOW)
    inv = _scan(adapter)
    assert not [g for g in inv.gaps if g.reason.value not in ("no_api", "not_available")]
    assert adapter.calls.retries == 0  # no 429 was drawn: nothing was sent twice
    assert waits and set(waits) == {10.0}
    assert adapter.calls.requests == len(emulator.requests)


# -- what the security log proves ------------------------------------------------------


def test_the_latest_sso_event_decides_the_requirement(make_adapter: Build) -> None:
    inv = _scan(make_adapter())
    # REQUIRE_SINGLE_SIGN_ON 80 days ago, UNREQUIRE_SINGLE_SIGN_ON 75 days ago.
    assert inv.auth.sso_enforced is False
    found = inv.extra["hubspot"]["security_evidence"]
    assert found["sso_required"].startswith("UNREQUIRE_SINGLE_SIGN_ON")
    assert found["ip_restrictions"].startswith("IP_RESTRICTIONS_ENABLED")
    assert any(c.startswith("SERVICE_KEY_CREATE") for c in found["credential_changes"])


def test_an_unreadable_security_event_voids_the_evidence(
    make_adapter: Build, emulator: HubSpotEmulator
) -> None:
    emulator.account.security.append(
        {"id": "9999", "userId": int(ADMIN), "createdAt": iso(NOW - timedelta(days=1))}
    )
    inv = _scan(make_adapter())
    gap = inv.gap_for("monitoring.security_activity")
    assert gap is not None and gap.reason == GapReason.MALFORMED_RESPONSE
    users = {u.id: u for u in inv.users or []}
    assert all(u.mfa is None and u.created_at is None for u in users.values())
    assert inv.auth.sso_enforced is None
    assert inv.extra["hubspot"]["security_evidence"] is None
    assert users[ERIN].active is False  # the owners API still says so


def test_mfa_evidence_for_every_active_user_is_judged(
    make_adapter: Build, emulator: HubSpotEmulator
) -> None:
    account = emulator.account
    for n, user in enumerate(account.users):
        account.security.append(
            {"id": str(9500 + n), "type": "ADD_TWO_FACTOR_AUTHENTICATION",
             "userId": int(user["id"]), "createdAt": iso(NOW - timedelta(days=2))}
        )  # fmt: skip
    inv = _scan(make_adapter())
    assert all(u.mfa is not None and u.mfa.status == "enrolled" for u in inv.users or [])
