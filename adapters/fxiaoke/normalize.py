"""Turn Fxiaoke's checked records into the normalized inventory. Pure functions, no I/O.

What the open API does and does not say decides every ``None`` here:

* Employees (员工) are people; self-built apps act through an employee's identity and
  have no account of their own, so every directory entry is ``kind = human``.
* ``isStop`` is the account status: a stopped (停用) employee is ``active = False``.
* Permissions come from CRM role membership (`adapters.fxiaoke.permission_map`): known
  for holders of administrator-equivalent roles, unknown (``None``) for everyone else.
* There is no last-login time, login history or MFA enrolment in the API: those stay
  ``None`` and the capabilities say where a person reviews them.
* The tenant id is a digest of the corpId (the corpId travels with the token in every
  request and is redacted as a credential); its name is the root department's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime

from adapters.fxiaoke.permission_map import ADMIN_PERMISSIONS, is_admin_role
from adapters.fxiaoke.records import FxDepartment, FxEmployee, FxRole
from scanner.model.inventory import Department, Grant, PermissionSet, Tenant, User

PLATFORM = "fxiaoke"


def tenant_id(corp_id: str) -> str:
    """A stable, non-secret id for the enterprise: ``fxk-`` and 16 hex of its corpId."""
    return "fxk-" + hashlib.sha256(corp_id.encode("utf-8")).hexdigest()[:16]


def roots(departments: Iterable[FxDepartment]) -> list[int]:
    """The department ids whose subtrees cover the whole directory.

    A listed department without a parent is a root; so is a parent id that is not
    itself listed (the company root, when the list leaves it out).
    """
    listed = {d.id: d for d in departments}
    found: list[int] = []
    for dept in listed.values():
        top = dept.id if dept.parent_id is None else None
        if dept.parent_id is not None and dept.parent_id not in listed:
            top = dept.parent_id
        if top is not None and top not in found:
            found.append(top)
    return sorted(found)


def tenant(
    corp_id: str | None,
    departments: list[FxDepartment] | None,
    base_url: str,
    now: datetime,
) -> Tenant:
    """The enterprise: its digest id and, when the tree was read, the root's name."""
    name = None
    if departments:
        tops = [d for d in departments if d.parent_id is None]
        if len(tops) == 1:
            name = tops[0].name
    return Tenant(
        platform=PLATFORM,
        id=tenant_id(corp_id) if corp_id else None,
        name=name,
        instance_url=base_url,
        collected_at=now,
    )


def department_tree(
    departments: list[FxDepartment], employees: list[FxEmployee] | None
) -> list[Department]:
    """Departments with their parent and how many employees have them as main department."""
    counts: dict[int, int] = {}
    for employee in employees or []:
        if employee.main_department_id is not None:
            counts[employee.main_department_id] = counts.get(employee.main_department_id, 0) + 1
    return [
        Department(
            id=str(d.id),
            name=d.name,
            parent_id=str(d.parent_id) if d.parent_id is not None else None,
            active=None if d.stopped is None else not d.stopped,
            user_count=counts.get(d.id, 0) if employees is not None else None,
        )
        for d in departments
    ]


def _held(members: Mapping[str, list[str]]) -> dict[str, list[str]]:
    by_user: dict[str, list[str]] = {}
    for code, holders in members.items():
        for user_id in holders:
            by_user.setdefault(user_id, []).append(code)
    return by_user


def users(
    employees: list[FxEmployee],
    *,
    departments: list[FxDepartment] | None,
    roles: list[FxRole] | None,
    members: Mapping[str, list[str]] | None,
    admin_roles: frozenset[str] = frozenset(),
) -> list[User]:
    """Normalized users. ``roles`` / ``members`` None = role assignments not collected."""
    names = {d.id: d.name for d in departments or []}
    by_code = {r.code: r for r in roles or []}
    held = _held(members) if members is not None and roles is not None else None
    result: list[User] = []
    for employee in employees:
        user = User(
            id=employee.open_user_id,
            username=employee.account or employee.email or employee.open_user_id,
            name=employee.name,
            email=employee.email,
            active=not employee.stopped,
            kind="human",
            created_at=employee.created_at,
            department=(
                names.get(employee.main_department_id)
                if employee.main_department_id is not None
                else None
            ),
            manager_id=employee.leader_id,
        )
        if held is not None:
            codes = [c for c in held.get(employee.open_user_id, []) if c in by_code]
            _apply_roles(user, [by_code[c] for c in codes], admin_roles)
        result.append(user)
    return result


def _apply_roles(user: User, held: list[FxRole], admin_roles: frozenset[str]) -> None:
    user.permission_sets = [role.name for role in held]
    user.raw_permissions = sorted({role.name for role in held})
    admin = [role for role in held if is_admin_role(role, admin_roles)]
    if not admin:
        return  # what the other roles allow is not in the API: permissions stay unknown
    user.permissions = list(ADMIN_PERMISSIONS)
    user.grants = [
        Grant(permission=p, source_kind="role", source_id=role.code, source_name=role.name)
        for role in admin
        for p in ADMIN_PERMISSIONS
    ]


def permission_sets(
    roles: list[FxRole],
    members: Mapping[str, list[str]] | None,
    employees: list[FxEmployee] | None,
    admin_roles: frozenset[str] = frozenset(),
) -> list[PermissionSet]:
    """CRM roles as permission sets of kind ``role`` with their holder counts."""
    active = {e.open_user_id for e in employees or [] if not e.stopped}
    result: list[PermissionSet] = []
    for role in roles:
        holders = members.get(role.code) if members is not None else None
        admin = is_admin_role(role, admin_roles)
        result.append(
            PermissionSet(
                id=role.code,
                name=role.name,
                label=role.group,
                kind="role",
                permissions=list(ADMIN_PERMISSIONS) if admin else None,
                raw_permissions=[role.name] if admin else None,
                assignee_count=len(holders) if holders is not None else None,
                active_assignee_count=(
                    sum(1 for h in holders if h in active)
                    if holders is not None and employees is not None
                    else None
                ),
            )
        )
    return result
