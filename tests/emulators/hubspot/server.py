"""A loopback HubSpot API emulator: real paths, JSON shapes, paging, errors and headers.

`HubSpotEmulator` serves an `Account` on ``https://127.0.0.1:<free port>`` from a
``ThreadingHTTPServer`` thread, with a certificate from a throwaway trustme CA: crmscan
only talks HTTPS, so hubspot-api-client (urllib3) and httpx both reach it over real TLS
once the test trusts the CA (``SSL_CERT_FILE`` = `ca_file`, see `trusted`). Tests
inject faults per path (`fail`), read the request log (`requests`) and change the
account between scans.
"""

from __future__ import annotations

import base64
import json
import ssl
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import trustme

from tests.emulators.hubspot.account import Account

#: HubSpot's page-size maxima, which the emulator enforces by clamping like HubSpot.
PAGE_LIMITS = {
    "/settings/v3/users": 100,
    "/account-info/v3/activity/login": 200,
    "/account-info/v3/activity/security": 200,
    "/account-info/v3/activity/audit-logs": 100,
}
SCOPES = {
    "/settings/v3/users": "settings.users.read",
    "/settings/v3/users/roles": "settings.users.read",
    "/settings/v3/users/teams": "settings.users.teams.read",
    "/account-info/v3/activity/login": "account-info.security.read",
    "/account-info/v3/activity/security": "account-info.security.read",
    "/account-info/v3/activity/audit-logs": "account-info.security.read",
}
TOKEN_INFO = "/oauth/v2/private-apps/get/access-token-info"


def error_body(message: str, category: str, **extra: Any) -> dict[str, Any]:
    """A HubSpot error document."""
    return {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category,
        **extra,
    }


def missing_scopes_body(scope: str) -> dict[str, Any]:
    """HubSpot's 403 when the private app lacks ``scope``."""
    return error_body(
        "This app hasn't been granted all required scopes to make this call. Read more "
        "about required scopes here: https://developers.hubspot.com/scopes.",
        "MISSING_SCOPES",
        errors=[
            {
                "message": "One or more of the following scopes are required.",
                "context": {"requiredGranularScopes": [scope]},
            }
        ],
        links={"scopes": "https://developers.hubspot.com/scopes"},
    )


def rate_limit_body(policy: str) -> dict[str, Any]:
    """HubSpot's 429 body for the SECONDLY or DAILY policy."""
    message = (
        "You have reached your daily limit."
        if policy == "DAILY"
        else "You have reached your secondly limit."
    )
    body = error_body(message, "RATE_LIMITS", errorType="RATE_LIMIT", policyName=policy)
    body["requestId"] = str(uuid.uuid4())
    return body


