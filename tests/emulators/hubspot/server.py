"""A loopback HubSpot API emulator: real paths, JSON shapes, paging, errors and headers.

It enforces what HubSpot documents (`tests.emulators.hubspot.schema`, written from the
docs, never from the adapter): the scopes of each endpoint (403 MISSING_SCOPES naming
them), documented page-size maxima (400 above them), opaque ``paging.next.after``
cursors (400 for one it did not issue), the rolling 10-second burst limit and the daily
limit (429 SECONDLY / DAILY with the documented body) with the X-HubSpot-RateLimit-*
headers on every answer, and both credential kinds: a legacy private-app access token
and a service key, each sent as ``Authorization: Bearer``.

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
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import trustme

from tests.emulators.hubspot import schema
from tests.emulators.hubspot.account import Account

#: Every answer's rate-limit window (API usage guidelines: a rolling 10-second interval).
INTERVAL_MS = 10_000


def error_body(message: str, category: str, **extra: Any) -> dict[str, Any]:
    """A HubSpot error document."""
    return {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category,
        **extra,
    }


def missing_scopes_body(*scopes: str, key: str = "missingScopes") -> dict[str, Any]:
    """HubSpot's 403 when the token lacks every one of ``scopes``.

    ``key`` is where the scopes are named in ``errors[].context``: the OpenAPI ``Error``
    schema's example uses ``missingScopes``; ``requiredGranularScopes`` is also seen.
    """
    return error_body(
        "This app hasn't been granted all required scopes to make this call. Read more "
        "about required scopes here: https://developers.hubspot.com/scopes.",
        "MISSING_SCOPES",
        errors=[
            {
                "message": "One or more of the following scopes are required.",
                "context": {key: list(scopes)},
            }
        ],
        links={"scopes": "https://developers.hubspot.com/scopes"},
    )


def rate_limit_body(policy: str) -> dict[str, Any]:
    """HubSpot's 429 body for the SECONDLY or DAILY policy, as the usage guidelines show it."""
    message = (
        "You have reached your daily limit."
        if policy == "DAILY"
        else "You have reached your secondly limit."
    )
    return {
        "status": "error",
        "message": message,
        "errorType": "RATE_LIMIT",
        "correlationId": str(uuid.uuid4()),
        "policyName": policy,
        "requestId": str(uuid.uuid4()),
    }


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
    #: Which credential sent it: "private_app", "service_key" or None (none / unknown).
    credential: str | None = None


