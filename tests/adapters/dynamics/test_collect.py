"""Collecting the emulated environment through the adapter's real client code."""

from __future__ import annotations

from collections.abc import Callable

from scanner.model.inventory import Inventory
from tests.adapters.dynamics.conftest import user, verdicts
from tests.emulators.dynamics import DynamicsEmulator


def test_collects_users_roles_teams_and_auditing(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator
) -> None:
    inventory = collect()
    assert inventory.tenant.name == "Fabrikam Outdoors"
    assert inventory.tenant.platform == "dynamics"
    assert inventory.tenant.id == emulator.env.tables["organizations"][0]["organizationid"]
    assert inventory.users is not None and len(inventory.users) == 38
    dana = user(inventory, "dana.lee")
    assert dana.kind == "human" and dana.active is True and dana.access_mode == "read_write"
    assert dana.department == "fabrikam" and dana.license == "licensed"
    assert {"account.super_admin", "data.modify_all", "data.view_all", "users.manage"} <= set(
        dana.permissions
    )
    assert dana.permission_sets == ["System Administrator"]
    assert dana.mfa is not None and dana.mfa.status == "not_enrolled" and dana.mfa.methods == []
    erp = user(inventory, "erp-connector")
    assert erp.kind == "integration" and erp.access_mode == "application"
    assert "account.super_admin" in erp.permissions and erp.mfa is None
    # Team roles count: Kofi gets bulk delete and export from the Data Stewards team.
    kofi = user(inventory, "kofi.mensah")
    assert {"data.mass_delete", "data.export"} <= set(kofi.permissions)
    assert "Data Steward (team Data Stewards)" in kofi.permission_sets
    assert any(g.source_name == "Data Steward (team Data Stewards)" for g in kofi.grants or [])
    assert "prvBulkDelete:global" in (kofi.raw_permissions or [])
    # The Delegate role may act on behalf of others.
    assert "users.impersonate" in user(inventory, "jade.wong").permissions
    # Auditing is off: no audit log and no user access log at all.
    assert inventory.monitoring.audit_log_days == 0
    assert inventory.monitoring.login_history_days == 0
    assert inventory.auth.mfa_enforced is True
    assert inventory.extra["dynamics"]["mfa_enforcement"]["exclusions"]


def test_roles_are_resolved_to_their_root_and_listed_once(
    collect: Callable[..., Inventory],
) -> None:
    inventory = collect()
    assert inventory.permission_sets is not None
    names = [p.name for p in inventory.permission_sets]
    assert len(names) == len(set(names)) == 10  # one per root role, not per business unit
    admin = next(p for p in inventory.permission_sets if p.name == "System Administrator")
    assert admin.kind == "role" and admin.custom is False
    assert admin.active_assignee_count == 8 and admin.assignee_count == 9  # one disabled
    assert "prvReadAccount:global" in (admin.raw_permissions or [])
    reader = next(p for p in inventory.permission_sets if p.name == "crmscan Reader")
    assert reader.custom is True and reader.permissions == []


def test_business_units_are_the_hierarchy(collect: Callable[..., Inventory]) -> None:
    inventory = collect()
    assert inventory.roles is not None
    by_name = {r.name: r for r in inventory.roles}
    assert by_name["EMEA Sales"].parent_id == by_name["Sales"].id
    assert by_name["fabrikam"].parent_id is None


def test_field_security_covers_users_directly_and_through_teams(
    collect: Callable[..., Inventory],
) -> None:
    inventory = collect()
    rows = {(f.permission_set, f.field): f for f in inventory.field_permissions or []}
    sensitive = rows[("Sensitive Contact Data", "Contact.Birthdate")]
    assert sensitive.read is True and sensitive.edit is False
    # Gustav directly, Hana and Ivan through the Sales Managers team.
    assert sensitive.active_assignee_count == 3
    assert ("System Administrator", "Contact.Birthdate") in rows
    assert not any(f.field == "Contact.SSN__c" for f in inventory.field_permissions or [])


def test_last_sign_in_comes_from_entra(collect: Callable[..., Inventory]) -> None:
    inventory = collect()
    dev = user(inventory, "dev.patel")
    assert (
        dev.last_login_at is not None
        and (inventory.tenant.collected_at - dev.last_login_at).days == 131
    )
    will = user(inventory, "will.turner")
    assert will.never_logged_in is True and will.last_login_at is None
    # Application users have no Entra user object: unknown, not "never".
    erp = user(inventory, "erp-connector")
    assert erp.last_login_at is None and erp.never_logged_in is None


def test_one_page_per_entity_set_and_the_request_count(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator
) -> None:
    inventory = collect()
    pages = inventory.extra["dynamics"]["pages"]
    for entity_set in (
        "organizations", "businessunits", "systemusers", "teams", "roles", "privileges",
        "roleprivilegescollection", "fieldsecurityprofiles",
    ):  # fmt: skip
        assert pages[entity_set] == 1, entity_set
    dataverse = [r for r in emulator.served("dataverse") if r.path.startswith("/api/")]
    assert len(dataverse) == 9  # WhoAmI + eight entity sets
    assert all(r.headers.get("prefer") == "odata.maxpagesize=5000" for r in dataverse)
    # Sign-in: the tenant's OpenID configuration once, one token per resource.
    entra = emulator.served("entra")
    assert [r.method for r in entra] == ["GET", "POST", "POST"]
    probe = [r for r in emulator.requests if r.path == "/"]  # the TLS probe's HSTS read
    assert len(probe) == 1 and not probe[0].authorized
    assert inventory.api_usage is not None
    assert inventory.api_usage.requests == len(emulator.requests) - len(probe)


def test_follows_next_links_when_pages_are_smaller(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator
) -> None:
    emulator.dataverse.page_cap = 7
    inventory = collect()
    assert inventory.users is not None and len(inventory.users) == 38
    assert inventory.extra["dynamics"]["pages"]["systemusers"] == 6
    assert inventory.extra["dynamics"]["pages"]["roleprivilegescollection"] == 31
    links = [r for r in emulator.served("dataverse", "/systemusers") if "$skiptoken" in r.query]
    assert len(links) == 5


def test_graph_users_are_paged_by_120(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator
) -> None:
    for index in range(300):
        emulator.env.graph_users.append(
            {
                "id": f"00000000-0000-4000-8000-{index:012d}",
                "userPrincipalName": f"extra{index}@fabrikam-outdoors.example",
                "accountEnabled": True,
                "signInActivity": None,
            }
        )
    inventory = collect()
    served = emulator.served("graph", "/v1.0/users")
    assert len(served) == 3  # 335 users, 120 per page
    assert user(inventory, "dev.patel").last_login_at is not None


def test_planted_problems_fail_under_their_ids(collect: Callable[..., Inventory]) -> None:
    found = verdicts(collect())
    assert "erp-connector@fabrikam-outdoors.example" in found["PRIV-009"]["FAIL"]
    assert "dana.lee@fabrikam-outdoors.example" in found["AUTH-002"]["FAIL"]
    assert found["PRIV-001"]["FAIL"] == {"Fabrikam Outdoors"}
    assert found["MON-003"]["FAIL"] == {"Fabrikam Outdoors"}
    assert found["AUTH-001"] == {"PASS": {"Fabrikam Outdoors"}}
    # The non-admin application user passes PRIV-009.
    assert "marketing-sync@fabrikam-outdoors.example" in found["PRIV-009"]["PASS"]
