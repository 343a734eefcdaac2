"""The directory (通讯录): departments and every employee, active or stopped.

Two calls whatever the enterprise's size: the department list, then the detailed member
list of each root's whole subtree (``fetchChild``), which is every employee. Neither
call pages (docs/api/fxiaoke.md).
"""

from __future__ import annotations

from adapters.fxiaoke import records
from adapters.fxiaoke.client import DEPARTMENT_LIST, USER_LIST, FxiaokeClient
from adapters.fxiaoke.normalize import roots
from adapters.fxiaoke.records import FxDepartment, FxEmployee
from scanner.errors import MalformedResponseError


def departments(client: FxiaokeClient) -> list[FxDepartment]:
    """Every department (获取部门列表)."""
    body = client.call(DEPARTMENT_LIST, {}, what="department list")
    client.core.stats.page("departments")
    return records.departments(body)


def employees(client: FxiaokeClient, tree: list[FxDepartment]) -> list[FxEmployee]:
    """Every employee under the tree's roots (获取部门下成员信息(详细)), once each."""
    tops = roots(tree)
    if not tops:
        raise MalformedResponseError("department list: malformed response: no root department")
    found: dict[str, FxEmployee] = {}
    for root in tops:
        body = client.call(
            USER_LIST,
            {"departmentId": root, "fetchChild": True, "showDepartmentIdsDetail": True},
            what=f"user list of department {root}",
        )
        client.core.stats.page("users")
        for employee in records.employees(body):
            found.setdefault(employee.open_user_id, employee)
    return list(found.values())
