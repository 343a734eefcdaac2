"""The HTTP plumbing of the emulator: a quiet TLS server, its handler, and fake DNS."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter


class Answering(Protocol):
    """What the handler asks for an answer."""

    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]: ...


class QuietServer(ThreadingHTTPServer):
    """Clients that time out hang up mid-answer; that is expected, not an error."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore connections the client dropped."""


class Handler(BaseHTTPRequestHandler):
    emulator: Answering
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, out_headers, out = self.emulator.handle(self.command, self.path, headers, body)
        self.send_response(status)
        for key, value in out_headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Keep test output quiet."""


class LoopbackAdapter(HTTPAdapter):
    """Sends requests for ``*.salesforce.com`` to the emulator's port."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self._port = port

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:  # type: ignore[override]
        parts = urlsplit(request.url or "")
        if parts.hostname and parts.hostname.endswith(".salesforce.com"):
            request.url = urlunsplit(parts._replace(netloc=f"127.0.0.1:{self._port}"))
            request.headers["X-Original-Host"] = parts.hostname
        return super().send(request, *args, **kwargs)
