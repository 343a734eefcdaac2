"""A small HTTPS server on loopback for transport tests: real TLS, scripted answers.

``LoopbackServer(respond)`` serves on ``https://127.0.0.1:<port>`` with a certificate
from its own trustme CA. ``respond(request)`` returns a `Reply`, `HANG` (take the
request, never answer) or a `Drip` (headers at once, then the body one byte at a time).
`closed_port` gives a port nothing listens on.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import trustme


@dataclass(frozen=True)
class Seen:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Reply:
    """An answer: status, headers, body."""

    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})


@dataclass(frozen=True)
class Drip:
    """Send headers, then ``size`` body bytes one every ``interval`` seconds."""

    size: int = 100
    interval: float = 0.2


class _Hang:
    """Take the request and never answer."""


HANG = _Hang()
Respond = Callable[[Seen], Reply | Drip | _Hang]


class LoopbackServer:
    """Serve ``respond`` over HTTPS on loopback until `stop`."""

    def __init__(self, respond: Respond) -> None:
        self.ca = trustme.CA()
        self.seen: list[Seen] = []
        self._stopping = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = Seen(
                    self.command,
                    self.path,
                    {k: v for k, v in self.headers.items()},
                    self.rfile.read(length) if length else b"",
                )
                server.seen.append(request)
                server._answer(self, respond(request))

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

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
        """``https://127.0.0.1:<port>``."""
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def ca_file(self, directory: Path) -> str:
        """Write the CA certificate into ``directory``; its path."""
        path = directory / "loopback-ca.pem"
        self.ca.cert_pem.write_to_path(str(path))
        return str(path)

    def trust(self, directory: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Trust this server's CA through ``SSL_CERT_FILE`` alone."""
        monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
        monkeypatch.setenv("SSL_CERT_FILE", self.ca_file(directory))

    def start(self) -> LoopbackServer:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release hung handlers and stop serving."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def _answer(self, handler: BaseHTTPRequestHandler, reply: Reply | Drip | _Hang) -> None:
        if isinstance(reply, _Hang):
            self._stopping.wait(120)
            return
        if isinstance(reply, Drip):
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(reply.size))
            handler.end_headers()
            for _ in range(reply.size):
                if self._stopping.wait(reply.interval):
                    return
                try:
                    handler.wfile.write(b" ")
                    handler.wfile.flush()
                except OSError:
                    return
            return
        handler.send_response(reply.status)
        for key, value in reply.headers.items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(reply.body)))
        handler.end_headers()
        handler.wfile.write(reply.body)


@contextmanager
def serving(respond: Respond) -> Iterator[LoopbackServer]:
    """A started `LoopbackServer`, stopped afterwards."""
    server = LoopbackServer(respond).start()
    try:
        yield server
    finally:
        server.stop()


def closed_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def elapsed(start: float) -> float:
    """Seconds since ``start`` (``time.monotonic()``)."""
    return time.monotonic() - start
