"""From Fxiaoke records to the normalized inventory: what is known, and what stays None."""

from __future__ import annotations

from datetime import datetime, timezone

from adapters.fxiaoke import normalize
from adapters.fxiaoke.permission_map import ADMIN_PERMISSIONS, parse_admin_roles
from adapters.fxiaoke.records import FxDepartment, FxEmployee, FxRole

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)
DEPTS = [
    FxDepartment(999999, "星河贸易有限公司", None, False),
    FxDepartment(1002, "销售中心", 999999, False),
    FxDepartment(1003, "华东销售部", 1002, True),
]
ROLES = [
    FxRole("06", "CRM管理员", "系统角色", 1, False),
    FxRole("11", "销售人员", "系统角色", 1, False),
    FxRole("101", "大客户经理", "自定义角色", 2, False),
]


def _employee(user_id: str, *, stopped: bool = False, dept: int | None = 1003) -> FxEmployee:
    return FxEmployee(
        open_user_id=user_id,
        name=user_id.lower(),
        account=f"acct-{user_id}",
        email=None,
        position=None,
        stopped=stopped,
        main_department_id=dept,
        department_ids=(1003, 1002, 999999),
        leader_id="FSUID_BOSS",
        created_at=NOW,
    )


def test_roots_cover_listed_and_unlisted_parents() -> None:
    assert normalize.roots(DEPTS) == [999999]
    # The company root may be left out of the list: its id is the parent of the tops.
    assert normalize.roots(DEPTS[1:]) == [999999]
    assert normalize.roots(
        [FxDepartment(1, "a", None, None), FxDepartment(2, "b", None, None)]
    ) == [1, 2]


def test_tenant_id_is_a_digest_of_the_corp_id_and_name_the_root() -> None:
    tenant = normalize.tenant("FSCID_SECRET", DEPTS, "https://open.fxiaoke.com", NOW)
    assert tenant.platform == "fxiaoke"
    assert tenant.id is not None and tenant.id.startswith("fxk-") and "FSCID" not in tenant.id
    assert tenant.id == normalize.tenant_id("FSCID_SECRET")
    assert tenant.name == "星河贸易有限公司"
    assert normalize.tenant(None, None, "https://x", NOW).name is None


def test_department_tree() -> None:
    tree = normalize.department_tree(DEPTS, [_employee("A"), _employee("B", dept=1002)])
    assert [(d.id, d.parent_id, d.active, d.user_count) for d in tree] == [
        ("999999", None, True, 0),
        ("1002", "999999", True, 1),
        ("1003", "1002", False, 1),
    ]
    assert normalize.department_tree(DEPTS, None)[0].user_count is None


def test_admin_role_holders_get_admin_permissions_others_stay_unknown() -> None:
    members = {"06": ["ADMIN", "STOPPED"], "11": ["ADMIN", "SALES"], "101": []}
    users = normalize.users(
        [
            _employee("ADMIN"),
            _employee("SALES"),
            _employee("NOROLE"),
            _employee("STOPPED", stopped=True),
        ],
        departments=DEPTS,
        roles=ROLES,
        members=members,
    )
    by_id = {u.id: u for u in users}
    admin = by_id["ADMIN"]
    assert admin.permissions == list(ADMIN_PERMISSIONS)
    assert admin.permission_sets == ["CRM管理员", "销售人员"]
    assert {g.source_name for g in admin.grants or []} == {"CRM管理员"}
    assert admin.department == "华东销售部" and admin.manager_id == "FSUID_BOSS"
    assert admin.active is True and admin.kind == "human" and admin.username == "acct-ADMIN"
    # What 销售人员 allows is not in the API: unknown, never "none".
    assert by_id["SALES"].permissions is None and by_id["SALES"].permission_sets == ["销售人员"]
    assert by_id["NOROLE"].permissions is None and by_id["NOROLE"].permission_sets == []
    stopped = by_id["STOPPED"]
    assert stopped.active is False and stopped.permissions == list(ADMIN_PERMISSIONS)
    # No login data in the API.
    assert admin.last_login_at is None and admin.mfa is None and admin.login is None


def test_roles_not_collected_leave_role_fields_none() -> None:
    (user,) = normalize.users([_employee("A")], departments=None, roles=None, members=None)
    assert user.permission_sets is None and user.permissions is None and user.department is None


def test_admin_roles_option_names_custom_admin_roles() -> None:
    extra = parse_admin_roles("101， 不存在的角色\n")
    assert extra == {"101", "不存在的角色"}
    (user,) = normalize.users(
        [_employee("KAM")],
        departments=DEPTS,
        roles=ROLES,
        members={"06": [], "11": [], "101": ["KAM"]},
        admin_roles=extra,
    )
    assert user.permissions == list(ADMIN_PERMISSIONS)


def test_permission_sets_count_holders() -> None:
    employees = [_employee("A"), _employee("B", stopped=True)]
    sets = normalize.permission_sets(ROLES, {"06": ["A", "B"], "11": ["A"], "101": []}, employees)
    admin = sets[0]
    assert (admin.kind, admin.assignee_count, admin.active_assignee_count) == ("role", 2, 1)
    assert admin.permissions == list(ADMIN_PERMISSIONS)
    assert sets[1].permissions is None and sets[2].assignee_count == 0
    unknown = normalize.permission_sets(ROLES, None, employees)
    assert unknown[0].assignee_count is None and unknown[0].active_assignee_count is None
