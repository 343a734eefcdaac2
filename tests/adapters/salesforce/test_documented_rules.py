"""The adapter against an emulated org that applies Salesforce's documented rules.

Each test names the rule (docs/api/salesforce.md cites the page): what the real API
refuses is refused, what it hides is hidden, and the adapter answers with a gap (ERROR
for the checks that need it), never a crash and never a PASS on missing data.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from scanner.errors import AuthenticationError, ConfigError
from scanner.model.inventory import GapReason, Inventory
from tests.adapters.salesforce.conftest import SCOPE, Progress, make_adapter, verdicts
from tests.emulators.salesforce import Fault, SalesforceEmulator

API = "/services/data/v62.0"


def _get(emulator: SalesforceEmulator, soql: str) -> requests.Response:
    return emulator.session().get(
        f"{emulator.url}{API}/query/",
        params={"q": soql},
        headers={"Authorization": f"Bearer {emulator.credentials.access_token}"},
    )


def _collect(emulator: SalesforceEmulator, **kwargs: Any) -> Inventory:
    return make_adapter(emulator, **kwargs).collect(SCOPE, Progress())


def _statuses(inventory: Inventory, check: str) -> set[str]:
    return {status for status, _, _ in verdicts(inventory).get(check, [])}


# -- the emulator refuses what Salesforce refuses ------------------------------------------
def test_emulator_refuses_undocumented_filters_groups_and_aggregates(
    emulator: SalesforceEmulator,
) -> None:
    status = _get(emulator, "SELECT Id FROM LoginHistory WHERE Status = 'Success'")
    assert status.status_code == 400
    assert status.json()[0]["errorCode"] == "INVALID_FIELD"
    assert "can not be filtered" in status.json()[0]["message"]
    grouped = _get(emulator, "SELECT LoginTime, COUNT(Id) n FROM LoginHistory GROUP BY LoginTime")
    assert grouped.status_code == 400 and "can not be grouped" in grouped.json()[0]["message"]
    by_hour = _get(
        emulator,
        "SELECT HOUR_IN_DAY(LoginTime) h, COUNT(Id) n FROM LoginHistory "
        "GROUP BY HOUR_IN_DAY(LoginTime)",
    )
    assert by_hour.status_code == 200
    audit = _get(emulator, "SELECT COUNT(Id) n FROM SetupAuditTrail")
    assert audit.status_code == 400 and audit.json()[0]["errorCode"] == "MALFORMED_QUERY"


def test_emulator_enforces_the_uri_limit_and_realistic_field_counts(
    emulator: SalesforceEmulator,
) -> None:
    describe = emulator.session().get(
        f"{emulator.url}{API}/sobjects/PermissionSet/describe",
        headers={"Authorization": f"Bearer {emulator.credentials.access_token}"},
    )
    fields = [f["name"] for f in describe.json()["fields"] if f["name"].startswith("Permissions")]
    assert len(fields) >= 500
    too_long = _get(emulator, f"SELECT {', '.join(['Id', *fields])} FROM PermissionSet")
    assert too_long.status_code in (414, 431)


def test_emulator_oauth_token_ids_are_null_and_visibility_is_documented(
    emulator: SalesforceEmulator,
) -> None:
    rows = _get(emulator, "SELECT Id, AppName, UserId FROM OauthToken").json()["records"]
    assert rows and all(r["Id"] is None for r in rows)
    emulator.identity_permissions = frozenset({"ViewSetup"})
    assert _get(emulator, "SELECT AppName, UserId FROM OauthToken").json()["records"] == []
    refused = _get(emulator, "SELECT UserId FROM VerificationHistory")
    assert refused.status_code == 403
    assert refused.json()[0]["errorCode"] == "INSUFFICIENT_ACCESS"


# -- the adapter within those rules -------------------------------------------------------
def test_scan_within_the_documented_rules_has_no_gaps(emulator: SalesforceEmulator) -> None:
    inventory = _collect(emulator)
    assert inventory.gaps == []
    tokens = [i for i in inventory.integrations or [] if i.kind == "oauth_token"]
    assert len(tokens) == 3 and all(t.id and "/" in t.id for t in tokens)
    assert inventory.monitoring.login_history_days == 180
    assert inventory.monitoring.audit_log_oldest_at is not None
    session = inventory.auth.session_policy
    assert session is not None and session.require_https is True  # not a field after 60.0
    # LoginHistory: no filter on Status, no GROUP BY LoginTime, and at most two requests.
    logins = emulator.requests_matching("FROM LoginHistory")
    assert len(logins) == 2 and all(r.status == 200 for r in logins)
    assert all("Status !=" not in r.text and "Status =" not in r.text for r in logins)
    assert not [r for r in emulator.log if r.status >= 400 and r.path != "/"]  # "/": TLS probe


def test_without_customize_application_tokens_are_a_permission_gap(
    emulator: SalesforceEmulator,
) -> None:
    emulator.identity_permissions = frozenset(
        {"ManageUsers", "ViewSetup", "ManageAuthProviders", "ManageTwoFactor"}
    )
    emulator.identity_user_id = emulator.org.sobjects["User"].records[4]["Id"]
    inventory = _collect(emulator)
    gap = inventory.gap_for("integrations.oauth_tokens")
    assert gap is not None and gap.reason is GapReason.PERMISSION_MISSING
    assert not [i for i in inventory.integrations or [] if i.kind == "oauth_token"]
    assert _statuses(inventory, "INT-003") == {"ERROR"}


def test_without_manage_users_logins_are_a_permission_gap(emulator: SalesforceEmulator) -> None:
    emulator.identity_permissions = frozenset({"CustomizeApplication", "ViewSetup"})
    inventory = _collect(emulator)
    for collection in ("users.login", "users.frozen", "monitoring"):
        gap = inventory.gap_for(collection)
        assert gap is not None, collection
    assert _statuses(inventory, "AUTH-009") == {"ERROR"}
    assert _statuses(inventory, "MON-003") == {"ERROR"}


def test_frozen_users_are_not_active(emulator: SalesforceEmulator) -> None:
    frozen = next(r for r in emulator.org.sobjects["UserLogin"].records if r["IsFrozen"])
    inventory = _collect(emulator)
    user = next(u for u in inventory.users or [] if u.id == frozen["UserId"])
    assert user.active is False


def test_profile_password_policy_is_keyed_by_metadata_name(emulator: SalesforceEmulator) -> None:
    policies = emulator.org.metadata["ProfilePasswordPolicy"]
    policies["admin_policy"] = dict(policies["acme_integration_profilePasswordPolicy"])
    policies["admin_policy"].update({"profile": "Admin", "minimumPasswordLength": 6})
    inventory = _collect(emulator)
    sets = {p.name: p for p in inventory.permission_sets or []}
    admin = sets["System Administrator"].password_policy
    assert admin is not None and admin.min_length == 6
    assert _statuses(inventory, "AUTH-006") == {"FAIL"}


def test_unknown_enum_value_is_a_named_error(emulator: SalesforceEmulator) -> None:
    settings = emulator.org.metadata["SecuritySettings"]["Security"]
    settings["sessionSettings"]["sessionTimeout"] = "FortyTwoMinutes"
    inventory = _collect(emulator)
    gap = inventory.gap_for("auth.session_policy")
    assert gap is not None and gap.reason is GapReason.MALFORMED_RESPONSE
    assert "FortyTwoMinutes" in gap.detail
    assert _statuses(inventory, "AUTH-008") == {"ERROR"}
    assert inventory.auth.password_policy is not None  # the other parts stand


def test_saml_logins_without_mfa_evidence_are_not_judged(emulator: SalesforceEmulator) -> None:
    for config in emulator.org.sobjects["SamlSsoConfig"].records:
        config["OptionsRequireMfaSaml"] = False
    inventory = _collect(emulator)
    alice = next(u for u in inventory.users or [] if (u.username or "").startswith("alice"))
    assert alice.login is not None and alice.login.successes_without_mfa is None
    rows = {name: status for status, name, _ in verdicts(inventory)["AUTH-009"]}
    assert rows[alice.username] == "ERROR"


def test_audit_trail_unreadable_means_no_retention(emulator: SalesforceEmulator) -> None:
    emulator.deny_object("SetupAuditTrail")
    inventory = _collect(emulator)
    assert inventory.monitoring.audit_log_days is None
    assert _statuses(inventory, "MON-003") == {"ERROR"}


def test_transient_429_is_retried_after_retry_after(emulator: SalesforceEmulator) -> None:
    emulator.faults.append(Fault("FROM UserRole", kind="rate_limit", retry_after="0.2", times=1))
    started = time.monotonic()
    inventory = _collect(emulator)
    assert inventory.roles is not None and inventory.gap_for("roles") is None
    assert [r.status for r in emulator.requests_matching("FROM UserRole")] == [429, 200]
    assert time.monotonic() - started >= 0.2


def test_persistent_429_becomes_a_rate_limited_gap(emulator: SalesforceEmulator) -> None:
    emulator.faults.append(Fault("FROM UserRole", kind="rate_limit", retry_after="0"))
    inventory = _collect(emulator, retries=2)
    gap = inventory.gap_for("roles")
    assert gap is not None and gap.reason is GapReason.RATE_LIMITED
    assert len(emulator.requests_matching("FROM UserRole")) == 3


def test_plain_http_instance_is_refused(emulator: SalesforceEmulator) -> None:
    adapter = make_adapter(
        emulator, instance_url="http://127.0.0.1:1", access_token="00Dx!token-value"
    )
    with pytest.raises(ConfigError, match="plain-HTTP"):
        adapter.collect(SCOPE, Progress())


def test_unreachable_instance_fails_fast(emulator: SalesforceEmulator) -> None:
    port = emulator.port
    emulator.stop()
    adapter = make_adapter(
        emulator, instance_url=f"https://127.0.0.1:{port}", access_token="00Dx!token-value"
    )
    started = time.monotonic()
    with pytest.raises(AuthenticationError, match="could not reach"):
        adapter.collect(SCOPE, Progress())
    assert time.monotonic() - started < 2
