"""Every failure becomes a gap and an ERROR (or MANUAL) finding, never a PASS."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from scanner.adapter_api import CollectionScope
from scanner.model.inventory import GapReason, Inventory
from tests.adapters.dynamics.conftest import SCOPE, SleepRecorder, user, verdicts
from tests.emulators.dynamics import DynamicsEmulator, dataverse_error, graph_error


def gap(inventory: Inventory, collection: str):  # type: ignore[no-untyped-def]
    found = inventory.gap_for(collection)
    assert found is not None, f"no gap for {collection}: {inventory.gaps}"
    return found


def never_pass(inventory: Inventory, *check_ids: str) -> None:
    found = verdicts(inventory)
    for check_id in check_ids:
        statuses = set(found.get(check_id, {}))
        assert "PASS" not in statuses, (check_id, found.get(check_id))
        assert statuses & {"ERROR", "MANUAL"}, (check_id, found.get(check_id))


def test_a_missing_privilege_is_named_and_permissions_are_not_guessed(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator
) -> None:
    app_user = emulator.env.app.systemuserid
    reader = emulator.env.role_named("crmscan Reader")["roleid"]
    read_role = next(p for p in emulator.env.tables["privileges"] if p["name"] == "prvReadRole")
    emulator.env.tables["roleprivilegescollection"] = [
        r
        for r in emulator.env.tables["roleprivilegescollection"]
        if not (r["roleid"] == reader and r["privilegeid"] == read_role["privilegeid"])
    ]
    assert app_user is not None
    inventory = collect()
    found = gap(inventory, "users")
    assert found.reason is GapReason.PERMISSION_MISSING and "prvReadRole" in found.detail
    assert gap(inventory, "permission_sets").reason is GapReason.PERMISSION_MISSING
    assert inventory.users is None and inventory.permission_sets is None
    never_pass(inventory, "PRIV-001", "PRIV-002", "PRIV-009", "AUTH-002", "PRIV-003")


def test_roles_refused_leaves_users_without_permissions(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator
) -> None:
    emulator.fail(
        "dataverse",
        "/roleprivilegescollection",
        403,
        {
            "error": {
                "code": "0x80040220",
                "message": "Principal user (Id=x, type=8, roleCount=1, privilegeCount=5, accessMode=4), is missing prvReadRole privilege (Id=y) on OTC=1036 for entity 'role'.",
            }
        },
    )  # noqa: E501
    inventory = collect()
    assert inventory.users is not None and all(u.permissions is None for u in inventory.users)
    found = gap(inventory, "users.permissions")
    assert found.reason is GapReason.PERMISSION_MISSING and "prvReadRole" in found.detail
    never_pass(inventory, "PRIV-001", "PRIV-002", "PRIV-009", "PRIV-011")
    # Users themselves were read: their MFA is judged.
    assert "dana.lee@fabrikam-outdoors.example" in verdicts(inventory)["AUTH-002"]["FAIL"]


def test_a_service_protection_429_is_waited_out(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator, sleeps: SleepRecorder
) -> None:
    body = {
        "error": {
            "code": "0x80072322",
            "message": "Number of requests exceeded the limit of 6000 over time window of 300 seconds.",
        }
    }  # noqa: E501
    emulator.fail("dataverse", "/systemusers", 429, body, headers={"Retry-After": "7"}, times=2)
    inventory = collect()
    assert inventory.users is not None and not inventory.gap_for("users")
    assert sleeps.waits[:2] == [7.0, 7.0]
    assert inventory.extra["dynamics"]["retries"] == 2


def test_the_request_limit_itself_is_enforced_and_honoured(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator, sleeps: SleepRecorder
) -> None:
    emulator.dataverse.limits.requests = 3
    emulator.dataverse.limits.retry_after = 2
    inventory = collect()
    # The emulator's window never empties in a test: the rest is rate limited, reported.
    assert gap(inventory, "users").reason is GapReason.RATE_LIMITED
    assert "0x80072322" in gap(inventory, "users").detail
    assert 2.0 in sleeps.waits
    never_pass(inventory, "PRIV-001", "AUTH-002")


def test_graph_throttling_is_retried_with_retry_after(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator, sleeps: SleepRecorder
) -> None:
    emulator.fail(
        "graph", "/userRegistrationDetails", 429,
        graph_error(429, "TooManyRequests", "Too many requests")[2],
        headers={"Retry-After": "3"},
    )  # fmt: skip
    inventory = collect()
    assert 3.0 in sleeps.waits and not inventory.gap_for("users.mfa")


def test_server_errors_are_retried_then_reported(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator
) -> None:
    emulator.fail("dataverse", "/teams", 503, times=None)
    inventory = collect()
    found = gap(inventory, "users.teams")
    assert found.reason is GapReason.API_ERROR and "503" in found.detail
    assert gap(inventory, "users.permissions").reason is GapReason.API_ERROR
    assert len(emulator.served("dataverse", "/teams")) == 5
    never_pass(inventory, "PRIV-001", "PRIV-009")


@pytest.mark.parametrize("kind", ["truncate", "garbage"])
def test_malformed_answers_are_gaps(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator, kind: str
) -> None:
    emulator.fail("dataverse", "/organizations", kind=kind)
    inventory = collect()
    assert gap(inventory, "tenant").reason is GapReason.MALFORMED_RESPONSE
    assert gap(inventory, "monitoring").reason is GapReason.MALFORMED_RESPONSE
    never_pass(inventory, "MON-003")


def test_a_record_without_its_key_is_a_gap_not_a_crash(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator
) -> None:
    emulator.env.tables["roles"][0]["name"] = 12345  # a number where a string is documented
    inventory = collect()
    found = gap(inventory, "permission_sets")
    assert found.reason is GapReason.MALFORMED_RESPONSE and "name" in found.detail
    never_pass(inventory, "PRIV-001", "PRIV-003")


def test_null_auditing_settings_are_not_collected_not_off(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator
) -> None:
    org = emulator.env.tables["organizations"][0]
    org["isauditenabled"] = None
    org["isuseraccessauditenabled"] = None
    inventory = collect()
    assert inventory.monitoring.audit_log_days is None
    assert inventory.monitoring.login_history_days is None
    never_pass(inventory, "MON-003")
    # Proof is enough to fail: user access auditing off means no login history at all.
    org["isuseraccessauditenabled"] = False
    assert verdicts(collect())["MON-003"] == {"FAIL": {"Fabrikam Outdoors"}}


def test_auditing_on_and_kept_forever(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator
) -> None:
    org = emulator.env.tables["organizations"][0]
    org.update(isauditenabled=True, isuseraccessauditenabled=True, auditretentionperiodv2=-1)
    inventory = collect()
    assert inventory.monitoring.audit_log_days == inventory.monitoring.login_history_days
    assert verdicts(inventory)["MON-003"] == {"PASS": {"Fabrikam Outdoors"}}


def test_missing_graph_permission_is_named(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator
) -> None:
    emulator.env.app.graph_roles = {"User.Read.All"}
    inventory = collect()
    mfa = gap(inventory, "users.mfa")
    assert mfa.reason is GapReason.PERMISSION_MISSING and "AuditLog.Read.All" in mfa.detail
    assert "AuditLog.Read.All" in gap(inventory, "users.last_login_at").detail
    assert "AuditLog.Read.All" in gap(inventory, "users.never_logged_in").detail
    assert "Policy.Read.All" in gap(inventory, "auth.mfa").detail
    assert inventory.auth.mfa_enforced is None
    assert all(u.mfa is None for u in inventory.users or [])
    never_pass(inventory, "AUTH-001", "AUTH-002", "AUTH-003")
    # Stale-user checks: every human's last sign-in is unknown, naming the permission.
    found = verdicts(inventory)
    assert set(found["PRIV-006"]) == {"ERROR"}


def test_a_tenant_without_premium_licence_is_named(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator
) -> None:
    emulator.env.premium = False
    inventory = collect()
    for collection in ("users.mfa", "users.last_login_at"):
        found = gap(inventory, collection)
        assert found.reason is GapReason.PERMISSION_MISSING
        assert "P1 or P2" in found.detail
    # Security defaults need no licence: off here, and Conditional Access is unreadable.
    assert inventory.auth.mfa_enforced is None
    assert "P1 or P2" in gap(inventory, "auth.mfa").detail
    never_pass(inventory, "AUTH-001", "AUTH-002")


def test_security_defaults_alone_decide_without_conditional_access(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator
) -> None:
    emulator.env.premium = False
    emulator.env.security_defaults = True
    inventory = collect()
    assert inventory.auth.mfa_enforced is True and not inventory.gap_for("auth.mfa")


def test_report_only_conditional_access_does_not_enforce(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator
) -> None:
    for policy in emulator.env.conditional_access:
        policy["state"] = "enabledForReportingButNotEnforced"
    inventory = collect()
    assert inventory.auth.mfa_enforced is False
    assert verdicts(inventory)["AUTH-001"] == {"FAIL": {"Fabrikam Outdoors"}}


def test_a_graph_token_refused_is_a_gap_not_the_end_of_the_scan(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator
) -> None:
    emulator.resources = lambda: {emulator.environment_url}  # type: ignore[method-assign]
    inventory = collect()
    assert inventory.users is not None
    assert gap(inventory, "users.mfa").reason is GapReason.PERMISSION_MISSING
    assert "Microsoft Graph" in gap(inventory, "auth.mfa").detail


def test_a_hung_answer_ends_at_the_scan_deadline(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator
) -> None:
    emulator.fail("dataverse", "/teams", kind="hang", delay=5.0)
    started = time.monotonic()
    inventory = collect(
        CollectionScope(sensitive_fields=SCOPE.sensitive_fields, deadline=time.monotonic() + 2.5)
    )  # noqa: E501
    assert time.monotonic() - started < 5.0
    assert gap(inventory, "users.teams").reason is GapReason.API_ERROR
    never_pass(inventory, "PRIV-001")


def test_the_application_user_of_the_scan_is_seen(collect: Callable[..., Inventory]) -> None:
    inventory = collect()
    scanner = user(inventory, "crmscan")
    assert scanner.kind == "integration" and scanner.permissions == []
    assert inventory.extra["dynamics"]["application_user"] == scanner.id


def test_service_protection_codes_are_named(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator
) -> None:
    reply = dataverse_error(
        429, "0x80072326", "Number of concurrent requests exceeded the limit of 52."
    )  # noqa: E501
    emulator.fail(
        "dataverse", "/privileges", 429, reply[2], headers={"Retry-After": "1"}, times=None
    )  # noqa: E501
    inventory = collect()
    found = gap(inventory, "permission_sets")
    assert found.reason is GapReason.RATE_LIMITED and "concurrent requests" in found.detail


def test_who_am_i_failing_is_a_gap_and_the_scan_goes_on(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator
) -> None:
    emulator.fail("dataverse", "/WhoAmI", 503, times=None)
    inventory = collect()
    assert inventory.gap_for("tenant") is None and inventory.tenant.name == "Fabrikam Outdoors"
    assert inventory.users is not None  # the other reads still worked
    assert inventory.extra["dynamics"]["application_user"] is None
    assert "503" in inventory.extra["dynamics"]["who_am_i_error"]
