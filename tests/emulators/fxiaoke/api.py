"""The documented behaviour of Fxiaoke's open API, for the emulator (no HTTP here).

`OpenApi.answer` takes one request (method, path, decoded JSON body) and returns the
answer body Fxiaoke would send, with HTTP 200: tokens and their lifetime, authentication,
the per-interface and token-call limits, the directory and the CRM role reads. The
constants are the documented values (docs/api/fxiaoke.md); nothing here imports the
adapter.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.emulators.fxiaoke.enterprise import Enterprise

TOKEN_PATH = "/cgi/corpAccessToken/get/V2"
DEPARTMENT_LIST = "/cgi/department/list"
USER_LIST = "/cgi/user/list"
ROLE_LIST = "/cgi/crm/v2/special/roleGetRoleList"
ROLE_USERS = "/cgi/crm/v2/bi/lwt/query"

#: The documented reads this emulator answers.
READ_PATHS = frozenset({TOKEN_PATH, DEPARTMENT_LIST, USER_LIST, ROLE_LIST, ROLE_USERS})
#: Documented calls that change the enterprise. The emulator records any request to
#: them in `writes` (and changes nothing): a scan must never reach one.
WRITE_PATHS = frozenset(
    {
        "/cgi/user/add",
        "/cgi/user/update",
        "/cgi/user/setStatus",
        "/cgi/department/add",
        "/cgi/department/update",
        "/cgi/department/setStatus",
        "/cgi/crm/v2/special/roleAdd",
        "/cgi/crm/v2/special/roleUpdate",
        "/cgi/crm/v2/special/roleDelete",
        "/cgi/crm/v2/special/batchAddUserRole",
        "/cgi/crm/v2/special/batchSetUserRoles",
        "/cgi/crm/v2/special/deleteByUserIds",
        "/cgi/crm/v2/data/create",
        "/cgi/crm/v2/data/update",
        "/cgi/crm/v2/data/changeOwner",
    }
)

TOKEN_LIFETIME = 7200.0  #: seconds a corpAccessToken is valid
SAME_TOKEN_WINDOW = 6600.0  #: within this, asking again returns the same token
INTERFACE_LIMIT = (100, 20.0)  #: calls per window (seconds), per interface
TOKEN_LIMIT = (10, 60.0)  #: token calls per minute

SUCCESS = {"errorCode": 0, "errorMessage": "success", "errorDescription": "成功"}


def envelope(
    code: int, message: str, description: str = "", trace: str | None = None, **payload: Any
) -> dict[str, Any]:
    """A Fxiaoke answer body: errorCode / errorMessage / errorDescription / traceId."""
    body: dict[str, Any] = {
        "errorCode": code,
        "errorMessage": message,
        "errorDescription": description or message,
        "traceId": trace or f"E-O.{uuid.uuid4().hex[:24]}",
    }
    body.update(payload)
    return body


def ok(**payload: Any) -> dict[str, Any]:
    """A success answer carrying ``payload``."""
    return envelope(0, "success", "成功", **payload)


@dataclass
class _Issued:
    value: str
    issued_at: float


@dataclass
class FakeClock:
    """A clock tests move by hand (seconds)."""

    now: float = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds


@dataclass
class _Limits:
    interface: dict[str, deque[float]] = field(default_factory=dict)
    token: deque[float] = field(default_factory=deque)
    token_in_flight: int = 0


class OpenApi:
    """What one emulated enterprise's open API answers."""

    def __init__(
        self,
        enterprise: Enterprise,
        *,
        clock: Callable[[], float] = time.monotonic,
        token_lifetime: float = TOKEN_LIFETIME,
        same_token_window: float = SAME_TOKEN_WINDOW,
        rate_limit_code: int = 30004,
        interface_limit: tuple[int, float] = INTERFACE_LIMIT,
        deterministic: bool = False,
    ) -> None:
        self.enterprise = enterprise
        self.clock = clock
        self.token_lifetime = token_lifetime
        self.same_token_window = same_token_window
        self.rate_limit_code = rate_limit_code
        self.interface_limit = interface_limit
        #: Predictable tokens (the demo recording must be reproducible).
        self.deterministic = deterministic
        self._serial = 0
        self.tokens_issued: list[str] = []
        self._tokens: dict[str, _Issued] = {}
        self._current: _Issued | None = None
        self._limits = _Limits()
        self._lock = threading.Lock()

    def expire_tokens(self) -> None:
        """Invalidate every token issued so far (as if 7200 s had passed for them)."""
        with self._lock:
            self._tokens.clear()
            self._current = None

    def answer(self, method: str, path: str, body: Any) -> dict[str, Any]:
        """The answer body to one request."""
        return self._route(method, path, body)

    def _route(self, method: str, path: str, body: Any) -> dict[str, Any]:
        if method != "POST" or path not in READ_PATHS:
            return envelope(
                10006,
                f"the request uri=[{path}], apiName=[null] is not exists",
                "缺少参数或参数不合法",
            )
        if not isinstance(body, dict):
            return envelope(12004, "POST的数据包为空")
        if path == TOKEN_PATH:
            return self._token(body)
        refused = self._authenticate(body)
        if refused is not None:
            return refused
        limited = self._rate_limited(path)
        if limited is not None:
            return limited
        if path == DEPARTMENT_LIST:
            return ok(departments=[d.wire() for d in self.enterprise.departments])
        if path == USER_LIST:
            return self._user_list(body)
        operator = self._operator(body)
        if operator is not None:
            return operator
        if path == ROLE_LIST:
            return self._role_list(body)
        return self._role_users(body)

    # -- token ----------------------------------------------------------------------------

    def _token(self, body: dict[str, Any]) -> dict[str, Any]:
        creds = self.enterprise.credentials
        with self._lock:
            now = self.clock()
            window = self._limits.token
            while window and now - window[0] >= TOKEN_LIMIT[1]:
                window.popleft()
            if len(window) >= TOKEN_LIMIT[0] or self._limits.token_in_flight:
                return envelope(14001, "接口调用超过限制")
            window.append(now)
            self._limits.token_in_flight += 1
        try:
            if not body.get("appId"):
                return envelope(10001, "缺少参数appId")
            if not body.get("appSecret") or body.get("appSecret") != creds.app_secret:
                # Observed without credentials (docs/api/fxiaoke.md): 10006, not 10002/11002.
                return envelope(
                    10006, "the parameter appSecret is missing or illegal", "缺少参数或参数不合法"
                )
            if body.get("appId") != creds.app_id:
                return envelope(20006, "appId或appSecret错误")
            if not body.get("permanentCode"):
                return envelope(10012, "缺少参数permanentCode")
            if body.get("permanentCode") != creds.permanent_code:
                return envelope(20015, "永久授权码错误")
            issued = self._issue(now)
            remaining = max(0, int(self.token_lifetime - (now - issued.issued_at)))
            return ok(
                corpAccessToken=issued.value,
                corpId=self.enterprise.corp_id,
                expiresIn=remaining,
            )
        finally:
            with self._lock:
                self._limits.token_in_flight -= 1

    def _issue(self, now: float) -> _Issued:
        with self._lock:
            current = self._current
            if current is not None and now - current.issued_at < self.same_token_window:
                return current
            issued = _Issued(self._new_token(), now)
            self._tokens[issued.value] = issued
            self._current = issued
            self.tokens_issued.append(issued.value)
            return issued

    def _new_token(self) -> str:
        if not self.deterministic:
            return secrets.token_hex(16).upper()
        self._serial += 1
        return f"DEMO{self._serial:028X}"

    def _authenticate(self, body: dict[str, Any]) -> dict[str, Any] | None:
        token = body.get("corpAccessToken")
        if not token:
            return envelope(20017, "corpAccessToken为必填项，不能为空")
        with self._lock:
            issued = self._tokens.get(str(token))
        if issued is None or body.get("corpId") != self.enterprise.corp_id:
            return envelope(20016, "the cropId,cropAccessToken or authorization is error")
        if self.clock() - issued.issued_at >= self.token_lifetime:
            return envelope(20016, "corpAccessToken不存在或者已经过期")
        return None

    def _rate_limited(self, path: str) -> dict[str, Any] | None:
        limit, seconds = self.interface_limit
        with self._lock:
            now = self.clock()
            window = self._limits.interface.setdefault(path, deque())
            while window and now - window[0] >= seconds:
                window.popleft()
            if len(window) >= limit:
                message = "秒频次超限" if self.rate_limit_code == 30004 else "接口调用超过限制"
                return envelope(self.rate_limit_code, message)
            window.append(now)
        return None

    def _operator(self, body: dict[str, Any]) -> dict[str, Any] | None:
        operator = body.get("currentOpenUserId")
        if not operator:
            return envelope(10010, "缺少参数openUserId")
        if self.enterprise.employee(str(operator)) is None:
            return envelope(20012, "openUserId未找到")
        return None

    # -- directory ------------------------------------------------------------------------

    def _user_list(self, body: dict[str, Any]) -> dict[str, Any]:
        department_id = body.get("departmentId")
        if not isinstance(department_id, int) or isinstance(department_id, bool):
            return envelope(11009, "参数departmentId不合法")
        if self.enterprise.department(department_id) is None:
            return envelope(30007, "部门不存在")
        fetch_child = body.get("fetchChild") is True
        detail = body.get("showDepartmentIdsDetail") is True
        users = []
        for employee in self.enterprise.employees:
            if self.enterprise.in_subtree(employee, department_id, fetch_child):
                ancestors: list[int] = []
                for own in [employee.main_department_id, *employee.attaching_department_ids]:
                    ancestors.extend(
                        d for d in self.enterprise.ancestors(own) if d not in ancestors
                    )
                users.append(employee.wire(ancestors, detail))
        return ok(userList=users)

    # -- CRM roles ------------------------------------------------------------------------

    def _role_list(self, body: dict[str, Any]) -> dict[str, Any]:
        data = body.get("data")
        context = data.get("AuthContext") if isinstance(data, dict) else None
        if not isinstance(context, dict) or not context.get("appId"):
            return envelope(32000, "参数错误: AuthContext.appId")
        return ok(data=[r.wire() for r in self.enterprise.roles])

    def _role_users(self, body: dict[str, Any]) -> dict[str, Any]:
        data = body.get("data")
        codes = data.get("roleCodes") if isinstance(data, dict) else None
        if not isinstance(codes, list) or not codes:
            return envelope(32000, "参数错误: roleCodes")
        members = self.enterprise.members
        return ok(data={str(code): list(members.get(str(code), [])) for code in codes})
