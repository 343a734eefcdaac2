"""The Fxiaoke adapter against the emulated enterprise: what it collects, and how."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from adapters.fxiaoke.permission_map import ADMIN_PERMISSIONS
from scanner.model.capabilities import Support
from scanner.model.inventory import GapReason, Inventory
from tests.emulators.fxiaoke import (
    DEPARTMENT_LIST,
    READ_PATHS,
    ROLE_LIST,
    ROLE_USERS,
    TOKEN_PATH,
    USER_LIST,
    FxiaokeEmulator,
)


def _by_name(inventory: Inventory) -> dict[str, object]:
    return {u.name: u for u in inventory.users or []}


def test_collects_the_enterprise(scan: Callable[..., Inventory], emulator: FxiaokeEmulator) -> None:
    inventory = scan()
    tenant = inventory.tenant
    assert tenant.platform == "fxiaoke" and tenant.name == "星河贸易有限公司"
    assert tenant.id is not None and tenant.id.startswith("fxk-")
    assert emulator.enterprise.corp_id not in tenant.id
    assert len(inventory.departments or []) == 9
    root = next(d for d in inventory.departments or [] if d.parent_id is None)
    assert root.id == "999999"
    users = inventory.users or []
    assert len(users) == 20 and all(u.kind == "human" for u in users)
    assert sorted(u.name or "" for u in users if u.active is False) == ["何斌", "韩冬", "马琪"]
    admins = sorted(u.name or "" for u in users if u.permissions == list(ADMIN_PERMISSIONS))
    assert admins == ["刘洋", "周建国", "孙鹏", "李晓梅", "王磊", "赵敏", "陈静", "韩冬"]
    sales = next(u for u in users if u.name == "吴芳")
    assert sales.permissions is None and sales.permission_sets == ["销售人员"]
    assert sales.department == "华东销售部" and sales.manager_id is not None
    admin_role = next(p for p in inventory.permission_sets or [] if p.name == "CRM管理员")
    assert (admin_role.assignee_count, admin_role.active_assignee_count) == (8, 7)
    assert inventory.api_usage is not None and inventory.api_usage.requests == 5
    assert inventory.encryption.transport is not None
    assert inventory.encryption.transport.tls_versions == ["TLSv1.2", "TLSv1.3"]


def test_what_has_no_api_is_declared_not_a_gap(scan: Callable[..., Inventory]) -> None:
    inventory = scan()
    assert inventory.gaps == []  # everything the open API has was collected
    declared = {c.collection: c for c in inventory.capabilities}
    for collection in ("users.mfa", "auth.mfa", "users.login", "auth.network", "monitoring"):
        assert declared[collection].support is Support.NO_API
        assert "管理后台" in (declared[collection].review or "") or collection == "users.login"
    assert declared["users.permissions"].known_for is not None
    assert declared["roles"].support is Support.NOT_APPLICABLE


def test_every_request_is_an_allowlisted_read(
    scan: Callable[..., Inventory], emulator: FxiaokeEmulator
) -> None:
    scan()
    api = [r for r in emulator.requests if r.path != "/"]
    assert [r.path for r in api] == [TOKEN_PATH, DEPARTMENT_LIST, USER_LIST, ROLE_LIST, ROLE_USERS]
    assert all(r.method == "POST" and r.path in READ_PATHS for r in api)
    assert emulator.writes == []
    # Only the TLS probe's GET of the root goes elsewhere, and it sends no credentials.
    assert all(r.method == "GET" and r.body is None for r in emulator.requests if r.path == "/")
    trace_ids = [r.trace_id for r in api]
    assert all(t and uuid.UUID(t).version == 4 for t in trace_ids)
    assert len(set(trace_ids)) == len(trace_ids)
    assert all(r.content_type.startswith("application/json") for r in api)


def test_legacy_parameters_carry_the_credentials_in_the_body(
    scan: Callable[..., Inventory], emulator: FxiaokeEmulator
) -> None:
    scan()
    (token,) = emulator.calls(TOKEN_PATH)
    assert set(token.body) == {"appId", "appSecret", "permanentCode"}
    (users,) = emulator.calls(USER_LIST)
    assert users.body["corpId"] == emulator.enterprise.corp_id
    assert users.body["corpAccessToken"] == emulator.tokens_issued[0]
    assert users.body["departmentId"] == 999999 and users.body["fetchChild"] is True
    assert "currentOpenUserId" not in users.body
    (roles,) = emulator.calls(ROLE_LIST)
    assert roles.body["currentOpenUserId"] == emulator.enterprise.employees[0].open_user_id
    assert roles.body["data"] == {"AuthContext": {"appId": "CRM"}}
    (holders,) = emulator.calls(ROLE_USERS)
    assert len(holders.body["data"]["roleCodes"]) == 6


def test_without_an_operator_roles_are_a_permission_gap(
    scan: Callable[..., Inventory], emulator: FxiaokeEmulator
) -> None:
    inventory = scan(open_user_id=None)
    for collection in ("permission_sets", "users.permissions"):
        gap = inventory.gap_for(collection)
        assert gap is not None and gap.reason is GapReason.PERMISSION_MISSING
        assert "--open-user-id" in gap.detail
    assert inventory.permission_sets is None
    assert inventory.users is not None and all(u.permissions is None for u in inventory.users)
    assert not emulator.calls(ROLE_LIST)


def test_an_unknown_operator_is_named(scan: Callable[..., Inventory]) -> None:
    inventory = scan(open_user_id="FSUID_NOBODY")
    gap = inventory.gap_for("users.permissions")
    assert gap is not None and gap.reason is GapReason.PERMISSION_MISSING
    assert "20012" in gap.detail and "--open-user-id" in gap.detail


def test_admin_roles_option_adds_custom_administrator_roles(scan: Callable[..., Inventory]) -> None:
    inventory = scan(admin_roles="大客户经理")
    by_name = {u.name: u for u in inventory.users or []}
    assert by_name["沈佳"].permissions == list(ADMIN_PERMISSIONS)
    assert inventory.extra["fxiaoke"]["admin_roles"] == ["大客户经理"]


def test_deleted_roles_are_left_out(
    scan: Callable[..., Inventory], emulator: FxiaokeEmulator
) -> None:
    emulator.enterprise.roles[-1].del_flag = True
    inventory = scan()
    assert "数据分析员" not in {p.name for p in inventory.permission_sets or []}
    (holders,) = emulator.calls(ROLE_USERS)
    assert len(holders.body["data"]["roleCodes"]) == 5
