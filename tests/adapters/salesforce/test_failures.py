"""Every failure becomes a gap, the affected checks report ERROR, and the scan goes on."""

from __future__ import annotations

import pytest

from scanner.model.inventory import GapReason, Inventory
from tests.adapters.salesforce.conftest import SCOPE, Progress, make_adapter, verdicts
from tests.emulators.salesforce import Fault, SalesforceEmulator


def _collect(emulator: SalesforceEmulator, **kwargs: float) -> Inventory:
    return make_adapter(emulator, **kwargs).collect(SCOPE, Progress())  # type: ignore[arg-type]


def _gap(inventory: Inventory, collection: str) -> tuple[GapReason, str]:
    gap = inventory.gap_for(collection)
    assert gap is not None, [g.collection for g in inventory.gaps]
    return gap.reason, gap.detail


def _errors(inventory: Inventory, check: str) -> list[str | None]:
    rows = verdicts(inventory)[check]
    assert rows and all(status == "ERROR" for status, _, _ in rows), rows
    return [reason for _, _, reason in rows]


def test_mfa_without_permission(emulator: SalesforceEmulator) -> None:
    emulator.faults.append(
        Fault(
            "FROM TwoFactorMethodsInfo",
            status=403,
            code="INSUFFICIENT_ACCESS",
            message="Insufficient privileges: Manage Multi-Factor Authentication in API",
        )
    )
    inventory = _collect(emulator)
    reason, detail = _gap(inventory, "users.mfa")
    assert reason is GapReason.PERMISSION_MISSING and "INSUFFICIENT_ACCESS" in detail
    assert inventory.users is not None and len(inventory.users) == 50
    assert all(u.mfa is None for u in inventory.users)
    assert all(u.permissions is not None for u in inventory.users)
    assert any("INSUFFICIENT_ACCESS" in (r or "") for r in _errors(inventory, "AUTH-002"))


def test_object_missing_on_this_org(emulator: SalesforceEmulator) -> None:
    emulator.remove_object("TwoFactorMethodsInfo")
    emulator.remove_object("TenantSecret")
    inventory = _collect(emulator)
    reason, detail = _gap(inventory, "users.mfa")
    assert reason is GapReason.NOT_AVAILABLE and "INVALID_TYPE" in detail
    assert _gap(inventory, "encryption.at_rest")[0] is GapReason.NOT_AVAILABLE
    assert inventory.encryption.keys is None and inventory.encryption.at_rest_enabled is None
    assert inventory.encryption.fields is not None
    _errors(inventory, "AUTH-002")


def test_optional_field_missing_is_dropped(emulator: SalesforceEmulator) -> None:
    emulator.remove_field("LoginIpRange", "Description")
    emulator.remove_field("TwoFactorMethodsInfo", "HasBuiltInAuthenticator")
    inventory = _collect(emulator)
    assert [g.collection for g in inventory.gaps] == []
    profiles = {p.name: p for p in inventory.permission_sets or []}
    ranges = profiles["System Administrator"].login_ip_ranges
    assert ranges and ranges[0].description is None
    assert len(emulator.requests_matching("FROM LoginIpRange")) == 2


def test_required_field_missing(emulator: SalesforceEmulator) -> None:
    emulator.remove_field("User", "LastLoginDate")
    inventory = _collect(emulator)
    reason, detail = _gap(inventory, "users")
    assert reason is GapReason.NOT_AVAILABLE and "No such column 'LastLoginDate'" in detail
    assert inventory.users is None
    assert inventory.permission_sets is not None
    _errors(inventory, "PRIV-005")


def test_request_limit_exceeded(emulator: SalesforceEmulator) -> None:
    emulator.faults.append(
        Fault(
            "FROM PermissionSetAssignment",
            status=403,
            code="REQUEST_LIMIT_EXCEEDED",
            message="TotalRequests Limit exceeded.",
        )
    )
    inventory = _collect(emulator)
    assert _gap(inventory, "users.permissions")[0] is GapReason.RATE_LIMITED
    assert len(emulator.requests_matching("FROM PermissionSetAssignment")) == 1
    assert inventory.users is not None and all(u.permissions is None for u in inventory.users)
    assert {u.kind for u in inventory.users} >= {"integration", "human"}
    _errors(inventory, "PRIV-009")


