"""Fxiaoke's error codes and what the adapter does about each: its decision table.

Fxiaoke answers HTTP 200 to almost everything and puts the outcome in the body::

    {"errorCode": 20016, "errorMessage": "...", "errorDescription": "...", "traceId": "E-O..."}

``errorCode`` 0 is success; the documentation says never to branch on ``errorMessage``
(it changes), so only the code decides. The codes come from 全局返回码 and the probes
recorded in docs/api/fxiaoke.md. `CODES` says what each means; `decide_token` and
`decide_call` turn an answer into the shared HTTP layer's decision:

==============================  ==================================================
codes                           decision
==============================  ==================================================
0                               accept
20016, 20005 (token expired)    renew the token and send again (once)
14001, 30004 (rate limited),    retry with back-off, then a ``rate_limited`` gap
-1 (system busy)
50009 (service timeout)         retry with back-off, then an ``api_error`` gap
30002 (daily quota used up)     ``rate_limited`` gap at once (resets at midnight)
15003, 20014, 20020-20023,      ``permission_missing`` gap naming what is missing
10010, 11008, 20012
30003 (no Open API quota)       ``not_available`` gap
credentials codes at sign-in    `AuthenticationError` (exit 2) naming what was refused
anything else                   ``api_error`` gap with the code and its meaning
==============================  ==================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from adapters.http.answers import ACCEPT, Answer, Attempt, Decision, Renew, Retry
from scanner.errors import (
    ApiError,
    AuthenticationError,
    CollectionError,
    MalformedResponseError,
    NotAvailableError,
    PermissionMissingError,
    RateLimitedError,
)
from scanner.redact import redact


class Kind(str, Enum):
    """What a code means for the adapter."""

    SUCCESS = "success"
    EXPIRED = "expired"
    RATE = "rate"
    BUSY = "busy"
    TIMEOUT = "timeout"
    DAILY = "daily"
    PERMISSION = "permission"
    OPERATOR = "operator"
    NO_QUOTA = "no_quota"
    CREDENTIALS = "credentials"
    NO_SUCH_API = "no_such_api"
    OTHER = "other"


@dataclass(frozen=True)
class Code:
    """One documented return code: its Chinese meaning and what it tells a user."""

    meaning: str
    kind: Kind
    hint: str = ""


#: The codes the adapter treats specially (全局返回码; docs/api/fxiaoke.md).
CODES: dict[int, Code] = {
    0: Code("请求成功", Kind.SUCCESS),
    -1: Code("系统繁忙", Kind.BUSY, "Fxiaoke is busy"),
    -2: Code("系统错误", Kind.OTHER, "Fxiaoke reported a system error"),
    10001: Code("缺少参数appId", Kind.CREDENTIALS, "the app id is missing"),
    10002: Code("缺少参数appSecret", Kind.CREDENTIALS, "the app secret is missing"),
    10006: Code(
        "缺少参数scope / 参数不合法",
        Kind.NO_SUCH_API,
        "the request was refused as malformed, or the path does not exist on this host",
    ),
    10010: Code("缺少参数openUserId", Kind.OPERATOR, "no acting employee (--open-user-id)"),
    10012: Code("缺少参数permanentCode", Kind.CREDENTIALS, "the permanent code is missing"),
    11001: Code("参数appId不合法", Kind.CREDENTIALS, "the app id is not valid"),
    11002: Code("参数appSecret不合法", Kind.CREDENTIALS, "the app secret is not valid"),
    11008: Code("参数openUserId不合法", Kind.OPERATOR, "the --open-user-id is not valid"),
    11013: Code("参数permanentCode不合法", Kind.CREDENTIALS, "the permanent code is not valid"),
    11014: Code("参数corpAccessToken不合法", Kind.EXPIRED, "the corp access token is not valid"),
    14001: Code("接口调用超过限制", Kind.RATE, "the interface's call limit was exceeded"),
    15003: Code("APP没有访问权限", Kind.PERMISSION, "the app has no access to this interface"),
    20005: Code("accessToken不存在或者已经过期", Kind.EXPIRED, "the access token expired"),
    20006: Code("appId或appSecret错误", Kind.CREDENTIALS, "the app id or app secret is wrong"),
    20012: Code("openUserId未找到", Kind.OPERATOR, "the --open-user-id is not an employee"),
    20014: Code(
        "应用没有获取该员工的数据的权限",
        Kind.PERMISSION,
        "the app may not read this employee's data",
    ),
    20015: Code("永久授权码错误", Kind.CREDENTIALS, "the permanent code is wrong"),
    20016: Code("corpAccessToken不存在或者已经过期", Kind.EXPIRED, "the corp access token expired"),
    20017: Code("corpId未找到", Kind.CREDENTIALS, "the enterprise (corpId) was not found"),
    20020: Code(
        "应用没有获取该企业的数据的权限",
        Kind.PERMISSION,
        "the app may not read this enterprise's data",
    ),
    20021: Code(
        "在当前企业下，该app的状态为停用",
        Kind.CREDENTIALS,
        "the app is disabled (停用) in this enterprise",
    ),
    20022: Code(
        "企业没有对该app授权", Kind.CREDENTIALS, "the enterprise has not authorized the app"
    ),
    20023: Code(
        "APP没有访问department的权限",
        Kind.PERMISSION,
        "the app's data range does not cover every department",
    ),
    30002: Code(
        "当天访问频次超限（0点重新统计）",
        Kind.DAILY,
        "the enterprise's daily Open API quota is used up; it resets at midnight",
    ),
    30003: Code(
        "客户没有购买openapi配额",
        Kind.NO_QUOTA,
        "the enterprise has bought no Open API quota (an Open API resource pack)",
    ),
    30004: Code("秒频次超限", Kind.RATE, "the per-interface frequency limit was exceeded"),
    30007: Code("部门不存在", Kind.OTHER, "the department does not exist"),
    30027: Code("员工不存在", Kind.OTHER, "the employee does not exist"),
    32000: Code("参数错误", Kind.OTHER, "Fxiaoke refused the request's parameters"),
    50009: Code("服务异常，如:超时", Kind.TIMEOUT, "Fxiaoke's service failed (e.g. a timeout)"),
}

#: Where to fix each refused credential, for the sign-in message.
_CREDENTIAL_OPTIONS = {
    10001: "--app-id / FXIAOKE_APP_ID",
    11001: "--app-id / FXIAOKE_APP_ID",
    10002: "--app-secret / FXIAOKE_APP_SECRET",
    11002: "--app-secret / FXIAOKE_APP_SECRET",
    10006: "--app-id and --app-secret (FXIAOKE_APP_ID / FXIAOKE_APP_SECRET)",
    20006: "--app-id and --app-secret (FXIAOKE_APP_ID / FXIAOKE_APP_SECRET)",
    10012: "--permanent-code / FXIAOKE_PERMANENT_CODE",
    11013: "--permanent-code / FXIAOKE_PERMANENT_CODE",
    20015: "--permanent-code / FXIAOKE_PERMANENT_CODE",
}


@dataclass(frozen=True)
class Outcome:
    """An answer's ``errorCode`` and message (redacted), read from its body."""

    code: int
    message: str
    trace_id: str

    def describe(self) -> str:
        """``errorCode N (含义: hint)`` plus the server's message and trace id."""
        known = CODES.get(self.code)
        text = f"errorCode {self.code}"
        if known is not None:
            text += f" {known.meaning}" + (f": {known.hint}" if known.hint else "")
        if self.message and (known is None or self.message not in known.meaning):
            text += f" ({self.message})"
        if self.trace_id:
            text += f" [traceId {self.trace_id}]"
        return text

    @property
    def kind(self) -> Kind:
        """What the code means; unknown codes are `Kind.OTHER`."""
        known = CODES.get(self.code)
        return known.kind if known is not None else Kind.OTHER


