"""A loopback HTTPS emulator of Fxiaoke's (纷享销客) open API, legacy parameter style.

What it reproduces, from docs/api/fxiaoke.md (each with its source there):

* every call is a POST of JSON to a ``/cgi/...`` path with ``?thirdTraceId=<uuid4>``;
  every answer is HTTP 200 with ``errorCode`` (0 = success), ``errorMessage``,
  ``errorDescription`` and ``traceId`` in the body, errors included;
* ``/cgi/corpAccessToken/get/V2`` exchanges appId / appSecret / permanentCode for a
  ``corpAccessToken`` + ``corpId`` with ``expiresIn`` 7200 s; the same token comes back
  for the first 6600 s, a new one after that while the old stays valid until 7200 s;
  at most 10 calls a minute and never two at once;
* business calls carry ``corpAccessToken`` + ``corpId`` (and ``currentOpenUserId`` for
  the CRM ``special`` calls) at the top of the body; a missing token answers 20017, an
  unknown or expired one 20016;
* 100 calls per 20 seconds per interface, then a rate-limit errorCode;
* an unknown path answers errorCode 10006 ("... is not exists").

One shape is not documented in any source consulted: the answer of 通过角色获取对应的用户
(``/cgi/crm/v2/bi/lwt/query``). The emulator answers ``data`` as a map roleCode ->
openUserIds, the one shape the adapter accepts (anything else is a malformed-response
gap there); docs/api/fxiaoke.md marks it unverified.

Tests inject faults per path (`fail`, `mutate`), read the request log (`requests`) and
move the clock (``clock``) to expire tokens. It never imports the adapter.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import ssl
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import trustme

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
class Fault:
    """Answer ``times`` matching requests with this, after letting ``skip`` pass."""

    body: bytes
    status: int = 200
    times: int = 1
    skip: int = 0
    delay: float = 0.0


@dataclass(frozen=True)
class Request:
    """One request the emulator received (the body as decoded JSON, or None)."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    content_type: str

    @property
    def trace_id(self) -> str | None:
        """The ``thirdTraceId`` query parameter."""
        return self.query.get("thirdTraceId")


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


class FxiaokeEmulator:
    """Serve ``enterprise`` over HTTPS on 127.0.0.1 until `stop`."""

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
        #: Predictable tokens and trace ids (the demo recording must be reproducible).
        self.deterministic = deterministic
        self._serial = 0
        self.requests: list[Request] = []
        self.writes: list[Request] = []
        self.tokens_issued: list[str] = []
        self._tokens: dict[str, _Issued] = {}
        self._current: _Issued | None = None
        self._faults: dict[str, list[Fault]] = {}
        self._mutators: dict[str, Callable[[dict[str, Any]], Any]] = {}
        self._limits = _Limits()
        self._lock = threading.Lock()
        self.ca = trustme.CA()
        self._cert = self.ca.issue_cert("127.0.0.1", "localhost")
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                emulator._handle(self, "GET")

            def do_POST(self) -> None:  # noqa: N802
                emulator._handle(self, "POST")

            def do_PUT(self) -> None:  # noqa: N802
                emulator._handle(self, "PUT")

            def do_DELETE(self) -> None:  # noqa: N802
                emulator._handle(self, "DELETE")

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        self._cert.configure_cert(context)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- lifecycle ----------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL to give the adapter as ``--base-url``."""
        host, port = self._server.server_address[:2]
        return f"https://{host!s}:{port}"

    def start(self) -> FxiaokeEmulator:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FxiaokeEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @contextlib.contextmanager
    def trusted(self, directory: str | Path) -> Iterator[str]:
        """Trust the emulator's CA through ``SSL_CERT_FILE`` (as a user would a proxy's).

        ``REQUESTS_CA_BUNDLE`` is cleared meanwhile (it takes precedence); both are
        restored afterwards.
        """
        saved = {name: os.environ.get(name) for name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")}
        path = self.ca_file(directory)
        os.environ.pop("REQUESTS_CA_BUNDLE", None)
        os.environ["SSL_CERT_FILE"] = path
        try:
            yield path
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    def ca_file(self, directory: str | Path) -> str:
        """Write the emulator's CA certificate into ``directory``; return its path."""
        Path(directory).mkdir(parents=True, exist_ok=True)
        path = str(Path(directory) / "fxiaoke-emulator-ca.pem")
        self.ca.cert_pem.write_to_path(path)
        return path

    # -- test controls ------------------------------------------------------------------

    def fail(
        self,
        path: str,
        code: int | None = None,
        message: str = "",
        *,
        status: int = 200,
        raw: bytes | None = None,
        times: int = 1,
        skip: int = 0,
        delay: float = 0.0,
    ) -> None:
        """Answer ``times`` requests to ``path`` with errorCode ``code`` (or ``raw`` bytes)."""
        if raw is None:
            raw = json.dumps(envelope(code if code is not None else -2, message)).encode()
        with self._lock:
            self._faults.setdefault(path, []).append(Fault(raw, status, times, skip, delay))

    def mutate(self, path: str, change: Callable[[dict[str, Any]], Any]) -> None:
        """Let ``change`` edit every successful answer body of ``path`` before it is sent."""
        with self._lock:
            self._mutators[path] = change

    def expire_tokens(self) -> None:
        """Invalidate every token issued so far (as if 7200 s had passed for them)."""
        with self._lock:
            self._tokens.clear()
            self._current = None

    def calls(self, path: str) -> list[Request]:
        """The requests that reached ``path``."""
        return [r for r in self.requests if r.path == path]

    # -- request handling ---------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        path = parts.path.rstrip("/") or "/"
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = None
        request = Request(method, path, query, body, handler.headers.get("Content-Type") or "")
        with self._lock:
            self.requests.append(request)
            if path in WRITE_PATHS:
                self.writes.append(request)
            fault = self._take_fault(path)
        if method == "GET" and path == "/":
            # The TLS probe's GET of the root: the gateway's landing answer.
            self._send(handler, 200, b"open api gateway", "text/plain", hsts=True)
            return
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            self._send(handler, fault.status, fault.body, "application/json")
            return
        answer = self._route(method, path, body)
        if self.deterministic:
            answer["traceId"] = f"E-O.demo.{len(self.requests):04d}"
        change = self._mutators.get(path)
        if change is not None and answer.get("errorCode") == 0:
            replaced = change(answer)
            if replaced is not None:
                answer = replaced
        self._send(
            handler, 200, json.dumps(answer, ensure_ascii=False).encode(), "application/json"
        )

    def _take_fault(self, path: str) -> Fault | None:
        for fault in self._faults.get(path, []):
            if fault.skip > 0:
                fault.skip -= 1
                return None
            if fault.times > 0:
                fault.times -= 1
                return fault
        return None

    def _send(
        self,
        handler: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        content_type: str,
        hsts: bool = False,
    ) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", f"{content_type};charset=UTF-8")
        handler.send_header("Content-Length", str(len(body)))
        if hsts:
            handler.send_header("Strict-Transport-Security", "max-age=31536000")
        handler.end_headers()
        try:
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass

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
