"""CRM roles (角色) and who holds them, read as the ``--open-user-id`` employee.

Both calls take ``data.AuthContext.appId = "CRM"`` and run with the permissions of the
employee named by ``currentOpenUserId`` (docs/api/fxiaoke.md). Deleted roles
(``delFlag``) are left out. Holders are asked for every role in one call.
"""

from __future__ import annotations

from adapters.fxiaoke import records
from adapters.fxiaoke.client import ROLE_LIST, ROLE_USERS, FxiaokeClient
from adapters.fxiaoke.records import FxRole

CRM_CONTEXT = {"AuthContext": {"appId": "CRM"}}


def roles(client: FxiaokeClient, operator: str) -> list[FxRole]:
    """The enterprise's CRM roles (获取角色列表), deleted ones left out."""
    body = client.call(ROLE_LIST, {"data": CRM_CONTEXT}, what="CRM role list", operator=operator)
    client.core.stats.page("roles")
    return [role for role in records.roles(body) if not role.deleted]


def members(client: FxiaokeClient, operator: str, found: list[FxRole]) -> dict[str, list[str]]:
    """roleCode -> openUserIds of its holders (通过角色获取对应的用户)."""
    codes = [role.code for role in found]
    if not codes:
        return {}
    body = client.call(
        ROLE_USERS,
        {"data": {"roleCodes": codes, **CRM_CONTEXT}},
        what="CRM role holders",
        operator=operator,
    )
    client.core.stats.page("role_members")
    return records.role_members(body, codes)
