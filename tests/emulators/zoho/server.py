"""A loopback Zoho CRM emulator over HTTPS: accounts server and v8 API in one.

`ZohoEmulator` serves a `ZohoOrg` on ``https://127.0.0.1:<port>`` with a throwaway
trustme CA (`ca_file`), as Zoho documents it (docs/api/zoho.md):

- ``POST /oauth/v2/token`` (refresh-token grant, form or query parameters): Zoho's
  answer with ``api_domain`` (this server), or ``{"error": ...}`` for a refused
  credential; access tokens expire after ``token_lifetime`` seconds of the emulator clock;
- ``Authorization: Zoho-oauthtoken <token>`` on every API call: missing → 401
  AUTHENTICATION_FAILURE, unknown or expired → 401 INVALID_TOKEN, a scope the token was
  not granted → 401 OAUTH_SCOPE_MISMATCH, a profile permission the scanning user lacks
  (`deny`) → 403 NO_PERMISSION;
- ``GET /crm/v8/users`` paged by ``page``/``per_page`` (max 200) with ``info.more_records``;
  profiles (``permissions_details`` only on the single-profile call), roles, org, fields
  per module (INVALID_MODULE for an unknown one), audit-log export jobs;
- the per-app concurrency cap of the org's edition: a call beyond it answers 429
  TOO_MANY_REQUESTS; ``latency`` holds each call open so tests can see concurrency;
- a fault switchboard (`fail`): per path, any status, body (bytes for malformed JSON),
  headers, a hang; and a log of every request (`requests`) so tests can prove reads only.
"""

from __future__ import annotations

import json
import secrets
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import trustme

from tests.emulators.zoho.org import ZohoOrg, new_id

API = "/crm/v8"
#: The scope each path needs (READ or ALL of it, or a parent ``.ALL``).
SCOPES = {
    f"{API}/org": "ZohoCRM.org",
    f"{API}/users": "ZohoCRM.users",
    f"{API}/settings/profiles": "ZohoCRM.settings.profiles",
    f"{API}/settings/roles": "ZohoCRM.settings.roles",
    f"{API}/settings/fields": "ZohoCRM.settings.fields",
    f"{API}/settings/audit_log_export": "ZohoCRM.settings.audit_logs",
}
USER_TYPES = {
    "AllUsers",
    "ActiveUsers",
    "DeactiveUsers",
    "ConfirmedUsers",
    "NotConfirmedUsers",
    "DeletedUsers",
    "ActiveConfirmedUsers",
    "AdminUsers",
    "ActiveConfirmedAdmins",
    "CurrentUser",
}
MAX_PER_PAGE = 200
#: Polls of an audit-log export job before it is finished.
AUDIT_JOB_POLLS = 2


def zoho_error(code: str, message: str, **details: Any) -> dict[str, Any]:
    """Zoho CRM's error document."""
    return {"code": code, "details": details, "message": message, "status": "error"}


@dataclass(frozen=True)
class Credentials:
    """The client and refresh token the accounts server accepts, and their scopes."""

    client_id: str = "1000.EMULATORCLIENT"
    client_secret: str = "emulator-client-secret-0f3c"  # noqa: S105 - test credential
    refresh_token: str = "1000.emulator-refresh-token.9d2e"  # noqa: S105
    scopes: tuple[str, ...] = (
        "ZohoCRM.org.READ",
        "ZohoCRM.users.READ",
        "ZohoCRM.settings.profiles.READ",
        "ZohoCRM.settings.roles.READ",
        "ZohoCRM.settings.fields.READ",
        "ZohoCRM.settings.audit_logs.READ",
    )


@dataclass
class Fault:
    """Answer matching requests with this, ``times`` times after letting ``skip`` pass."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    skip: int = 0
    hang: float = 0.0


@dataclass(frozen=True)
class Request:
    """One request the emulator received."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    token: str | None
    host: str


@dataclass
class _Token:
    expires_at: float
    scopes: frozenset[str]