def outcome(body: Any, what: str) -> Outcome:
    """The `Outcome` of a decoded answer; `MalformedResponseError` without an errorCode."""
    if not isinstance(body, dict):
        raise MalformedResponseError(f"{what}: malformed response: the answer is not an object")
    code = body.get("errorCode")
    if isinstance(code, str) and code.lstrip("-").isdigit():
        code = int(code)
    if not isinstance(code, int) or isinstance(code, bool):
        raise MalformedResponseError(f"{what}: malformed response: no errorCode in the answer")
    message = body.get("errorMessage")
    trace = body.get("traceId")
    return Outcome(
        code=code,
        message=redact(str(message))[:300] if message is not None else "",
        trace_id=redact(str(trace))[:80] if trace is not None else "",
    )


def _http_failure(answer: Answer, what: str) -> Decision | None:
    """A decision for a non-2xx answer (Fxiaoke answers 200, but gateways may not)."""
    if answer.ok:
        return None
    if answer.status == 429 or answer.status >= 500:
        gap = RateLimitedError if answer.status == 429 else ApiError
        return Retry(because=f"HTTP {answer.status}", gap=gap)
    return ApiError(f"{what}: Fxiaoke answered HTTP {answer.status}")


def _retry_or_gap(found: Outcome) -> Decision | None:
    kind = found.kind
    if kind in (Kind.RATE, Kind.BUSY):
        return Retry(because=found.describe(), gap=RateLimitedError)
    if kind is Kind.TIMEOUT:
        return Retry(because=found.describe(), gap=ApiError)
    return None