class HubSpotEmulator:
    """Serve ``account`` on loopback until `stop`."""

    def __init__(
        self,
        account: Account,
        *,
        ca: trustme.CA | None = None,
        latency: Callable[[], float] | None = None,
    ) -> None:
        self.account = account
        #: Seconds to wait before answering each request (a far-away or slow CRM).
        self.latency = latency
        #: API requests, in order. The TLS probe's unauthenticated ``GET /`` (it reads the
        #: HSTS header; no HubSpot API lives there) goes to `probe_requests` instead.
        self.requests: list[Request] = []
        self.probe_requests: list[Request] = []
        self._faults: dict[str, list[Fault]] = {}
        self._lock = threading.Lock()
        self._window: deque[float] = deque()  # request times in the rate-limit interval
        #: The clock of the burst window (tests advance a fake one when the adapter waits).
        self.clock: Callable[[], float] = time.monotonic
        self._cursors: dict[tuple[str, str], int] = {}  # (path, after) -> offset issued
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

        self.ca = ca or trustme.CA()  # emulators of one fleet can share one CA
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
        if self.latency is not None:
            time.sleep(self.latency())
        parts = urlsplit(handler.path)
        path = parts.path.rstrip("/") or "/"
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        raw_body = handler.rfile.read(length) if length else b""
        auth = handler.headers.get("Authorization") or ""
        bearer = auth[len("Bearer ") :] if auth.startswith("Bearer ") else None
        credential = self.account.credential(bearer) if bearer else None
        with self._lock:
            request = Request(
                method, path, query, credential is not None, credential.kind if credential else None
            )
            (self.probe_requests if path == "/" else self.requests).append(request)
            fault = self._take_fault(path)
        if fault is not None:
            self._send(handler, fault.status, fault.body, fault.headers)
            return
        if path == schema.TOKEN_INFO and method == "POST":
            limited = self._rate_limited()  # every call counts, this one too
            if limited is not None:
                self._send_json(handler, 429, rate_limit_body(limited))
            else:
                self._token_info(handler, raw_body)
            return
        if credential is None:
            body = error_body(
                "Authentication credentials not found. This API supports OAuth 2.0 "
                "authentication and you can find more details at "
                "https://developers.hubspot.com/docs/methods/auth/oauth-overview",
                "INVALID_AUTHENTICATION",
            )
            self._send_json(handler, 401, body)
            return
        limited = self._rate_limited()
        if limited is not None:
            self._send_json(handler, 429, rate_limit_body(limited))
            return
        endpoint = schema.ENDPOINTS.get(path)
        if endpoint is None:
            self._send_json(
                handler, 404, error_body(f"Unable to route {method} {path}", "OBJECT_NOT_FOUND")
            )
            return
        if method != endpoint.method:
            self._send_json(handler, 405, error_body(f"{method} not allowed", "VALIDATION_ERROR"))
            return
        if not set(endpoint.scopes) & credential.scopes:
            self._send_json(handler, 403, missing_scopes_body(*endpoint.scopes))
            return
        status, body = self._route(path, query, endpoint)
        self._send_json(handler, status, body)

    def _rate_limited(self) -> str | None:
        """The policy a request breaks (DAILY, SECONDLY) or None; counts the request."""
        acct = self.account
        now = self.clock()
        with self._lock:
            window = self._window
            while window and now - window[0] >= INTERVAL_MS / 1000.0:
                window.popleft()
            if acct.daily_usage >= acct.daily_limit:
                return "DAILY"
            if len(window) >= acct.burst_per_10s:
                return "SECONDLY"
            window.append(now)
            acct.daily_usage += 1
        return None

    def _take_fault(self, path: str) -> Fault | None:
        for fault in self._faults.get(path, []):
            if fault.skip > 0:
                fault.skip -= 1
                return None
            if fault.times > 0:
                fault.times -= 1
                return fault
        return None

    def _route(self, path: str, query: dict[str, str], endpoint: schema.Endpoint) -> Answer:
        acct = self.account
        if path == "/account-info/v3/details":
            return 200, acct.details
        if path == "/settings/v3/users/roles":
            return 200, {"results": acct.roles}
        if path == "/settings/v3/users/teams":
            return 200, {"results": acct.teams}
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
        if path == "/account-info/v3/activity/audit-logs" and not acct.enterprise:
            return 403, error_body(
                "The audit logs API requires an Enterprise subscription.", "FORBIDDEN"
            )
        rows: list[dict[str, Any]]
        if path == "/settings/v3/users":
            rows = acct.users
        elif path == "/crm/v3/owners":
            archived = (query.get("archived") or "false").lower() == "true"
            # A hostile test's planted non-object owner is served on the active listing.
            rows = [o for o in acct.owners if bool(_get(o, "archived")) is archived]
            if query.get("email"):
                rows = [o for o in rows if _get(o, "email") == query["email"]]
        elif path == "/account-info/v3/activity/login":
            rows = acct.logins
            if "userId" in query:
                rows = [r for r in rows if str(_get(r, "userId")) == query["userId"]]
        elif path == "/account-info/v3/activity/security":
            rows = self._security_rows(query)
        else:
            rows = acct.audit_logs
        return self._page(path, rows, query, endpoint)

    def _security_rows(self, query: dict[str, str]) -> list[dict[str, Any]]:
        rows = self.account.security
        since, until = query.get("fromTimestamp"), query.get("toTimestamp")
        if since is None and until is None:
            return rows
        kept = []
        for row in rows:
            at = _epoch_ms(_get(row, "createdAt"))
            if at is None:
                kept.append(row)  # a row the filter cannot place is still served
            elif (since is None or at >= int(since)) and (until is None or at <= int(until)):
                kept.append(row)
        return kept

    def _page(
        self,
        path: str,
        rows: list[dict[str, Any]],
        query: dict[str, str],
        endpoint: schema.Endpoint,
    ) -> Answer:
        raw = query.get("limit")
        try:
            limit = int(raw) if raw is not None else (endpoint.default_limit or 100)
        except ValueError:
            return 400, error_body(f"limit must be an integer, got {raw!r}", "VALIDATION_ERROR")
        if limit < 1 or (endpoint.max_limit is not None and limit > endpoint.max_limit):
            return 400, error_body(
                f"limit must be between 1 and {endpoint.max_limit}, got {limit}",
                "VALIDATION_ERROR",
            )
        if endpoint.served_cap is not None:
            limit = min(limit, endpoint.served_cap)
        offset = 0
        if query.get("after"):
            key = (path, query["after"])
            if key not in self._cursors:
                return 400, error_body("Invalid after cursor", "VALIDATION_ERROR")
            offset = self._cursors[key]
        page = rows[offset : offset + limit]
        body: dict[str, Any] = {"results": page}
        if offset + limit < len(rows):
            after = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
            with self._lock:
                self._cursors[(path, after)] = offset + limit
            link_query = dict(query, after=after)
            body["paging"] = {
                "next": {"after": after, "link": f"{self.url}{path}?{urlencode(link_query)}"}
            }
        return 200, body

    def _token_info(self, handler: BaseHTTPRequestHandler, raw: bytes) -> None:
        try:
            key = json.loads(raw or b"{}").get("tokenKey")
        except (ValueError, AttributeError):
            key = None
        credential = self.account.credential(key) if isinstance(key, str) else None
        if credential is None:
            self._send_json(handler, 401, error_body("Invalid token", "INVALID_AUTHENTICATION"))
            return
        self._send_json(
            handler,
            200,
            {
                "userId": credential.user_id,
                "hubId": self.account.details.get("portalId"),
                "appId": credential.app_id,
                "scopes": sorted(credential.scopes),
            },
        )

    def _send_json(self, handler: BaseHTTPRequestHandler, status: int, body: Any) -> None:
        self._send(handler, status, json.dumps(body).encode(), {})

    def _send(
        self, handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]
    ) -> None:
        handler.send_response(status)
        sent = {k.lower() for k in headers}
        acct = self.account
        with self._lock:
            used = len(self._window)
        defaults = {
            "Content-Type": "application/json;charset=utf-8",
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(INTERVAL_MS),
            "X-HubSpot-RateLimit-Max": str(acct.burst_per_10s),
            "X-HubSpot-RateLimit-Remaining": str(max(acct.burst_per_10s - used, 0)),
            "X-HubSpot-RateLimit-Daily": str(acct.daily_limit),
            "X-HubSpot-RateLimit-Daily-Remaining": str(max(acct.daily_limit - acct.daily_usage, 0)),
        }
        for key, value in {**{k: v for k, v in defaults.items() if k.lower() not in sent},
                           **headers}.items():  # fmt: skip
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


Answer = tuple[int, Any]


def _get(record: Any, key: str) -> Any:
    """``record[key]``, or None when the record is not an object (a planted hostile one)."""
    return record.get(key) if isinstance(record, dict) else None


def _epoch_ms(value: Any) -> int | None:
    """An ISO 8601 timestamp as epoch milliseconds, or None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return int(parsed.timestamp() * 1000)
