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

from tests.emulators.zoho.api import API, ApiRoutes, invalid_url, zoho_error
from tests.emulators.zoho.org import ZohoOrg

#: The scope each path needs (READ or ALL of it, or a parent ``.ALL``).
SCOPES = {
    f"{API}/org": "ZohoCRM.org",
    f"{API}/users": "ZohoCRM.users",
    f"{API}/settings/profiles": "ZohoCRM.settings.profiles",
    f"{API}/settings/roles": "ZohoCRM.settings.roles",
    f"{API}/settings/fields": "ZohoCRM.settings.fields",
    f"{API}/settings/audit_log_export": "ZohoCRM.settings.audit_logs",
}


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
        self._lock = threading.Lock()
        self.routes = ApiRoutes(org)
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
            self._send_json(handler, 404, invalid_url())
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
            return self.routes.answer(method, path, query, raw, self.url)
        finally:
            with self._lock:
                self._in_flight -= 1

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