def decide_token(answer: Answer, attempt: Attempt) -> Decision:
    """The table for the corp access token request (sign-in and renewals).

    A refused credential is an `AuthenticationError` (exit 2) naming the option to fix.
    """
    what = "corp access token"
    failed = _http_failure(answer, what)
    if failed is not None:
        return failed
    found = outcome(answer.json(what), what)
    if found.code == 0:
        return ACCEPT
    retry = _retry_or_gap(found)
    if retry is not None:
        return retry
    # 10006 is what the token endpoint answers to a wrong appSecret (docs/api/fxiaoke.md).
    if found.kind in (Kind.CREDENTIALS, Kind.NO_QUOTA) or found.code in _CREDENTIAL_OPTIONS:
        option = _CREDENTIAL_OPTIONS.get(found.code)
        fix = f": check {option}" if option else ""
        return AuthenticationError(f"Fxiaoke refused the sign-in ({found.describe()}){fix}")
    if found.kind is Kind.DAILY:
        return RateLimitedError(f"{what}: {found.describe()}")
    return AuthenticationError(f"Fxiaoke did not issue a corp access token: {found.describe()}")


def decide_call(answer: Answer, attempt: Attempt) -> Decision:
    """The table for a business call (``attempt.what`` names it: "user list")."""
    what = attempt.what or "Fxiaoke call"
    failed = _http_failure(answer, what)
    if failed is not None:
        return failed
    found = outcome(answer.json(what), what)
    if found.code == 0:
        return ACCEPT
    return classify(found, what, first_call=attempt.first_call)


def classify(found: Outcome, what: str, *, first_call: bool) -> Decision:
    """What a non-zero ``errorCode`` on a business call means."""
    kind = found.kind
    if kind is Kind.EXPIRED:
        return Renew(because=found.describe())
    retry = _retry_or_gap(found)
    if retry is not None:
        return retry
    text = f"{what}: {found.describe()}"
    error: CollectionError | AuthenticationError
    if kind is Kind.DAILY:
        error = RateLimitedError(text)
    elif kind is Kind.PERMISSION:
        error = PermissionMissingError(text)
    elif kind is Kind.OPERATOR:
        error = PermissionMissingError(
            f"{text}; give --open-user-id (FXIAOKE_OPEN_USER_ID) the openUserId (FSUID_…) "
            "of a CRM administrator"
        )
    elif kind is Kind.NO_QUOTA:
        error = NotAvailableError(text)
    elif kind is Kind.CREDENTIALS and first_call:
        error = AuthenticationError(f"Fxiaoke refused the scan's credentials ({found.describe()})")
    else:
        error = ApiError(text)
    return error