class ZohoEmulator:
    """Serve ``org`` over HTTPS on loopback. Use as a context manager."""

    def __init__(
        self,
        org: ZohoOrg,
        credentials: Credentials | None = None,
        *,
        token_lifetime: float = 3600.0,
        latency: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
        token_factory: Callable[[], str] | None = None,
    ) -> None:
        self.org = org
        self.credentials = credentials or Credentials()
        self.token_lifetime = token_lifetime
        self.latency = latency
        self.clock = clock
        self.token_factory = token_factory or (
            lambda: f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"
        )
        self.requests: list[Request] = []
        self.denied: dict[str, str] = {}  #: path → profile permission the user lacks
        self.tokens_issued = 0
        self.lapsed_tokens_refused = 0  #: INVALID_TOKEN answers to issued-but-lapsed tokens
        self.max_in_flight = 0
        self._in_flight = 0
        self._tokens: dict[str, _Token] = {}
        self._faults: dict[str, list[Fault]] = {}
        self._job_polls: dict[str, int] = {}
        self._lock = threading.Lock()
        self.ca = trustme.CA()
        self._cert = self.ca.issue_cert(
            "127.0.0.1", "localhost", "*.zoho.com", "*.zohoapis.com", "accounts.zoho.eu"
        )
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> ZohoEmulator:
        """Start serving on an ephemeral loopback port."""
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

            def do_PATCH(self) -> None:  # noqa: N802
                emulator._handle(self, "PATCH")

            def do_DELETE(self) -> None:  # noqa: N802
                emulator._handle(self, "DELETE")

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._cert.configure_cert(context)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        self._server = server
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> ZohoEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """This server's base URL: the accounts server and the API domain."""
        assert self._server is not None
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def ca_file(self, directory: str) -> str:
        """Write the CA certificate to ``directory``; its path (for SSL_CERT_FILE)."""
        path = f"{directory}/zoho-emulator-ca.pem"
        self.ca.cert_pem.write_to_path(path)
        return path

    # -- test controls -----------------------------------------------------------------
    def fail(
        self,
        path: str,
        status: int,
        body: dict[str, Any] | bytes | None = None,
        *,
        headers: dict[str, str] | None = None,
        times: int = 1,
        skip: int = 0,
        hang: float = 0.0,
    ) -> None:
        """Answer requests to ``path`` with ``status`` and ``body`` ``times`` times."""
        raw = body if isinstance(body, bytes) else json.dumps(body or {}).encode()
        with self._lock:
            self._faults.setdefault(path.rstrip("/"), []).append(
                Fault(status, raw, dict(headers or {}), times, skip, hang)
            )

    def deny(self, path: str, permission: str) -> None:
        """The scanning user's profile lacks ``permission`` for ``path`` (403)."""
        self.denied[path.rstrip("/")] = permission

    def expire_tokens(self) -> None:
        """Make every issued access token lapse now."""
        with self._lock:
            for token in self._tokens.values():
                token.expires_at = self.clock() - 1

    def calls(self, path: str) -> list[Request]:
        """The requests to ``path``."""
        return [r for r in self.requests if r.path == path.rstrip("/")]

    # -- handling ----------------------------------------------------------------------
    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        path = parts.path.rstrip("/") or "/"
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        form: dict[str, str] = {}
        if "form-urlencoded" in (handler.headers.get("Content-Type") or ""):
            form = {k: v[-1] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
        auth = handler.headers.get("Authorization") or ""
        token = auth.removeprefix("Zoho-oauthtoken ").strip() if auth else None
        with self._lock:
            self.requests.append(
                Request(method, path, query, form, token, handler.headers.get("Host") or "")
            )
            fault = self._take_fault(path)
        if fault is not None:
            if fault.hang:
                time.sleep(fault.hang)
            self._send(handler, fault.status, fault.body, fault.headers)
            return
        if path == "/oauth/v2/token" and method == "POST":
            self._send_json(handler, 200, self._token({**query, **form}))
            return
        if not path.startswith(API):
            self._send_json(handler, 404, self._invalid_url())
            return
        status, body = self._api(method, path, query, raw, token)
        self._send_json(handler, status, body)

    def _take_fault(self, path: str) -> Fault | None:
        for fault in self._faults.get(path, []):
            if fault.skip > 0:
                fault.skip -= 1
                return None
            if fault.times > 0:
                fault.times -= 1
                return fault
        return None

    def _token(self, params: dict[str, str]) -> dict[str, Any]:
        creds = self.credentials
        if params.get("grant_type") != "refresh_token":
            return {"error": "unsupported_grant_type"}
        if params.get("client_id") != creds.client_id:
            return {"error": "invalid_client"}
        if params.get("client_secret") != creds.client_secret:
            return {"error": "invalid_client_secret"}
        if params.get("refresh_token") != creds.refresh_token:
            return {"error": "invalid_code"}
        value = self.token_factory()
        with self._lock:
            self._tokens[value] = _Token(
                self.clock() + self.token_lifetime, frozenset(creds.scopes)
            )
            self.tokens_issued += 1
        return {
            "access_token": value,
            "scope": " ".join(creds.scopes),
            "api_domain": self.url,
            "token_type": "Bearer",
            "expires_in": int(self.token_lifetime),
        }

    def _authorize(self, method: str, path: str, token: str | None) -> tuple[int, Any] | None:
        if not token:
            return 401, zoho_error("AUTHENTICATION_FAILURE", "Authentication failed")
        with self._lock:
            issued = self._tokens.get(token)
        if issued is None or issued.expires_at <= self.clock():
            if issued is not None:
                with self._lock:
                    self.lapsed_tokens_refused += 1
            return 401, zoho_error("INVALID_TOKEN", "invalid oauth token")
        needed = next((s for p, s in SCOPES.items() if path == p or path.startswith(p + "/")), None)
        operation = {"GET": "READ", "POST": "CREATE", "PUT": "UPDATE", "DELETE": "DELETE"}
        if needed is not None and not _granted(
            needed, operation.get(method, method), issued.scopes
        ):
            return 401, zoho_error("OAUTH_SCOPE_MISMATCH", "invalid oauth scope to access this URL")
        return None

    def _api(
        self, method: str, path: str, query: dict[str, str], raw: bytes, token: str | None
    ) -> tuple[int, Any]:
        refused = self._authorize(method, path, token)
        if refused is not None:
            return refused
        base = next((p for p in self.denied if path == p or path.startswith(p + "/")), None)
        if base is not None:
            return 403, zoho_error(
                "NO_PERMISSION", "permission denied", permissions=[self.denied[base]]
            )
        with self._lock:
            if self._in_flight >= self.org.concurrency_limit:
                return 429, zoho_error(
                    "TOO_MANY_REQUESTS",
                    "Concurrency limit exceeded for this org and app",
                    limit=self.org.concurrency_limit,
                )
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            if self.latency:
                time.sleep(self.latency)
            return self._route(method, path, query, raw)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _route(self, method: str, path: str, query: dict[str, str], raw: bytes) -> tuple[int, Any]:
        org = self.org
        if method == "POST" and path == f"{API}/settings/audit_log_export":
            return self._create_audit_job(raw)
        if method != "GET":
            return 400, zoho_error(
                "INVALID_REQUEST_METHOD", "The http request method type is not a valid one"
            )
        if path == f"{API}/org":
            return 200, {"org": [org.org]}
        if path == f"{API}/users":
            return self._users(query)
        if path == f"{API}/settings/profiles":
            return 200, {"profiles": org.profile_listing(), "info": {"license_limit": 0}}
        if path.startswith(f"{API}/settings/profiles/"):
            ident = path.rsplit("/", 1)[1]
            found = next((p for p in org.profiles if p["id"] == ident), None)
            if found is None:
                return 400, zoho_error(
                    "INVALID_DATA", "the id given seems to be invalid or already deleted",
                    resource_path_index=2,
                )  # fmt: skip
            return 200, {"profiles": [found]}
        if path == f"{API}/settings/roles":
            return 200, {"roles": org.roles}
        if path == f"{API}/settings/fields":
            return self._fields(query)
        if path == f"{API}/settings/audit_log_export":
            if not org.audit_jobs:
                return 400, zoho_error("NO_CONTENT", "No audit log has been scheduled")
            return 200, {"audit_log_export": [self._job_view(j) for j in org.audit_jobs]}
        if path.startswith(f"{API}/settings/audit_log_export/"):
            ident = path.rsplit("/", 1)[1]
            job = next((j for j in org.audit_jobs if j["id"] == ident), None)
            if job is None:
                return 204, None
            return 200, {"audit_log_export": [self._job_view(job, poll=True)]}
        return 404, self._invalid_url()

    def _users(self, query: dict[str, str]) -> tuple[int, Any]:
        kind = query.get("type", "AllUsers")
        if kind not in USER_TYPES:
            return 400, zoho_error(
                "INVALID_DATA", "invalid data", api_name="type", expected_data_type="text",
                json_path="$.type", regex="",
            )  # fmt: skip
        try:
            page = int(query.get("page", "1"))
            per_page = int(query.get("per_page", str(MAX_PER_PAGE)))
        except ValueError:
            return 400, zoho_error("INVALID_DATA", "invalid data", api_name="page")
        if per_page < 1 or per_page > MAX_PER_PAGE or page < 1:
            return 400, zoho_error(
                "INVALID_DATA", "invalid data", api_name="per_page", expected_data_type="integer",
            )  # fmt: skip
        rows = [u for u in self.org.users if _of_type(u, kind)]
        start = (page - 1) * per_page
        chunk = rows[start : start + per_page]
        if not chunk:
            return 204, None
        info = {
            "per_page": per_page,
            "count": len(chunk),
            "page": page,
            "more_records": start + per_page < len(rows),
        }
        return 200, {"users": chunk, "info": info}

    def _fields(self, query: dict[str, str]) -> tuple[int, Any]:
        module = query.get("module")
        if not module:
            return 400, zoho_error(
                "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing",
                param_name="module",
            )  # fmt: skip
        fields = self.org.fields.get(module)
        if fields is None:
            return 400, zoho_error(
                "INVALID_MODULE", "the module name given seems to be invalid",
                resource_path_index=0,
            )  # fmt: skip
        if self.org.hide_field_permissions:
            fields = [{**f, "profiles": None} for f in fields]
        return 200, {"fields": fields}

    def _create_audit_job(self, raw: bytes) -> tuple[int, Any]:
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return 400, zoho_error("INVALID_DATA", "body is not valid JSON")
        criteria = None
        entries = body.get("audit_log_export") if isinstance(body, dict) else None
        if isinstance(entries, list) and entries and isinstance(entries[0], dict):
            criteria = entries[0].get("criteria")
        ident = new_id()
        self.org.audit_jobs.append(
            {
                "id": ident,
                "status": "scheduled",
                "criteria": criteria,
                "created_by": {"name": "Scanner", "id": new_id()},
                "job_start_time": None,
                "job_end_time": None,
                "expiry_date": None,
                "download_links": [],
            }
        )
        return 200, {
            "audit_log_export": [
                {
                    "code": "SCHEDULED",
                    "details": {"id": ident},
                    "message": "Audit log export scheduled successfully",
                    "status": "success",
                }
            ]
        }

    def _job_view(self, job: dict[str, Any], poll: bool = False) -> dict[str, Any]:
        if poll:
            with self._lock:
                polls = self._job_polls.get(job["id"], 0) + 1
                self._job_polls[job["id"]] = polls
            if polls >= AUDIT_JOB_POLLS and job["status"] != "finished":
                job["status"] = "finished"
                job["download_links"] = [f"{self.url}/crm/v8/download/{job['id']}.zip"]
            elif job["status"] == "scheduled":
                job["status"] = "progress"
        return dict(job)

    def _invalid_url(self) -> dict[str, Any]:
        return zoho_error(
            "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one"
        )

    def _send_json(self, handler: BaseHTTPRequestHandler, status: int, body: Any) -> None:
        raw = b"" if status == 204 else json.dumps(body).encode()
        self._send(handler, status, raw, {})

    def _send(
        self, handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]
    ) -> None:
        handler.send_response(status)
        sent = {k.lower() for k in headers}
        if "content-type" not in sent and status != 204:
            handler.send_header("Content-Type", "application/json;charset=UTF-8")
        if "strict-transport-security" not in sent:
            handler.send_header("Strict-Transport-Security", "max-age=31536000")
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


def _granted(scope: str, operation: str, granted: frozenset[str]) -> bool:
    """True when ``granted`` covers ``scope.operation``: itself, its ALL, or a parent ALL."""
    lowered = {s.lower() for s in granted}
    parts = scope.split(".")
    candidates = {f"{scope}.{operation}".lower(), f"{scope}.all".lower()}
    for i in range(2, len(parts)):
        candidates.add((".".join(parts[:i]) + ".all").lower())
    return bool(lowered & candidates)


def _of_type(user: dict[str, Any], kind: str) -> bool:
    status = user.get("status")
    confirmed = user.get("confirm") is True
    admin = (user.get("profile") or {}).get("name") == "Administrator"
    return {
        "AllUsers": True,
        "ActiveUsers": status == "active",
        "DeactiveUsers": status in ("disabled", "inactive"),
        "ConfirmedUsers": confirmed,
        "NotConfirmedUsers": not confirmed,
        "DeletedUsers": status == "deleted",
        "ActiveConfirmedUsers": status == "active" and confirmed,
        "AdminUsers": admin,
        "ActiveConfirmedAdmins": admin and status == "active" and confirmed,
        "CurrentUser": False,
    }[kind]
