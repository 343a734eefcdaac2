"""HTTP plumbing shared by the three emulated services: TLS servers, the request log,
faults, and the error bodies each service answers with.

Error bodies (docs/api/dynamics.md):

- Dataverse: ``{"error": {"code": "0x80040220", "message": "..."}}``;
- Microsoft Graph: ``{"error": {"code": "...", "message": "...", "innerError": {"date",
  "request-id", "client-request-id"}}}``;
- Microsoft Entra ID token endpoint: ``{"error": "invalid_client", "error_description":
  "AADSTS7000215: ...", "error_codes": [7000215], "timestamp", "trace_id",
  "correlation_id", "error_uri"}``.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import trustme

Reply = tuple[int, dict[str, str], bytes]
Route = Callable[["Request"], Reply]


@dataclass(frozen=True)
class Request:
    """One request as a service sees it."""

    service: str  #: "entra", "dataverse" or "graph"
    method: str
    path: str  #: without the query string
    raw_path: str  #: with it
    query: dict[str, str]
    headers: dict[str, str]  #: lower-case names
    body: bytes
    base: str  #: https://host[:port] the client believes it talks to

    @property
    def bearer(self) -> str | None:
        """The bearer token sent, if any."""
        value = self.headers.get("authorization", "")
        return value[7:] if value.lower().startswith("bearer ") else None


@dataclass
class Logged:
    """One served request, for tests that assert reads only."""

    service: str
    method: str
    path: str
    query: dict[str, str]
    status: int = 0
    authorized: bool = False
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Fault:
    """Answer matching requests differently, ``times`` times after ``skip`` passed.

    ``kind``: ``error`` (``status`` with ``body``), ``truncate`` (the real answer cut
    in half), ``garbage`` (a 200 that is not JSON), ``hang`` (sleep ``delay`` seconds,
    then answer normally) or ``rewrite`` (the real JSON answer passed through
    ``rewrite``, e.g. one record of it broken by a hostile test).
    """

    service: str
    path: str  #: matches when the request path ends with it
    kind: str = "error"
    status: int = 500
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = 1
    skip: int = 0
    delay: float = 0.0
    fired: int = 0
    rewrite: Callable[[Any], Any] | None = None

    def matches(self, request: Request) -> bool:
        return request.service == self.service and request.path.endswith(self.path)


def json_reply(status: int, body: Any, headers: dict[str, str] | None = None) -> Reply:
    """A JSON answer."""
    out = {"Content-Type": "application/json; odata.metadata=minimal; charset=utf-8"}
    out.update(headers or {})
    return status, out, json.dumps(body).encode()


def dataverse_error(status: int, code: str, message: str, **headers: str) -> Reply:
    """A Dataverse Web API error."""
    return json_reply(status, {"error": {"code": code, "message": message}}, dict(headers))


def graph_error(status: int, code: str, message: str, **headers: str) -> Reply:
    """A Microsoft Graph error."""
    request_id = str(uuid.uuid4())
    body = {
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": request_id,
                "client-request-id": request_id,
            },
        }
    }
    return json_reply(status, body, dict(headers))


def entra_error(status: int, error: str, code: int, description: str) -> Reply:
    """A Microsoft Entra ID OAuth 2.0 error."""
    trace = str(uuid.uuid4())
    body = {
        "error": error,
        "error_description": f"AADSTS{code}: {description} Trace ID: {trace} "
        f"Correlation ID: {uuid.uuid4()} Timestamp: "
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M:%SZ}",
        "error_codes": [code],
        "timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ"),
        "trace_id": trace,
        "correlation_id": str(uuid.uuid4()),
        "error_uri": f"https://login.microsoftonline.com/error?code={code}",
    }
    return json_reply(status, body)


class QuietServer(ThreadingHTTPServer):
    """Clients that time out hang up mid-answer; that is expected, not an error."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore connections the client dropped."""


class Service:
    """One HTTPS service on 127.0.0.1:<free port>, answering through ``dispatch``."""

    def __init__(
        self, name: str, cert: trustme.LeafCert, dispatch: Callable[[Request], Reply]
    ) -> None:
        self.name = name
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, out_headers, out = service.answer(self.command, self.path, headers, body)
                self.send_response(status)
                for key, value in out_headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                """Keep test output quiet."""

        self._dispatch = dispatch
        self._server = QuietServer(("127.0.0.1", 0), Handler)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def answer(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Reply:
        """Hand the request to the emulator (which logs it and applies faults)."""
        from urllib.parse import parse_qsl, urlsplit

        parts = urlsplit(raw_path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        host = headers.get("x-original-host") or headers.get("host") or self.netloc
        request = Request(
            self.name, method, parts.path, raw_path, query, headers, body, f"https://{host}"
        )
        return self._dispatch(request)

    @property
    def netloc(self) -> str:
        """``127.0.0.1:port``."""
        host, port = self._server.server_address[:2]
        return f"{host!s}:{port}"

    @property
    def url(self) -> str:
        """``https://127.0.0.1:port``."""
        return f"https://{self.netloc}"

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()


def truncated(reply: Reply) -> Reply:
    """``reply`` with its body cut in half (a connection that dropped mid-answer)."""
    status, headers, body = reply
    return status, headers, body[: max(1, len(body) // 2)]


def hang(seconds: float) -> None:
    """Keep the client waiting."""
    time.sleep(seconds)
