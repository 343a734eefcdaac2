"""Fxiaoke CRM roles mapped onto crmscan's normalized permission vocabulary.

Fxiaoke's open API tells which CRM roles (角色) exist and who holds them, not what a
role's function permissions (功能权限) allow. The one grant its documentation states is
the CRM administrator's: "CRM管理员具备所有功能/数据权限" (every function and data
permission; docs/api/fxiaoke.md). So:

* a holder of an administrator-equivalent role gets `ADMIN_PERMISSIONS`: the built-in
  CRM管理员, plus any role the scan names with ``--admin-roles`` (code or name), for
  custom roles an enterprise set up as administrators;
* for every other role the permissions are unknown (``None``), never "none".

Raw names kept in ``raw_permissions`` are the role names themselves.
"""

from __future__ import annotations

from collections.abc import Iterable

from adapters.fxiaoke.records import FxRole
from scanner.model.inventory import PERMISSIONS

#: The built-in CRM administrator role, by its documented name.
CRM_ADMIN_ROLE_NAMES: tuple[str, ...] = ("CRM管理员",)

#: Every function and data permission, in the normalized vocabulary.
ADMIN_PERMISSIONS: tuple[str, ...] = (
    "account.super_admin",
    "data.export",
    "data.modify_all",
    "data.view_all",
    "setup.customize",
    "users.manage",
)

assert all(name in PERMISSIONS for name in ADMIN_PERMISSIONS)


def parse_admin_roles(option: str | None) -> frozenset[str]:
    """The ``--admin-roles`` option: comma- or newline-separated role codes or names."""
    if not option:
        return frozenset()
    parts = option.replace("\n", ",").replace("，", ",").split(",")
    return frozenset(part.strip() for part in parts if part.strip())


def is_admin_role(role: FxRole, extra: Iterable[str] = ()) -> bool:
    """True when ``role`` makes its holders administrator-equivalent."""
    named = set(extra)
    return role.name in CRM_ADMIN_ROLE_NAMES or role.code in named or role.name in named


def permissions_of(role: FxRole, extra: Iterable[str] = ()) -> list[str] | None:
    """The normalized permissions ``role`` grants, or None when the API cannot say."""
    return list(ADMIN_PERMISSIONS) if is_admin_role(role, extra) else None