@dataclass
class Fault:
    """Answer ``times`` matching requests with this response, after letting ``skip`` pass."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    skip: int = 0


@dataclass(frozen=True)
class Request:
    """One request the emulator received."""

    method: str
    path: str
    query: dict[str, str]
    authorized: bool


class HubSpotEmulator:
    """Serve ``account`` on loopback until `stop`."""

    def __init__(self, account: Account) -> None:
        self.account = account
        #: API requests, in order. The TLS probe's unauthenticated ``GET /`` (it reads the
        #: HSTS header; no HubSpot API lives there) goes to `probe_requests` instead.
        self.requests: list[Request] = []
        self.probe_requests: list[Request] = []
        self._faults: dict[str, list[Fault]] = {}
        self._lock = threading.Lock()
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body leave at once

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
                return  # keep test output quiet

        self.ca = trustme.CA()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        """The base URL to give the adapter as ``base_url``."""
        host, port = self._server.server_address[:2]
        return f"https://{host!s}:{port}"

    def ca_file(self, directory: str) -> str:
        """Write the emulator's CA certificate to ``directory``; its path."""
        path = f"{directory}/hubspot-emulator-ca.pem"
        self.ca.cert_pem.write_to_path(path)
        return path

    @contextmanager
    def trusted(self, directory: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
        """Trust the emulator's CA through ``SSL_CERT_FILE`` (as a user would a proxy's)."""
        monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
        monkeypatch.setenv("SSL_CERT_FILE", self.ca_file(directory))
        yield

    def start(self) -> HubSpotEmulator:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()

    def fail(
        self,
        path: str,
        status: int,
        body: dict[str, Any] | bytes | None = None,
        *,
        headers: dict[str, str] | None = None,
        times: int = 1,
        skip: int = 0,
    ) -> None:
        """Answer requests to ``path`` with ``status`` (JSON ``body``) ``times`` times."""
        raw = body if isinstance(body, bytes) else json.dumps(body or {}).encode()
        with self._lock:
            self._faults.setdefault(path.rstrip("/"), []).append(
                Fault(status, raw, dict(headers or {}), times, skip)
            )

    def pages_served(self, path: str) -> int:
        """How many successful-or-not requests reached ``path``."""
        return sum(1 for r in self.requests if r.path == path.rstrip("/"))

    # -- request handling -----------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        path = parts.path.rstrip("/") or "/"
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        raw_body = handler.rfile.read(length) if length else b""
        auth = handler.headers.get("Authorization") or ""
        authorized = auth == f"Bearer {self.account.token}"
        with self._lock:
            request = Request(method, path, query, authorized)
            (self.probe_requests if path == "/" else self.requests).append(request)
            fault = self._take_fault(path)
        if fault is not None:
            self._send(handler, fault.status, fault.body, fault.headers)
            return
        if path == TOKEN_INFO and method == "POST":
            self._token_info(handler, raw_body)
            return
        if not authorized:
            body = error_body(
                "Authentication credentials not found. This API supports OAuth 2.0 "
                "authentication and you can find more details at "
                "https://developers.hubspot.com/docs/methods/auth/oauth-overview",
                "INVALID_AUTHENTICATION",
            )
            self._send_json(handler, 401, body)
            return
        if method != "GET":
            self._send_json(handler, 405, error_body(f"{method} not allowed", "VALIDATION_ERROR"))
            return
        scope = SCOPES.get(path)
        if scope is not None and scope not in self.account.scopes:
            self._send_json(handler, 403, missing_scopes_body(scope))
            return
        status, body = self._route(path, query)
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

    def _route(self, path: str, query: dict[str, str]) -> tuple[int, Any]:
        acct = self.account
        if path == "/account-info/v3/details":
            return 200, acct.details
        if path == "/settings/v3/users":
            return 200, self._page(path, acct.users, query)
        if path == "/settings/v3/users/roles":
            return 200, {"results": acct.roles}
        if path == "/settings/v3/users/teams":
            return 200, {"results": acct.teams}
        if path == "/account-info/v3/activity/login":
            rows = acct.logins
            if "userId" in query:
                rows = [r for r in rows if str(r.get("userId")) == query["userId"]]
            return 200, self._page(path, rows, query)
        if path == "/account-info/v3/activity/security":
            return 200, self._page(path, acct.security, query)
        if path == "/account-info/v3/activity/audit-logs":
            if not acct.enterprise:
                return 403, error_body(
                    "The audit logs API requires an Enterprise subscription.", "FORBIDDEN"
                )
            return 200, self._page(path, acct.audit_logs, query)
        if path == "/account-info/v3/api-usage/daily/private-apps":
            return 200, {
                "results": [
                    {
                        "name": "private-apps-api-calls-daily",
                        "usageLimit": acct.daily_limit,
                        "currentUsage": acct.daily_usage,
                        "collectedAt": "2026-01-01T00:00:00.000Z",
                        "fetchStatus": "SUCCESS",
                        "resetsAt": "2026-01-02T05:00:00Z",
                    }
                ]
            }
        return 404, error_body(f"Unable to route GET {path}", "OBJECT_NOT_FOUND")

    def _page(self, path: str, rows: list[dict[str, Any]], query: dict[str, str]) -> Any:
        cap = PAGE_LIMITS[path]
        limit = min(max(int(query.get("limit") or 10), 1), cap)
        offset = 0
        if query.get("after"):
            offset = int(base64.urlsafe_b64decode(query["after"].encode()).decode())
        page = rows[offset : offset + limit]
        body: dict[str, Any] = {"results": page}
        if offset + limit < len(rows):
            after = base64.urlsafe_b64encode(str(offset + limit).encode()).decode()
            link_query = dict(query, after=after)
            body["paging"] = {
                "next": {"after": after, "link": f"{self.url}{path}?{urlencode(link_query)}"}
            }
        return body

    def _token_info(self, handler: BaseHTTPRequestHandler, raw: bytes) -> None:
        try:
            key = json.loads(raw or b"{}").get("tokenKey")
        except ValueError:
            key = None
        if key != self.account.token:
            self._send_json(handler, 401, error_body("Invalid token", "INVALID_AUTHENTICATION"))
            return
        self._send_json(
            handler,
            200,
            {
                "userId": self.account.app_user_id,
                "hubId": self.account.details.get("portalId"),
                "appId": self.account.app_id,
                "scopes": sorted(self.account.scopes),
            },
        )

    def _send_json(self, handler: BaseHTTPRequestHandler, status: int, body: Any) -> None:
        self._send(handler, status, json.dumps(body).encode(), {})

    def _send(
        self, handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]
    ) -> None:
        handler.send_response(status)
        sent = {k.lower() for k in headers}
        defaults = {
            "Content-Type": "application/json;charset=utf-8",
            "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
            "X-HubSpot-RateLimit-Max": "190",
            "X-HubSpot-RateLimit-Remaining": "189",
            "X-HubSpot-RateLimit-Secondly": "19",
            "X-HubSpot-RateLimit-Secondly-Remaining": "18",
            "X-HubSpot-RateLimit-Daily": str(self.account.daily_limit),
            "X-HubSpot-RateLimit-Daily-Remaining": str(
                self.account.daily_limit - self.account.daily_usage
            ),
        }
        for key, value in {**{k: v for k, v in defaults.items() if k.lower() not in sent},
                           **headers}.items():  # fmt: skip
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