def test_server_errors_are_retried_then_succeed(emulator: SalesforceEmulator) -> None:
    emulator.faults.append(Fault("FROM UserRole", status=503, code="SERVER_UNAVAILABLE", times=2))
    inventory = _collect(emulator)
    assert inventory.roles is not None and len(inventory.roles) == 5
    assert [r.status for r in emulator.requests_matching("FROM UserRole")] == [503, 503, 200]


def test_persistent_server_error_becomes_a_gap(emulator: SalesforceEmulator) -> None:
    emulator.faults.append(Fault("/services/Soap/m/", status=500, code="UNKNOWN_EXCEPTION"))
    inventory = _collect(emulator)
    reason, detail = _gap(inventory, "auth.session_policy")
    assert reason is GapReason.API_ERROR and "UNKNOWN_EXCEPTION" in detail
    assert inventory.auth.session_policy is None
    assert _gap(inventory, "permission_sets.password_policy")[0] is GapReason.API_ERROR
    _errors(inventory, "AUTH-008")


def test_timeouts_are_retried_then_become_a_gap(emulator: SalesforceEmulator) -> None:
    emulator.faults.append(Fault("FROM ConnectedApplication", kind="delay", delay=0.6))
    inventory = _collect(emulator, timeout=0.3, retries=1)
    reason, detail = _gap(inventory, "integrations")
    assert reason is GapReason.API_ERROR and "Timeout" in detail
    assert len(emulator.requests_matching("FROM ConnectedApplication")) == 2
    assert inventory.integrations is not None  # the parts that answered are kept
    assert {i.kind for i in inventory.integrations} == {
        "named_credential",
        "remote_site",
        "oauth_token",
    }


@pytest.mark.parametrize("kind", ["truncate", "garbage"])
def test_malformed_json_becomes_a_gap(emulator: SalesforceEmulator, kind: str) -> None:
    emulator.faults.append(Fault("FROM Profile", kind=kind))
    inventory = _collect(emulator)
    reason, _ = _gap(inventory, "permission_sets")
    assert reason is GapReason.MALFORMED_RESPONSE
    assert inventory.permission_sets is None
    assert inventory.users is not None and all(u.permissions is None for u in inventory.users)
    _errors(inventory, "PRIV-009")


def test_malformed_page_in_the_middle(emulator: SalesforceEmulator) -> None:
    emulator.faults.append(Fault("FROM FieldPermissions", kind="truncate"))
    inventory = _collect(emulator)
    assert _gap(inventory, "field_permissions")[0] is GapReason.MALFORMED_RESPONSE
    assert inventory.field_permissions is None
    assert inventory.encryption.fields is not None


def test_api_reserve_stops_collection(emulator: SalesforceEmulator) -> None:
    emulator.api_used = 13_600  # 1,400 of 15,000 left: under the 10 % reserve
    inventory = _collect(emulator)
    assert inventory.tenant.name == "Acme Outfitters"
    reason, detail = _gap(inventory, "users")
    assert reason is GapReason.API_LIMIT_RESERVE and "10% reserve" in detail
    api_calls = [r for r in emulator.log if r.path != "/"]  # "/" is the TLS probe
    assert len(api_calls) == 1  # only the Organization query went out
    assert inventory.api_usage is not None and inventory.api_usage.daily_used == 13_601
    assert {g.reason for g in inventory.gaps if g.collection != "auth.sso"} == {
        GapReason.API_LIMIT_RESERVE
    }


def test_aggregate_refused_falls_back_to_rows(emulator: SalesforceEmulator) -> None:
    expected = _collect(emulator)
    emulator.faults.append(
        Fault(
            "GROUP BY UserId, Status",
            status=400,
            code="MALFORMED_QUERY",
            message="Aggregate query does not support queryMore()",
        )
    )
    fallback = _collect(emulator)
    assert [g.collection for g in fallback.gaps] == []
    assert {u.id: u.login for u in fallback.users or []} == {
        u.id: u.login for u in expected.users or []
    }
    assert emulator.requests_matching("AuthenticationServiceId, LoginTime FROM LoginHistory")


def test_expired_session_mid_scan(emulator: SalesforceEmulator) -> None:
    emulator.faults.append(
        Fault(
            "FROM OauthToken",
            status=401,
            code="INVALID_SESSION_ID",
            message="Session expired or invalid",
        )
    )
    inventory = _collect(emulator)
    assert _gap(inventory, "integrations.oauth_tokens")[0] is GapReason.API_ERROR
    assert inventory.users is not None
