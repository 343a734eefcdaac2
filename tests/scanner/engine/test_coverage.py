"""Platform scope and capabilities: NOT_APPLICABLE, one MANUAL, or ERROR — said once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from scanner.engine.coverage import FIELD_ALIASES, capability_name, condition_fields
from scanner.language.policy import Attestation, Policy
from scanner.model.capabilities import (
    needs_edition,
    needs_permission,
    no_api,
    not_applicable,
)
from scanner.model.inventory import GapReason, Inventory
from scanner.model.resources import RESOURCE_KINDS
from tests.helpers import NOW, check_from_yaml, inventory, run, statuses

EXPORT = check_from_yaml(
    """
    id: TEST-EXPORT
    title: only approved users export
    severity: medium
    platforms: [salesforce, hubspot]
    resource: users
    requires: [users.permissions]
    where:
      all:
        - {field: active, op: eq, value: true}
        - {field: permissions, op: contains, value: data.export}
    assert: {field: username, op: in, value: [ok@a]}
    message: "{username} ({profile}) can export"
    remediation: remove the permission
    """
)
ANYWHERE = check_from_yaml(
    """
    id: TEST-ANY
    title: a custom check without a platforms list
    severity: low
    resource: users
    requires: [users]
    assert: {field: active, op: eq, value: true}
    message: "{username} is inactive"
    remediation: none
    """
)
ROLES = no_api(
    "users.permissions",
    "review the roles in Settings > Users & Teams > Roles ({permission_sets})",
    known_for="super admins",
)


def _hubspot(users: list[dict[str, Any]] | None, *declared: Any, **extra: Any) -> Inventory:
    inv = inventory(users=users, **extra)
    inv.tenant.platform = "hubspot"
    inv.capabilities = list(declared)
    return inv


HUBSPOT_USERS: list[dict[str, Any]] = [
    {"id": "h1", "username": "root@a", "active": True, "permissions": ["data.export"]},
    {"id": "h2", "username": "rep@a", "active": True, "permission_sets": ["Sales Rep"]},
    {"id": "h3", "username": "ops@a", "active": True, "permission_sets": ["Ops", "Sales Rep"]},
    {"id": "h4", "username": "new@a", "active": True, "permission_sets": []},
]


def test_platforms_list_excluding_the_platform_gives_one_not_applicable() -> None:
    only_sf = check_from_yaml(
        """
        id: TEST-SF
        title: salesforce only
        severity: low
        platforms: [salesforce]
        resource: users
        requires: [users]
        assert: {field: active, op: eq, value: true}
        message: "{username} is inactive"
        remediation: none
        """
    )
    inv = _hubspot([{"id": f"u{i}"} for i in range(130)])
    [finding] = run(only_sf, inv)
    assert finding.status.value == "NOT_APPLICABLE" and finding.resource is None
    assert "not applicable to hubspot" in finding.message() and "salesforce" in finding.message()
    assert finding.evidence()["platforms"] == ["salesforce"]


def test_a_check_without_platforms_runs_everywhere() -> None:
    inv = _hubspot([{"id": "u1", "active": True}, {"id": "u2", "active": False}])
    assert statuses(run(ANYWHERE, inv), inv.tenant) == {"u1": "PASS", "u2": "FAIL"}


def test_a_snapshot_is_judged_by_its_own_platform_and_declarations() -> None:
    inv = _hubspot(HUBSPOT_USERS, ROLES)
    again = Inventory.model_validate_json(inv.model_dump_json())
    assert statuses(run(EXPORT, again), again.tenant) == statuses(run(EXPORT, inv), inv.tenant)


def test_known_resources_are_judged_and_the_rest_is_one_manual() -> None:
    inv = _hubspot(HUBSPOT_USERS, ROLES)
    findings = run(EXPORT, inv)
    assert statuses(findings, inv.tenant) == {"h1": "FAIL", "00DTEST": "MANUAL"}
    manual = next(f for f in findings if f.status.value == "MANUAL")
    assert manual.message() == (
        "3 users undecided: review the roles in Settings > Users & Teams > Roles (Ops, Sales Rep)"
    )
    evidence = manual.evidence()
    assert evidence["undecided_count"] == 3 and evidence["undecided"] == ["rep@a", "ops@a", "new@a"]
    assert evidence["cause"] == {
        "kind": "capability",
        "collection": "users.permissions",
        "support": "no_api",
        "known_for": "super admins",
    }
    assert manual.represents == 3


def test_review_placeholder_without_values_drops_its_part() -> None:
    inv = _hubspot([HUBSPOT_USERS[3]], ROLES)
    [manual] = run(EXPORT, inv)
    assert (
        manual.message()
        == "1 users undecided: review the roles in Settings > Users & Teams > Roles"
    )


def test_an_attestation_decides_the_grouped_manual_but_not_the_known_failures() -> None:
    attested = Policy(
        name="p",
        attestations=[
            Attestation(
                "TEST-EXPORT", "roles reviewed", NOW.date() - timedelta(days=3), "a", "pass"
            )
        ],
    )
    inv = _hubspot(HUBSPOT_USERS, ROLES)
    assert statuses(run(EXPORT, inv, attested), inv.tenant) == {"h1": "FAIL", "00DTEST": "PASS"}


def test_a_value_the_platform_provides_stays_a_per_resource_error() -> None:
    users = [*HUBSPOT_USERS, {"id": "h5", "username": "odd@a", "permission_sets": ["Ops"]}]
    inv = _hubspot(users, ROLES)  # h5's 'active' is missing: not explained by a capability
    result = statuses(run(EXPORT, inv), inv.tenant)
    assert result == {"h1": "FAIL", "h5": "ERROR", "00DTEST": "MANUAL"}


def test_wholly_unavailable_collection_is_one_manual_whatever_the_data() -> None:
    mfa = check_from_yaml(
        """
        id: TEST-MFA
        title: users have MFA
        severity: high
        resource: users
        requires: [users.mfa]
        assert: {field: mfa.status, op: eq, value: enrolled}
        message: "{username} has no MFA"
        remediation: enrol
        """
    )
    review = "HubSpot has no API for per-user 2FA: review Settings > Users & Teams"
    users = [{"id": "u1", "mfa": {"status": "enrolled"}}, {"id": "u2"}]
    [finding] = run(mfa, _hubspot(users, no_api("users.mfa", review)))
    assert finding.status.value == "MANUAL" and finding.message() == review
    assert finding.resource is None


def test_not_applicable_capability_is_one_not_applicable() -> None:
    roles = check_from_yaml(
        """
        id: TEST-ROLES
        title: role hierarchy is shallow
        severity: low
        resource: roles
        requires: [roles]
        assert: {field: name, op: ne, value: CEO}
        message: "{name}"
        remediation: none
        """
    )
    inv = _hubspot(None, not_applicable("roles", "HubSpot has no role hierarchy"))
    [finding] = run(roles, inv)
    assert finding.status.value == "NOT_APPLICABLE"
    assert finding.message() == "HubSpot has no role hierarchy"


def test_failed_collection_is_error_naming_what_it_needs() -> None:
    inv = _hubspot(None, needs_permission("users", "the scope settings.users.read"), ROLES)
    inv.add_gap("users", GapReason.PERMISSION_MISSING, "403 MISSING_SCOPES")
    [finding] = run(EXPORT, inv)
    assert finding.status.value == "ERROR"
    assert finding.message() == (
        "users not collected (permission_missing): 403 MISSING_SCOPES; "
        "needs the scope settings.users.read"
    )


def test_a_null_field_with_a_gap_names_the_gap() -> None:
    check = check_from_yaml(
        """
        id: TEST-LOGIN
        title: no logins without MFA
        severity: high
        resource: users
        requires: [users.login]
        assert: {field: login.successes_without_mfa, op: eq, value: 0}
        message: "{username}"
        remediation: none
        """
    )
    inv = inventory(users=[{"id": "u1", "login": {"window_days": 30, "successes": 2}}])
    inv.capabilities = [needs_permission("users.login_mfa", "Manage Users")]
    inv.add_gap("users.login_mfa", GapReason.PERMISSION_MISSING, "INSUFFICIENT_ACCESS")
    [finding] = run(check, inv)
    assert finding.status.value == "ERROR"
    assert "users.login_mfa not collected (permission_missing): INSUFFICIENT_ACCESS" in (
        finding.message()
    )
    assert "needs Manage Users" in finding.message()


def test_edition_without_the_data_is_one_manual_naming_the_edition() -> None:
    check = check_from_yaml(
        """
        id: TEST-AUDIT
        title: audit log kept
        severity: medium
        resource: tenant
        requires: [monitoring]
        assert: {field: monitoring.audit_log_days, op: ge, value: 365}
        message: "audit log {monitoring.audit_log_days} days"
        remediation: export it
        """
    )
    inv = _hubspot(None, needs_edition("monitoring.audit_log", "HubSpot Enterprise"))
    inv.tenant.edition = "STANDARD"
    inv.add_gap("monitoring.audit_log", GapReason.NOT_AVAILABLE, "403 on this tier")
    [finding] = run(check, inv)
    assert finding.status.value == "MANUAL"
    assert finding.message() == (
        "monitoring.audit_log exists only on HubSpot Enterprise (this tenant: STANDARD): "
        "403 on this tier"
    )


def test_legacy_no_api_gap_is_still_manual() -> None:
    inv = _hubspot(HUBSPOT_USERS)
    inv.add_gap("users.permissions", GapReason.NO_API, "review roles")
    [finding] = run(EXPORT, inv)
    assert finding.status.value == "MANUAL" and finding.message() == "review roles"


def test_partial_listing_judges_what_is_seen_and_adds_one_manual() -> None:
    check = check_from_yaml(
        """
        id: TEST-APPS
        title: apps hold allowed scopes
        severity: medium
        resource: integrations
        requires: [integrations]
        assert: {field: scopes, op: subset_of, value: [a]}
        message: "{name} holds {scopes}"
        remediation: remove scopes
        """
    )
    listing = no_api("integrations", "review Settings > Integrations", known_for="the scanning app")
    apps = [{"id": "1", "name": "scanner", "kind": "private_app", "scopes": ["a", "b"]}]
    findings = run(check, _hubspot(None, listing, integrations=apps))
    assert [f.status.value for f in findings] == ["FAIL", "MANUAL"]
    assert findings[1].message() == (
        "integrations beyond the scanning app cannot be listed: review Settings > Integrations"
    )


def test_field_names_map_to_capabilities() -> None:
    users, tenant = RESOURCE_KINDS["users"], RESOURCE_KINDS["tenant"]
    assert capability_name(users, "mfa.status") == "users.mfa.status"
    assert capability_name(users, "login.successes_without_mfa") == "users.login_mfa"
    assert capability_name(tenant, "auth.mfa_enforced") == "auth.mfa"
    assert capability_name(RESOURCE_KINDS["encryption.keys"], "created_at") == (
        "encryption.at_rest.created_at"
    )
    assert capability_name(RESOURCE_KINDS["permission_sets"], "login_ip_ranges") == (
        "permission_sets.ip_ranges"
    )
    assert all("." in alias for alias in FIELD_ALIASES)


def test_condition_fields_reads_one_level() -> None:
    tree = {
        "all": [
            {"field": "active", "op": "eq", "value": True},
            {"not": {"any": [{"field": "a.b", "op": "exists"}, {"field": "active", "op": "eq"}]}},
            {"field": "grants", "op": "any_match", "match": {"field": "x", "op": "eq"}},
        ]
    }
    assert condition_fields(tree) == ["active", "a.b", "grants"]
    assert condition_fields(None) == []


def test_a_snapshot_without_declarations_gets_its_platform_adapters() -> None:
    from scanner.engine.scan import declare_capabilities

    old = _hubspot(HUBSPOT_USERS)  # saved before capabilities existed
    declare_capabilities(old)
    assert old.capability_table().lookup("users.permissions").known_for == "super admins"
    own = _hubspot(HUBSPOT_USERS, ROLES)  # its own declarations win
    declare_capabilities(own)
    assert [c.collection for c in own.capabilities] == ["users.permissions"]
    unknown = inventory(users=[])
    unknown.tenant.platform = "examplecrm"
    assert declare_capabilities(unknown).capabilities == []
