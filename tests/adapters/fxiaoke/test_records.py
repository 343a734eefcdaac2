"""Fxiaoke answer records: every documented shape parses, anything else is malformed."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from adapters.fxiaoke import records
from scanner.errors import MalformedResponseError

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)


def _user(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "openUserId": "FSUID_A",
        "name": "周建国",
        "account": "zhoujianguo",
        "isStop": False,
        "departmentIds": [1001, 999999],
        "mainDepartmentId": 1001,
        "createTime": 1758789217451,
        "leaderId": "FSUID_B",
    }
    base.update(fields)
    return base


def test_departments_parse_with_root_parent_zero() -> None:
    body = {
        "departments": [
            {"id": 999999, "name": "星河贸易", "parentId": 0, "isStop": False, "order": 1},
            {"id": 1001, "name": "总经办", "parentId": 999999, "isStop": True, "order": 2},
        ]
    }
    found = records.departments(body)
    assert [(d.id, d.parent_id, d.stopped) for d in found] == [
        (999999, None, False),
        (1001, 999999, True),
    ]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"departments": None},
        {"departments": {"id": 1}},
        {"departments": [{"name": "no id"}]},
        {"departments": [{"id": "x1"}]},
        {"departments": [{"id": 1, "isStop": "no"}]},
        {"departments": [{"id": 1}, {"id": 1}]},
    ],
)
def test_malformed_departments(body: dict[str, Any]) -> None:
    with pytest.raises(MalformedResponseError):
        records.departments(body)


def test_employees_parse() -> None:
    (found,) = records.employees({"userList": [_user()]})
    assert found.open_user_id == "FSUID_A"
    assert found.stopped is False
    assert found.main_department_id == 1001
    assert found.department_ids == (1001, 999999)
    assert found.created_at == datetime(2025, 9, 25, 8, 33, 37, 451000, tzinfo=timezone.utc)


def test_employee_status_as_number_is_accepted() -> None:
    (found,) = records.employees({"userList": [_user(isStop=1)]})
    assert found.stopped is True


@pytest.mark.parametrize(
    "user",
    [
        _user(openUserId=None),
        _user(isStop=None),
        _user(isStop="false"),
        _user(isStop=2),
        _user(departmentIds="1001"),
        _user(createTime=-5),
        _user(createTime="soon"),
        _user(mainDepartmentId=[1]),
        "not an object",
    ],
)
def test_malformed_employees(user: Any) -> None:
    with pytest.raises(MalformedResponseError):
        records.employees({"userList": [user]})


def test_optional_employee_fields_may_be_null() -> None:
    (found,) = records.employees(
        {"userList": [_user(name=None, account=None, email=None, createTime=None, leaderId="")]}
    )
    assert (found.name, found.account, found.created_at, found.leader_id) == (
        None,
        None,
        None,
        None,
    )


def test_roles_parse_and_reject_duplicates() -> None:
    body = {
        "data": [
            {
                "roleCode": "06",
                "roleName": "CRM管理员",
                "groupName": "系统角色",
                "roleType": 1,
                "delFlag": False,
            },
            {"roleCode": "07", "roleName": "旧角色", "delFlag": True},
        ]
    }
    admin, old = records.roles(body)
    assert (admin.code, admin.name, admin.deleted, old.deleted) == ("06", "CRM管理员", False, True)
    with pytest.raises(MalformedResponseError):
        records.roles({"data": [{"roleCode": "06"}, {"roleCode": "06"}]})
    with pytest.raises(MalformedResponseError):
        records.roles({"data": [{"roleName": "no code"}]})


def test_role_members_need_every_asked_role() -> None:
    body = {"data": {"06": ["FSUID_A", "FSUID_A", "FSUID_B"], "07": []}}
    assert records.role_members(body, ["06", "07"]) == {"06": ["FSUID_A", "FSUID_B"], "07": []}
    with pytest.raises(MalformedResponseError, match="role 08 is missing"):
        records.role_members(body, ["08"])
    for bad in ({"data": ["FSUID_A"]}, {"data": {"06": "FSUID_A"}}, {"data": {"06": [None]}}, {}):
        with pytest.raises(MalformedResponseError):
            records.role_members(bad, ["06"])
