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

`tests.emulators.fxiaoke.api` holds that behaviour; this module serves it over HTTPS.
Tests inject faults per path (`fail`, `mutate`), read the request log (`requests`) and
move the clock (``clock``) to expire tokens. It never imports the adapter.
"""

from __future__ import annotations

import contextlib
import json
import os
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import trustme

from tests.emulators.fxiaoke.api import (
    INTERFACE_LIMIT,
    SAME_TOKEN_WINDOW,
    TOKEN_LIFETIME,
    WRITE_PATHS,
    OpenApi,
    envelope,
)
from tests.emulators.fxiaoke.enterprise import Enterprise


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
        self.api = OpenApi(
            enterprise,
            clock=clock,
            token_lifetime=token_lifetime,
            same_token_window=same_token_window,
            rate_limit_code=rate_limit_code,
            interface_limit=interface_limit,
            deterministic=deterministic,
        )
        #: Predictable tokens and trace ids (the demo recording must be reproducible).
        self.deterministic = deterministic
        self.requests: list[Request] = []
        self.writes: list[Request] = []
        self._faults: dict[str, list[Fault]] = {}
        self._mutators: dict[str, Callable[[dict[str, Any]], Any]] = {}
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

    @property
    def enterprise(self) -> Enterprise:
        """The enterprise served (tests may change it between calls)."""
        return self.api.enterprise

    @property
    def tokens_issued(self) -> list[str]:
        """Every corpAccessToken issued, in order."""
        return self.api.tokens_issued

    def expire_tokens(self) -> None:
        """Invalidate every token issued so far (as if 7200 s had passed for them)."""
        self.api.expire_tokens()

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
        answer = self.api.answer(method, path, body)
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
