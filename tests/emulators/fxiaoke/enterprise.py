"""The directory and CRM roles of one emulated Fxiaoke (纷享销客) enterprise.

Shapes follow Fxiaoke's open-platform documentation as recorded in docs/api/fxiaoke.md
(legacy 旧版 parameter style): departments (`id`, `name`, `parentId`, `isStop`, `order`),
employees as ``/cgi/user/list`` returns them (`openUserId` ``FSUID_…``, `isStop`,
`mainDepartmentId`, `leaderId`, …), and CRM roles as ``roleGetRoleList`` returns them
(`roleCode`, `roleName`, `groupName`, `roleType`, `appId`, `description`, `delFlag`).

Nothing here imports the adapter: the emulator is written from the documentation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

#: ``/cgi/user/simpleList`` documents 999999 as "the whole company" (全公司).
ROOT_DEPARTMENT_ID = 999999


@dataclass
class Department:
    """One 部门 as ``/cgi/department/list`` returns it."""

    id: int
    name: str
    parent_id: int
    is_stop: bool = False
    order: int = 1

    def wire(self) -> dict[str, Any]:
        """The documented JSON object."""
        return {
            "id": self.id,
            "name": self.name,
            "parentId": self.parent_id,
            "isStop": self.is_stop,
            "order": self.order,
        }


@dataclass
class Employee:
    """One 员工 as ``/cgi/user/list`` returns it (legacy ids: ``FSUID_…``)."""

    open_user_id: str
    name: str
    main_department_id: int
    account: str | None = None
    nick_name: str | None = None
    email: str | None = None
    mobile: str | None = None
    position: str | None = None
    gender: str = "M"
    is_stop: bool = False
    attaching_department_ids: list[int] = field(default_factory=list)
    leader_id: str | None = None
    employee_number: str | None = None
    hire_date: str | None = None
    create_time: int | None = None  # epoch milliseconds

    def wire(self, ancestors: list[int], show_detail: bool) -> dict[str, Any]:
        """The documented JSON object; ``departmentIds`` = own departments and parents."""
        body: dict[str, Any] = {
            "openUserId": self.open_user_id,
            "account": self.account,
            "name": self.name,
            "nickName": self.nick_name or self.name,
            "isStop": self.is_stop,
            "email": self.email,
            "mobile": self.mobile,
            "gender": self.gender,
            "position": self.position,
            "profileImageUrl": None,
            "departmentIds": ancestors,
            "employeeNumber": self.employee_number,
            "hireDate": self.hire_date,
            "birthDate": None,
            "startWorkDate": None,
            "createTime": self.create_time,
            "leaderId": self.leader_id,
        }
        if show_detail:
            body["mainDepartmentId"] = self.main_department_id
            body["attachingDepartmentIds"] = list(self.attaching_department_ids)
        return body


@dataclass
class CrmRole:
    """One CRM 角色 as ``roleGetRoleList`` returns it."""

    role_code: str
    role_name: str
    group_name: str = "默认分组"
    role_type: int = 1
    description: str = ""
    del_flag: bool = False

    def wire(self) -> dict[str, Any]:
        """The documented JSON object."""
        return {
            "roleCode": self.role_code,
            "roleName": self.role_name,
            "groupName": self.group_name,
            "roleType": self.role_type,
            "appId": "CRM",
            "description": self.description,
            "delFlag": self.del_flag,
        }


@dataclass
class Credentials:
    """A self-built app's appId / appSecret and the enterprise's permanentCode."""

    app_id: str = "FSAID_131a2b9"
    app_secret: str = "0f6d1c2e4b7a48d9a3e5c6b1f2d3e4a5"
    permanent_code: str = "B71C2D3E4F5A6B7C8D9E0F1A2B3C4D5E"


@dataclass
class Enterprise:
    """What one emulated enterprise holds."""

    corp_id: str
    credentials: Credentials
    departments: list[Department]
    employees: list[Employee]
    roles: list[CrmRole]
    members: dict[str, list[str]]  # roleCode -> openUserIds

    def department(self, department_id: int) -> Department | None:
        """The department with ``department_id``, or None."""
        return next((d for d in self.departments if d.id == department_id), None)

    def ancestors(self, department_id: int) -> list[int]:
        """``department_id`` and every parent up to the root."""
        chain: list[int] = []
        current: int | None = department_id
        while current is not None and current not in chain:
            chain.append(current)
            found = self.department(current)
            current = found.parent_id if found is not None and found.parent_id else None
        return chain

    def employee(self, open_user_id: str) -> Employee | None:
        """The employee with ``open_user_id``, or None."""
        return next((e for e in self.employees if e.open_user_id == open_user_id), None)

    def in_subtree(self, employee: Employee, department_id: int, fetch_child: bool) -> bool:
        """True when ``employee`` belongs to ``department_id`` (or below, with fetchChild)."""
        own = [employee.main_department_id, *employee.attaching_department_ids]
        if department_id in own:
            return True
        if not fetch_child:
            return False
        return any(department_id in self.ancestors(d) for d in own)


def _fsuid(n: int) -> str:
    return "FSUID_" + hashlib.sha256(f"employee-{n}".encode()).hexdigest()[:32].upper()


def _code(n: int) -> str:
    return f"{n:032d}"


#: The sample enterprise's departments: (id, name, parent id).
SAMPLE_DEPARTMENTS = (
    (ROOT_DEPARTMENT_ID, "星河贸易有限公司", 0),
    (1001, "总经办", ROOT_DEPARTMENT_ID),
    (1002, "销售中心", ROOT_DEPARTMENT_ID),
    (1003, "华东销售部", 1002),
    (1004, "华北销售部", 1002),
    (1005, "市场部", ROOT_DEPARTMENT_ID),
    (1006, "财务部", ROOT_DEPARTMENT_ID),
    (1007, "信息技术部", ROOT_DEPARTMENT_ID),
    (1008, "客户成功部", ROOT_DEPARTMENT_ID),
)

#: The sample enterprise's CRM roles: (code number, name, group, type).
SAMPLE_ROLES = (
    (6, "CRM管理员", "系统角色", 1),
    (11, "销售人员", "系统角色", 1),
    (12, "销售主管", "系统角色", 1),
    (13, "财务人员", "系统角色", 1),
    (101, "大客户经理", "自定义角色", 2),
    (102, "数据分析员", "自定义角色", 2),
)

#: The sample enterprise's employees:
#: (n, name, pinyin account, department, position, leader n, roles, stopped, days old).
#: Planted problems: seven active CRM administrators (more than the baseline's five:
#: PRIV-001), none of them on the super-admin allowlist (PRIV-002), and 韩冬 (n=20), who
#: left the company and was stopped (停用) but still holds the CRM administrator role
#: (PRIV-015).
SAMPLE_EMPLOYEES: tuple[tuple[Any, ...], ...] = (
    (1, "周建国", "zhoujianguo", 1001, "总经理", None, (6,), False, 2100),
    (2, "李晓梅", "lixiaomei", 1007, "IT经理", 1, (6,), False, 1900),
    (3, "王磊", "wanglei", 1007, "系统管理员", 2, (6,), False, 1500),
    (4, "陈静", "chenjing", 1002, "销售总监", 1, (6, 12), False, 1800),
    (5, "刘洋", "liuyang", 1003, "销售经理", 4, (6, 12), False, 1300),
    (6, "赵敏", "zhaomin", 1006, "财务经理", 1, (6, 13), False, 1700),
    (7, "孙鹏", "sunpeng", 1007, "开发工程师", 2, (6,), False, 600),
    (8, "吴芳", "wufang", 1003, "销售代表", 5, (11,), False, 900),
    (9, "郑浩", "zhenghao", 1003, "销售代表", 5, (11,), False, 700),
    (10, "冯丽", "fengli", 1004, "销售经理", 4, (12,), False, 1100),
    (11, "蒋涛", "jiangtao", 1004, "销售代表", 10, (11,), False, 500),
    (12, "沈佳", "shenjia", 1004, "销售代表", 10, (11, 101), False, 400),
    (13, "韩雪", "hanxue", 1005, "市场经理", 1, (102,), False, 1000),
    (14, "杨帆", "yangfan", 1005, "市场专员", 13, (), False, 300),
    (15, "朱琳", "zhulin", 1006, "会计", 6, (13,), False, 800),
    (16, "秦宇", "qinyu", 1008, "客户成功经理", 1, (11, 101), False, 650),
    (17, "许静", "xujing", 1008, "客户成功专员", 16, (11,), False, 200),
    (18, "何斌", "hebin", 1003, "销售代表", 5, (11,), True, 1200),
    (19, "马琪", "maqi", 1004, "销售代表", 10, (11,), True, 950),
    (20, "韩冬", "handong", 1007, "前IT主管", 2, (6,), True, 1600),
)


def sample_enterprise(now: datetime) -> Enterprise:
    """The fictional 星河贸易有限公司: 20 employees, 9 departments, 6 CRM roles."""
    departments = [
        Department(i, name, parent, order=k + 1)
        for k, (i, name, parent) in enumerate(SAMPLE_DEPARTMENTS)
    ]
    roles = [CrmRole(_code(n), name, group, kind) for n, name, group, kind in SAMPLE_ROLES]
    employees: list[Employee] = []
    members: dict[str, list[str]] = {role.role_code: [] for role in roles}
    for n, name, account, dept, position, leader, role_numbers, stopped, age in SAMPLE_EMPLOYEES:
        created = now.astimezone(timezone.utc) - timedelta(days=age)
        employee = Employee(
            open_user_id=_fsuid(n),
            name=name,
            account=account,
            email=f"{account}@xinghe-trading.example",
            mobile=f"1380000{n:04d}",
            position=position,
            gender="F" if n % 3 == 0 else "M",
            main_department_id=dept,
            leader_id=_fsuid(leader) if leader else None,
            is_stop=stopped,
            employee_number=f"XH{n:04d}",
            hire_date=created.date().isoformat(),
            create_time=int(created.timestamp() * 1000),
        )
        employees.append(employee)
        for number in role_numbers:
            members[_code(number)].append(employee.open_user_id)
    return Enterprise(
        corp_id="FSCID_" + hashlib.sha256(b"xinghe-trading").hexdigest()[:32].upper(),
        credentials=Credentials(),
        departments=departments,
        employees=employees,
        roles=roles,
        members=members,
    )


def large_enterprise(now: datetime, size: int) -> Enterprise:
    """A bigger enterprise for benchmarks: ``size`` employees over the sample's departments."""
    base = sample_enterprise(now)
    leaves = [d.id for d in base.departments if d.id != ROOT_DEPARTMENT_ID]
    employees: list[Employee] = []
    members = {code: list(ids) for code, ids in base.members.items()}
    for n in range(1000, 1000 + size):
        employee = Employee(
            open_user_id=_fsuid(n),
            name=f"员工{n}",
            account=f"139{n:08d}",
            email=f"user{n}@xinghe-trading.example",
            main_department_id=leaves[n % len(leaves)],
            is_stop=n % 17 == 0,
            create_time=int(now.timestamp() * 1000) - n * 86_400_000,
        )
        employees.append(employee)
        members[_code(11)].append(employee.open_user_id)
    base.employees.extend(employees)
    base.members = members
    return base
