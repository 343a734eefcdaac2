"""Fxiaoke's answer records, checked field by field. Pure functions, no I/O.

Each parser takes the decoded JSON of one documented answer (docs/api/fxiaoke.md) and
returns typed records, or raises `MalformedResponseError` naming what is wrong: a record
the adapter cannot map becomes a gap (ERROR for the checks that need it), never a crash
and never a guess. Fields the documentation marks optional may be null; the ones a
verdict depends on (ids, ``isStop``) may not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from adapters.http.body import as_dict, as_list, require

#: The largest millisecond timestamp accepted (year 9999): anything above is garbage.
_MAX_EPOCH_MS = 253_402_300_799_000


@dataclass(frozen=True)
class FxDepartment:
    """One 部门 of ``/cgi/department/list``."""

    id: int
    name: str
    parent_id: int | None  # 0 / missing: no parent
    stopped: bool | None


@dataclass(frozen=True)
class FxEmployee:
    """One 员工 of ``/cgi/user/list`` (legacy parameters: ``openUserId`` is ``FSUID_…``)."""

    open_user_id: str
    name: str | None
    account: str | None
    email: str | None
    position: str | None
    stopped: bool
    main_department_id: int | None
    department_ids: tuple[int, ...]
    leader_id: str | None
    created_at: datetime | None


@dataclass(frozen=True)
class FxRole:
    """One CRM 角色 of ``roleGetRoleList``."""

    code: str
    name: str
    group: str | None
    role_type: int | None
    deleted: bool


def _text(value: Any, what: str, field: str, *, required: bool = False) -> str | None:
    if value is None or value == "":
        require(not required, what, f"{field} is missing")
        return None
    require(
        isinstance(value, (str, int)) and not isinstance(value, bool), what, f"{field} is not text"
    )
    return str(value)


def _open_user_id(value: Any, what: str, field: str) -> str:
    """An ``openUserId`` (``FSUID_…``): text, never a number made into text.

    A number in its place would become an id no role holder list names, so the user's
    roles (an administrator's among them) would silently vanish.
    """
    require(isinstance(value, str), what, f"{field} is not text")
    user_id = _text(value, what, field, required=True)
    assert user_id is not None
    return user_id


def _int(value: Any, what: str, field: str, *, required: bool = False) -> int | None:
    if value is None or value == "":
        require(not required, what, f"{field} is missing")
        return None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    require(
        isinstance(value, int) and not isinstance(value, bool), what, f"{field} is not a number"
    )
    result: int = value
    return result


def _bool(value: Any, what: str, field: str) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    # Some SDKs type isStop as a number (0 / 1); accept exactly those two.
    require(value in (0, 1) and not isinstance(value, float), what, f"{field} is not a boolean")
    return bool(value)


def _millis(value: Any, what: str, field: str) -> datetime | None:
    number = _int(value, what, field)
    if number is None:
        return None
    require(0 <= number <= _MAX_EPOCH_MS, what, f"{field} {number} is not a millisecond time")
    return datetime.fromtimestamp(number / 1000, tz=timezone.utc)


def departments(body: Mapping[str, Any]) -> list[FxDepartment]:
    """The ``departments`` of a ``/cgi/department/list`` answer."""
    what = "department list"
    found: list[FxDepartment] = []
    seen: set[int] = set()
    for item in as_list(body.get("departments"), what):
        entry = as_dict(item, what)
        dept_id = _int(entry.get("id"), what, "id", required=True)
        assert dept_id is not None
        require(dept_id not in seen, what, f"department {dept_id} is listed twice")
        seen.add(dept_id)
        parent = _int(entry.get("parentId"), what, "parentId")
        found.append(
            FxDepartment(
                id=dept_id,
                name=_text(entry.get("name"), what, "name") or str(dept_id),
                parent_id=parent if parent else None,
                stopped=_bool(entry.get("isStop"), what, "isStop"),
            )
        )
    return found


def employees(body: Mapping[str, Any]) -> list[FxEmployee]:
    """The ``userList`` of a ``/cgi/user/list`` answer."""
    what = "user list"
    found: list[FxEmployee] = []
    for item in as_list(body.get("userList"), what):
        entry = as_dict(item, what)
        user_id = _open_user_id(entry.get("openUserId"), what, "openUserId")
        stopped = _bool(entry.get("isStop"), what, f"isStop of {user_id}")
        # Active or stopped decides every check on this user: never assume it.
        require(stopped is not None, what, f"isStop of {user_id} is missing")
        assert stopped is not None
        ids = entry.get("departmentIds")
        department_ids: list[int] = []
        if ids is not None:
            for raw in as_list(ids, what):
                number = _int(raw, what, f"departmentIds of {user_id}", required=True)
                assert number is not None
                department_ids.append(number)
        found.append(
            FxEmployee(
                open_user_id=user_id,
                name=_text(entry.get("name"), what, "name"),
                account=_text(entry.get("account"), what, "account"),
                email=_text(entry.get("email"), what, "email"),
                position=_text(entry.get("position"), what, "position"),
                stopped=stopped,
                main_department_id=_int(entry.get("mainDepartmentId"), what, "mainDepartmentId"),
                department_ids=tuple(department_ids),
                leader_id=_open_user_id(entry["leaderId"], what, "leaderId")
                if entry.get("leaderId") not in (None, "")
                else None,
                created_at=_millis(entry.get("createTime"), what, "createTime"),
            )
        )
    return found


def roles(body: Mapping[str, Any]) -> list[FxRole]:
    """The ``data`` of a ``roleGetRoleList`` answer (CRM roles)."""
    what = "CRM role list"
    found: list[FxRole] = []
    seen: set[str] = set()
    for item in as_list(body.get("data"), what):
        entry = as_dict(item, what)
        code = _text(entry.get("roleCode"), what, "roleCode", required=True)
        assert code is not None
        require(code not in seen, what, f"role {code} is listed twice")
        seen.add(code)
        deleted = _bool(entry.get("delFlag"), what, f"delFlag of {code}")
        found.append(
            FxRole(
                code=code,
                name=_text(entry.get("roleName"), what, "roleName") or code,
                group=_text(entry.get("groupName"), what, "groupName"),
                role_type=_int(entry.get("roleType"), what, "roleType"),
                deleted=bool(deleted),
            )
        )
    return found


def role_members(body: Mapping[str, Any], asked: list[str]) -> dict[str, list[str]]:
    """Who holds each role in ``asked``: the ``data`` of 通过角色获取对应的用户.

    The answer's shape is not documented in the sources consulted (docs/api/fxiaoke.md):
    the one accepted is an object mapping each asked roleCode to a list of openUserIds.
    A role missing from it, or anything else, is a malformed answer, never "no holders".
    """
    what = "CRM role members"
    data = as_dict(body.get("data"), what)
    members: dict[str, list[str]] = {}
    for code in asked:
        require(code in data, what, f"role {code} is missing from the answer")
        holders: list[str] = []
        for raw in as_list(data[code], what):
            user_id = _open_user_id(raw, what, f"a holder of role {code}")
            if user_id not in holders:
                holders.append(user_id)
        members[code] = holders
    return members
