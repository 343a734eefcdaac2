"""What the adapter collects from the sample org, how it pages, and that it only reads."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from adapters.salesforce import SalesforceAdapter
from scanner.model.capabilities import Support
from scanner.model.inventory import Inventory, User
from tests.adapters.salesforce.conftest import SCOPE, Progress, make_adapter, verdicts
from tests.emulators.salesforce import SalesforceEmulator
from tests.emulators.salesforce.bigorg import synthetic_org
from tests.emulators.salesforce.server import PAGE_SIZE

READ_POSTS = ("/services/oauth2/token", "/services/Soap/u/", "/services/Soap/m/")


@pytest.fixture
def inventory(emulator: SalesforceEmulator) -> Inventory:
    return make_adapter(emulator).collect(SCOPE, Progress())


def _user(inventory: Inventory, prefix: str) -> User:
    assert inventory.users is not None
    return next(u for u in inventory.users if (u.username or "").startswith(prefix))


def test_tenant_and_api_usage(emulator: SalesforceEmulator, inventory: Inventory) -> None:
    tenant = inventory.tenant
    assert (tenant.id, tenant.name, tenant.edition, tenant.is_sandbox) == (
        "00D5g000004ACMEEA2",
        "Acme Outfitters",
        "Enterprise Edition",
        False,
    )
    assert tenant.api_version == "62.0" and tenant.instance_url == emulator.url
    assert inventory.api_usage is not None
    api_calls = [r for r in emulator.log if r.path != "/"]  # "/" is the TLS probe's HSTS GET
    assert inventory.api_usage.requests == len(api_calls)
    transport = inventory.encryption.transport
    assert transport is not None and transport.hsts is True
    assert transport.tls_versions and "TLSv1.2" in transport.tls_versions
    soap_calls = len(emulator.requests_matching("/services/Soap/m/"))
    assert soap_calls > 0  # Metadata API answers carry no Sforce-Limit-Info header
    used = inventory.api_usage.daily_used
    assert used is not None and emulator.api_used - soap_calls <= used <= emulator.api_used
    assert inventory.api_usage.daily_limit == 15000
    assert [g.collection for g in inventory.gaps] == []


def test_planted_problems_are_in_the_inventory(inventory: Inventory) -> None:
    bob, dana = _user(inventory, "bob.ng"), _user(inventory, "dana.ruiz")
    for admin in (bob, dana):
        assert admin.kind == "human" and admin.profile == "System Administrator"
        assert admin.mfa is not None and admin.mfa.status == "not_enrolled"
        assert admin.sso is False
    assert dana.mfa is not None and dana.mfa.methods == ["email"]
    carol = _user(inventory, "carol.diaz")
    assert carol.last_login_at is not None
    assert (datetime.now(timezone.utc) - carol.last_login_at).days >= 120
    assert "data.modify_all" in (carol.permissions or [])
    integration = _user(inventory, "integration@")
    assert integration.kind == "integration"
    assert "data.modify_all" in (integration.permissions or [])
    assert "ApiUserOnly" in (integration.raw_permissions or [])
    grant = next(g for g in integration.grants or [] if g.permission == "data.modify_all")
    assert (grant.source_kind, grant.source_name) == ("profile", "Acme Integration")
    fields = {f.name: f for f in inventory.encryption.fields or []}
    assert fields["Contact.SSN__c"].encrypted is False and fields["Contact.SSN__c"].exists
    assert fields["Contact.Birthdate"].scheme == "probabilistic"
    assert inventory.auth.session_policy is not None
    assert inventory.auth.session_policy.timeout_minutes == 720


def test_the_checks_flag_the_planted_problems(inventory: Inventory) -> None:
    found = verdicts(inventory)
    failing = {
        check: {name for status, name, _ in rows if status == "FAIL"}
        for check, rows in found.items()
    }
    assert {"bob.ng@acme-outfitters.example", "dana.ruiz@acme-outfitters.example"} <= failing[
        "AUTH-002"
    ]
    assert failing["PRIV-005"] == {"carol.diaz@acme-outfitters.example"}
    assert failing["PRIV-009"] == {"integration@acme-outfitters.example"}
    assert failing["ENC-002"] == {"Contact.SSN__c"}
    assert failing["AUTH-008"] == {"Acme Outfitters"}
    # Every finding is decided, except where Salesforce declares it has no API (DATA-006's
    # backups: the capability engine says MANUAL there, decided by an attestation).
    no_api = {"DATA-006"}
    assert all(
        SalesforceAdapter.capabilities.lookup("data.backup").support is Support.NO_API
        for _ in no_api
    )
    assert not [
        (check, row)
        for check, rows in found.items()
        for row in rows
        if row[0] == "ERROR" and check not in no_api
    ]
    # The planted DATA problems (issue 18).
    assert failing["DATA-002"] == {"Lead"}
    assert failing["DATA-003"] == {"Contact.Birthdate"}
    assert failing["DATA-007"] == {"Lead"}
    assert {name for status, name, _ in found["DATA-001"] if status == "PASS"} == {
        "Account",
        "Contact",
        "Lead",
    }
    assert [status for status, _, _ in found["DATA-005"]] == ["PASS"]


def test_user_kinds_and_portal_guest_access(inventory: Inventory) -> None:
    kinds = Counter(u.kind for u in inventory.users or [])
    assert kinds == Counter(human=44, integration=2, portal=1, guest=1, automated=1) + Counter(
        human=1
    )
    guest = _user(inventory, "acme_site@")
    assert guest.kind == "guest"
    assert guest.object_access is not None and guest.object_access.readable == ["Account"]
    assert guest.object_access.editable == []
    assert _user(inventory, "marta.klein").kind == "portal"
    assert _user(inventory, "autoproc@").kind == "automated"


def test_permission_sets_groups_and_grants(inventory: Inventory) -> None:
    sets = {p.name: p for p in inventory.permission_sets or []}
    assert sets["System Administrator"].kind == "profile"
    assert sets["System Administrator"].custom is False
    assert sets["System Administrator"].active_assignee_count == 4
    assert sets["System Administrator"].login_ip_ranges is not None
    assert sets["Acme Integration"].password_policy is not None
    assert sets["Acme Integration"].password_policy.min_length == 20
    assert sets["Sales_Leadership"].kind == "permission_set_group"
    assert sets["Sales_Leadership"].raw_permissions == [
        "ExportReport",
        "ManageDashboards",
        "RunReports",
    ]
    assert "Sales_Leadership_aggregate" not in sets
    leader = next(
        u for u in inventory.users or [] if "Sales_Leadership" in (u.permission_sets or [])
    )
    assert any(g.source_kind == "permission_set_group" for g in leader.grants or [])
    assert inventory.field_permissions is not None
    ssn_readers = {
        f.permission_set
        for f in inventory.field_permissions
        if f.field == "Contact.SSN__c" and f.read
    }
    assert ssn_readers == {"System Administrator", "Acme Support", "Acme Integration"}
    roles = {r.name: r for r in inventory.roles or []}
    assert roles["Sales Rep"].parent_id == roles["VP Sales"].id


def test_login_summaries(inventory: Inventory) -> None:
    burst = next(u for u in inventory.users or [] if u.login and u.login.failures)
    assert burst.login is not None
    assert burst.login.failures == 12 and burst.login.max_failures_per_hour == 12
    bob = _user(inventory, "bob.ng")
    assert bob.login is not None and bob.login.successes == bob.login.successes_without_mfa > 0
    alice = _user(inventory, "alice.moreno")
    # SAML logins through a configuration with OptionsRequireMfaSaml: settled by the MFA
    # verifications Salesforce recorded for them.
    assert alice.login is not None and alice.login.successes_without_mfa == 0
    # "Disable login with Salesforce credentials" is off: nobody is SSO-only.
    assert alice.sso is False and inventory.auth.sso_enforced is False
    assert inventory.auth.sso_providers == ["saml:Okta"]


def test_settings_health_check_encryption_integrations(inventory: Inventory) -> None:
    auth = inventory.auth
    assert auth.mfa_enforced is True
    assert auth.password_policy is not None and auth.password_policy.min_length == 10
    assert auth.password_policy.expiry_days == 90 and auth.password_policy.lockout_attempts == 5
    assert auth.trusted_networks is not None and auth.trusted_networks[0].start == "203.0.113.0"
    assert inventory.health_check is not None and inventory.health_check.score == 71
    assert inventory.health_check.risks is not None
    assert inventory.health_check.risks[0].risk_type == "HIGH_RISK"
    enc = inventory.encryption
    assert enc.at_rest_enabled is True and enc.deterministic_enabled is True
    assert enc.keys is not None and [k.status for k in enc.keys] == ["archived", "active", "active"]
    kinds = Counter(i.kind for i in inventory.integrations or [])
    assert kinds == Counter(connected_app=3, oauth_token=3, named_credential=1, remote_site=2)
    apps = {i.name: i for i in inventory.integrations or [] if i.kind == "connected_app"}
    assert apps["Marketing Sync"].admin_approved_only is False
    assert apps["Marketing Sync"].refresh_token_policy == "infinite"
    tokens = [i for i in inventory.integrations or [] if i.kind == "oauth_token"]
    assert "integration@acme-outfitters.example" in {t.user for t in tokens}


def test_permissions_are_discovered_through_describe(emulator: SalesforceEmulator) -> None:
    permset = emulator.org.sobjects["PermissionSet"]
    permset.fields.append({"name": "PermissionsBrandNewPower", "type": "boolean"})
    for record in permset.records:
        record["PermissionsBrandNewPower"] = record["Name"] == "Sales_Ops"
    inventory = make_adapter(emulator).collect(SCOPE, Progress())
    sets = {p.name: p for p in inventory.permission_sets or []}
    assert "BrandNewPower" in (sets["Sales_Ops"].raw_permissions or [])
    assert "BrandNewPower" not in (sets["Report_Builder"].raw_permissions or [])


def test_pagination_follows_next_records_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = synthetic_org(users=4500, permission_sets=60, assignments=5200)
    with SalesforceEmulator(org) as emu:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", emu.ca_file(str(tmp_path)))
        inventory = make_adapter(emu).collect(SCOPE, Progress())
    assert inventory.users is not None and len(inventory.users) == 4500
    assert len({u.id for u in inventory.users}) == 4500
    user_pages = [r for r in emu.log if re.search(r"FROM User\b", r.text)]
    assert [r.text.rsplit(" ", 1)[-1] for r in user_pages[1:]] == ["#page2", "#page3"]
    assert all(r.path.rstrip("/").endswith("/query") or "/query/01g" in r.path for r in user_pages)
    assignment_pages = emu.requests_matching("FROM PermissionSetAssignment")
    assert len(assignment_pages) == -(-5200 // PAGE_SIZE)
    assert (
        sum(
            p.assignee_count or 0
            for p in inventory.permission_sets or []
            if p.kind == "permission_set"
        )
        == 5200 - 4500
    )


def test_one_query_per_object(emulator: SalesforceEmulator) -> None:
    make_adapter(emulator).collect(SCOPE, Progress())
    first_pages = Counter(
        m.group(1)
        for r in emulator.log
        if (m := re.search(r"\bFROM (\w+)", r.text)) and "#page" not in r.text
    )
    assert first_pages.pop("LoginHistory") == 2  # counts, and failures per hour
    # 560 Permissions* fields do not fit one 16,384-byte request URI: two queries.
    assert first_pages.pop("PermissionSet") == 2
    assert set(first_pages.values()) == {1}, first_pages
    assert "User" in first_pages and "PermissionSetAssignment" in first_pages


def test_every_request_is_a_read(emulator: SalesforceEmulator) -> None:
    creds = emulator.credentials
    make_adapter(emulator).collect(SCOPE, Progress())
    make_adapter(
        emulator,
        username=creds.username,
        password=creds.password,
        security_token=creds.security_token,
    ).collect(SCOPE, Progress())
    assert emulator.log
    assert emulator.requests_matching("FROM VerificationHistory")  # read like the rest
    for request in emulator.log:
        if request.method == "POST":
            assert request.path.startswith(READ_POSTS), request.path
            if request.path.startswith("/services/Soap/m/"):
                assert re.search(rb"<met:(readMetadata|listMetadata)>", request.body)
        else:
            assert request.method == "GET", request


def test_progress_is_reported(emulator: SalesforceEmulator) -> None:
    progress = Progress()
    make_adapter(emulator).collect(SCOPE, progress)
    started = Counter(c for kind, c, _ in progress.events if kind == "started")
    finished = Counter(c for kind, c, _ in progress.events if kind == "finished")
    assert started == finished and set(started.values()) == {1}  # each collection once
    assert {"tenant", "users", "permission_sets", "integrations"} <= set(started)
    assert all(ok for kind, _, ok in progress.events if kind == "finished")
