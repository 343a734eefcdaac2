"""Collection from the emulated org: what is read, paging, the concurrency cap, reads only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adapters.zoho import ZohoAdapter
from scanner.adapter_api import CollectionScope, NullProgress
from scanner.model.inventory import Inventory
from tests.adapters.zoho.conftest import NOW, SCOPE, SleepRecorder, settings_for
from tests.emulators.zoho import ZohoEmulator
from tests.emulators.zoho import org as z
from tests.emulators.zoho.sample import DOMAIN, sample_org

READ_ONLY_EXCEPTIONS = {("POST", "/oauth/v2/token")}


def _writes(emulator: ZohoEmulator) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in emulator.requests
            if r.method != "GET" and (r.method, r.path) not in READ_ONLY_EXCEPTIONS]  # fmt: skip


def test_collects_the_org_users_profiles_roles_and_fields(
    collect: Callable[..., Inventory], emulator: ZohoEmulator
) -> None:
    inv = collect()
    assert inv.tenant.name == "Northwind Traders" and inv.tenant.edition == "enterprise"
    assert inv.tenant.instance_url == emulator.url and inv.tenant.api_version == "v8"
    users = {u.username: u for u in inv.users or []}
    assert len(users) == 40
    assert {u.active for u in users.values()} == {True, False}
    assert sum(1 for u in users.values() if u.active is False) == 4  # 2 disabled, 2 deleted
    assert sum(1 for u in users.values() if u.never_logged_in) == 4
    admins = [u for u in users.values() if u.active and "users.manage" in (u.permissions or [])]
    assert len(admins) == 7
    super_admin = next(u for u in users.values() if "account.super_admin" in (u.permissions or []))
    assert super_admin.username == f"ana.ortiz@{DOMAIN}"
    profiles = {p.name: p for p in inv.permission_sets or []}
    assert set(profiles) == {"Administrator", "Standard", "Sales Operations", "View Only"}
    assert profiles["Sales Operations"].permissions == ["data.export", "data.mass_update"]
    assert profiles["Standard"].permissions == []
    assert profiles["Administrator"].custom is False
    roles = {r.name: r for r in inv.roles or []}
    assert roles["Sales Representative"].parent_id == roles["Sales Manager"].id
    assert roles["CEO"].parent_id is None
    assert {(f.field, f.permission_set) for f in inv.field_permissions or [] if not f.read} == {
        ("Contacts.Date_of_Birth", "View Only"),
        ("Contacts.SSN", "Standard"),
        ("Contacts.SSN", "View Only"),
        ("Accounts.Bank_Account", "View Only"),
    }
    assert {f.name: f.encrypted for f in inv.encryption.fields or []} == {
        "Contacts.Date_of_Birth": False, "Contacts.SSN": True, "Accounts.Bank_Account": False,
    }  # fmt: skip
    assert inv.monitoring.audit_log_available is True
    collected_gaps = {
        g.collection for g in inv.gaps if g.reason.value not in ("no_api", "not_available")
    }
    assert collected_gaps == set()
    assert _writes(emulator) == []


def test_minimum_calls_and_credits(
    collect: Callable[..., Inventory], emulator: ZohoEmulator
) -> None:
    inv = collect()
    api_calls = [r for r in emulator.requests if r.path.startswith("/crm/")]
    # org, users (one page of 40), profiles, 4 single profiles, roles, 2 modules of
    # fields, audit-log export jobs.
    assert len(api_calls) == 11
    assert inv.api_usage is not None and inv.api_usage.credits_used == 11
    assert inv.api_usage.requests == 12  # and the one sign-in
    assert inv.extra["zoho"]["daily_credit_allowance"] == 50_000 + 45 * 1_000
    assert emulator.calls("/crm/v8/users")[0].query == {
        "type": "AllUsers",
        "page": "1",
        "per_page": "200",
    }
    assert emulator.calls("/oauth/v2/token")[0].query == {}  # the secrets travel in the form body


def test_users_are_paged_by_more_records(trust, sleeps: SleepRecorder) -> None:  # type: ignore[no-untyped-def]
    org = sample_org(NOW)
    template = org.users[10]
    for i in range(430):
        extra = dict(template, id=z.new_id(), email=f"bulk{i}@{DOMAIN}", zuid=str(900000 + i))
        org.users.append(extra)
    with ZohoEmulator(org) as server:
        trust(server)
        inv = ZohoAdapter(settings_for(server), sleep=sleeps).collect(SCOPE, NullProgress())
    assert len(inv.users or []) == 470
    assert [c.query["page"] for c in server.calls("/crm/v8/users")] == ["1", "2", "3"]
    assert inv.extra["zoho"]["pages"]["users"] == 3


def test_concurrency_stays_within_the_editions_cap(trust, sleeps: SleepRecorder) -> None:  # type: ignore[no-untyped-def]
    # A Free org allows 5 concurrent calls per app; the policy asks for 8 workers.
    org = sample_org(NOW)
    org.org["license_details"].update(paid=False, paid_type=None)
    for i in range(12):
        org.profiles.append(z.profile(f"Extra {i}", z.module_grants(("View",))))
    with ZohoEmulator(org, latency=0.05) as server:
        trust(server)
        scope = CollectionScope(sensitive_fields=(), max_workers=8)
        inv = ZohoAdapter(settings_for(server), sleep=sleeps).collect(scope, NullProgress())
    assert inv.tenant.edition == "free" and inv.extra["zoho"]["concurrency_cap"] == 5
    assert 1 < server.max_in_flight <= 5
    assert not any(g.reason.value == "rate_limited" for g in inv.gaps)
    assert len(inv.permission_sets or []) == 16


def test_audit_log_export_job_only_when_asked(
    collect: Callable[..., Inventory], emulator: ZohoEmulator, sleeps: SleepRecorder
) -> None:
    collect()
    assert not emulator.calls("/crm/v8/settings/audit_log_export") or all(
        r.method == "GET" for r in emulator.calls("/crm/v8/settings/audit_log_export")
    )
    emulator.credentials = type(emulator.credentials)(
        scopes=(*emulator.credentials.scopes, "ZohoCRM.settings.audit_logs.CREATE")
    )
    inv = collect(audit_log_export="True")
    posts = [r for r in emulator.requests if r.method == "POST" and r.path.startswith("/crm")]
    assert [(r.method, r.path) for r in posts] == [("POST", "/crm/v8/settings/audit_log_export")]
    job: dict[str, Any] = inv.extra["zoho"]["audit_log_export"]
    assert job["status"] == "finished" and job["download_links"] == 1 and job["window_days"] == 30
    assert sleeps.waits  # polled with a wait between polls


def test_audit_log_export_without_its_scope_is_a_permission_gap(
    collect: Callable[..., Inventory], emulator: ZohoEmulator
) -> None:
    inv = collect(audit_log_export="True")
    gap = inv.gap_for("monitoring.audit_log")
    assert gap is not None and gap.reason.value == "permission_missing"
    assert "ZohoCRM.settings.audit_logs.CREATE" in gap.detail
    assert inv.users is not None  # the rest was collected
