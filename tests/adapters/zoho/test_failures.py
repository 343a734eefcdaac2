"""Every failure becomes a gap on what it affects, and the checks that need it say ERROR,
never PASS; the rest of the org is still collected."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from adapters.zoho import ZohoAdapter
from scanner.adapter_api import CollectionScope, NullProgress
from scanner.model.inventory import Inventory
from tests.adapters.zoho.conftest import SleepRecorder, settings_for, verdicts
from tests.emulators.zoho import Credentials, ZohoEmulator, zoho_error

Collect = Callable[..., Inventory]
PERMISSION_CHECKS = ("PRIV-001", "PRIV-002", "PRIV-005", "PRIV-011")


def _gap(inv: Inventory, collection: str) -> tuple[str, str]:
    gap = inv.gap_for(collection)
    assert gap is not None, [g.collection for g in inv.gaps]
    return gap.reason.value, gap.detail


def _no_pass(inv: Inventory, *checks: str) -> None:
    found = verdicts(inv)
    for check in checks:
        assert "PASS" not in {s for s, _ in found.get(check, [])}, (check, found[check])


def test_missing_scope_for_profiles(collect: Collect, emulator: ZohoEmulator) -> None:
    scopes = tuple(s for s in emulator.credentials.scopes if "profiles" not in s)
    emulator.credentials = Credentials(scopes=scopes)
    inv = collect()
    reason, detail = _gap(inv, "permission_sets")
    assert reason == "permission_missing" and "ZohoCRM.settings.profiles.READ" in detail
    assert "OAUTH_SCOPE_MISMATCH" in detail
    assert _gap(inv, "users.permissions")[0] == "api_error"
    assert inv.users is not None and all(u.permissions is None for u in inv.users)
    _no_pass(inv, *PERMISSION_CHECKS)
    assert {s for s, _ in verdicts(inv)["PRIV-001"]} == {"ERROR"}


def test_profile_permission_refused_names_it(collect: Collect, emulator: ZohoEmulator) -> None:
    emulator.deny("/crm/v8/settings/roles", "Crm_Implied_Manage_Roles")
    inv = collect()
    reason, detail = _gap(inv, "roles")
    assert reason == "permission_missing" and "Crm_Implied_Manage_Roles" in detail
    assert inv.users is not None and inv.permission_sets is not None


def test_rate_limit_is_retried_honouring_retry_after(
    collect: Collect, emulator: ZohoEmulator, sleeps: SleepRecorder
) -> None:
    body = zoho_error("TOO_MANY_REQUESTS", "Concurrency limit exceeded")
    emulator.fail("/crm/v8/users", 429, body, headers={"Retry-After": "7"}, times=2)
    inv = collect()
    assert inv.users is not None and len(inv.users) == 40
    assert sleeps.waits == [7.0, 7.0]


def test_persistent_rate_limit_is_a_rate_limited_gap(
    collect: Collect, emulator: ZohoEmulator, sleeps: SleepRecorder
) -> None:
    emulator.fail("/crm/v8/users", 429, zoho_error("TOO_MANY_REQUESTS", "slow down"), times=50)
    inv = collect()
    assert _gap(inv, "users")[0] == "rate_limited"
    assert len(sleeps.waits) == 4  # five attempts
    _no_pass(inv, "PRIV-001", "PRIV-006", "PRIV-011")


def test_used_up_credits_stop_at_once(
    collect: Collect, emulator: ZohoEmulator, sleeps: SleepRecorder
) -> None:
    emulator.fail("/crm/v8/settings/fields", 400,
                  zoho_error("LIMIT_REACHED", "API limit reached"), times=50)  # fmt: skip
    inv = collect()
    reason, detail = _gap(inv, "field_permissions")
    assert reason == "rate_limited" and "credits" in detail
    assert _gap(inv, "encryption.fields")[0] == "rate_limited"
    assert len(emulator.calls("/crm/v8/settings/fields")) == 1 and sleeps.waits == []
    _no_pass(inv, "PRIV-012", "ENC-002")


def test_server_errors_are_retried_then_an_api_error(
    collect: Collect, emulator: ZohoEmulator, sleeps: SleepRecorder
) -> None:
    emulator.fail(
        "/crm/v8/settings/roles",
        500,
        zoho_error("INTERNAL_ERROR", "Internal Server Error"),
        times=9,
    )
    inv = collect()
    assert _gap(inv, "roles")[0] == "api_error" and len(sleeps.waits) == 4
    assert inv.users is not None


@pytest.mark.parametrize(
    "body", [b'{"users": [{"id": "1", "status": "act', b"<html>busy</html>", b""]
)
def test_malformed_users_answer(collect: Collect, emulator: ZohoEmulator, body: bytes) -> None:
    emulator.fail("/crm/v8/users", 200, body)
    inv = collect()
    assert _gap(inv, "users")[0] == "malformed_response"
    assert inv.users is None
    _no_pass(inv, "PRIV-001", "PRIV-005", "PRIV-006", "PRIV-011")


def test_users_page_without_more_records_is_malformed(
    collect: Collect, emulator: ZohoEmulator
) -> None:
    emulator.fail("/crm/v8/users", 200, {"users": [{"id": "1"}], "info": {"page": 1}})
    assert _gap(collect(), "users")[0] == "malformed_response"


def test_a_profile_without_permissions_details_leaves_its_users_unknown(
    collect: Collect, emulator: ZohoEmulator
) -> None:
    ops = next(p for p in emulator.org.profiles if p["name"] == "Sales Operations")
    ops["permissions_details"] = None  # documented as present; Zoho could still omit it
    inv = collect()
    assert "Sales Operations" in inv.extra["zoho"]["profiles_not_understood"]
    on_ops = [u for u in inv.users or [] if u.profile == "Sales Operations"]
    assert on_ops and all(u.permissions is None for u in on_ops)
    export = verdicts(inv)["PRIV-011"]
    assert {s for s, n in export if n in {u.username for u in on_ops if u.active}} == {"ERROR"}


def test_one_profile_failing_does_not_lose_the_others(
    collect: Collect, emulator: ZohoEmulator
) -> None:
    ops = next(p for p in emulator.org.profiles if p["name"] == "Sales Operations")
    emulator.fail(f"/crm/v8/settings/profiles/{ops['id']}", 403,
                  zoho_error("NO_PERMISSION", "permission denied", permissions=["Crm_Implied_Manage_Profiles"]))  # fmt: skip
    inv = collect()
    sets = {p.name: p.permissions for p in inv.permission_sets or []}
    assert sets["Sales Operations"] is None and sets["Administrator"]
    assert "Crm_Implied_Manage_Profiles" in " ".join(inv.extra["zoho"]["profile_errors"])


def test_hung_answer_ends_at_the_deadline(emulator: ZohoEmulator, sleeps: SleepRecorder) -> None:
    emulator.fail("/crm/v8/settings/roles", 200, {"roles": []}, hang=3.0)
    scope = CollectionScope(sensitive_fields=(), deadline=time.monotonic() + 1.5)
    started = time.monotonic()
    inv = ZohoAdapter(settings_for(emulator), sleep=sleeps).collect(scope, NullProgress())
    assert time.monotonic() - started < 3.0
    reason, detail = _gap(inv, "roles")
    assert reason == "api_error"


def test_unknown_user_status_is_unknown_not_inactive(
    collect: Collect, emulator: ZohoEmulator
) -> None:
    emulator.org.users[12]["status"] = "hibernating"
    inv = collect()
    odd = inv.users[12] if inv.users else None
    assert odd is not None and odd.active is None
    assert ("ERROR", odd.username) in verdicts(inv)["PRIV-006"]


def test_credit_budget_stops_with_an_api_limit_reserve_gap(
    collect: Collect, emulator: ZohoEmulator
) -> None:
    inv = collect(max_credits="3")  # org, users, profile listing; then stop
    assert inv.users is not None and inv.permission_sets is not None
    reason, detail = _gap(inv, "users.permissions")
    assert reason == "api_limit_reserve" and "--max-credits" in detail
    assert inv.api_usage is not None and inv.api_usage.credits_used == 3
    _no_pass(inv, *PERMISSION_CHECKS)


def test_bad_credit_budget_is_a_config_error(collect: Collect) -> None:
    from scanner.errors import ConfigError

    with pytest.raises(ConfigError, match="--max-credits"):
        collect(max_credits="lots")


def test_field_permissions_hidden_from_the_scanning_user(
    collect: Collect, emulator: ZohoEmulator
) -> None:
    emulator.org.hide_field_permissions = True
    inv = collect()
    reason, detail = _gap(inv, "field_permissions")
    assert reason == "permission_missing" and "module customization" in detail
    assert inv.encryption.fields is not None  # the fields' encryption was still read
    _no_pass(inv, "PRIV-012")


def test_empty_listing_is_no_content_not_a_failure(
    collect: Collect, emulator: ZohoEmulator
) -> None:
    emulator.org.roles = []
    emulator.fail("/crm/v8/settings/roles", 204, b"")
    inv = collect()
    assert inv.roles == [] and inv.gap_for("roles") is None


def test_unknown_module_means_no_such_field(collect: Collect) -> None:
    inv = collect(CollectionScope(sensitive_fields=("Contact.SSN__c", "Contacts.SSN")))
    assert {f.name: f.exists for f in inv.encryption.fields or []} == {
        "Contact.SSN__c": False, "Contacts.SSN": True,
    }  # fmt: skip
    assert inv.gap_for("field_permissions") is None
