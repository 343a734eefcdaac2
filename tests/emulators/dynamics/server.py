"""Three loopback HTTPS services that together play one Dynamics 365 tenant.

``entra`` (the authority host), ``dataverse`` (the environment URL) and ``graph`` each
listen on their own 127.0.0.1 port with a certificate from one throwaway CA (trustme).
Every request is logged (`requests`) so tests can prove the scan only read; `fail`
injects faults per service and path. A client that sends ``X-Original-Host`` (the
recording transport does, playing DNS for the real host names) gets URLs built on that
host, as the real services build them on the host they were asked for.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

import trustme

from tests.emulators.dynamics.dataverse import Dataverse
from tests.emulators.dynamics.entra import Entra
from tests.emulators.dynamics.environment import Environment
from tests.emulators.dynamics.graph import Graph
from tests.emulators.dynamics.wire import (
    Fault,
    Logged,
    Reply,
    Request,
    Service,
    hang,
    truncated,
)

#: The resource identifier of Microsoft Graph in the commercial cloud.
GRAPH_RESOURCE = "https://graph.microsoft.com"


@dataclass
class DynamicsEmulator:
    """Serve ``env``; use as a context manager or call `start` / `stop`."""

    env: Environment
    #: Host names the services also answer for (the recording transport's DNS).
    aliases: dict[str, str] = field(default_factory=dict)
    requests: list[Logged] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.ca = trustme.CA()
        cert = self.ca.issue_cert(
            "127.0.0.1", "localhost", "*.crm.dynamics.com", "login.microsoftonline.com",
            "graph.microsoft.com",
        )  # fmt: skip
        self._lock = threading.Lock()
        self.entra = Entra(self)
        self.dataverse = Dataverse(self)
        self.graph = Graph(self)
        self._services = {
            "entra": Service("entra", cert, self._dispatch),
            "dataverse": Service("dataverse", cert, self._dispatch),
            "graph": Service("graph", cert, self._dispatch),
        }
        self.graph_resource = GRAPH_RESOURCE

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> DynamicsEmulator:
        """Start all three services."""
        for service in self._services.values():
            service.start()
        return self

    def stop(self) -> None:
        """Stop all three services."""
        for service in self._services.values():
            service.stop()

    def __enter__(self) -> DynamicsEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses -----------------------------------------------------------------------
    @property
    def authority_url(self) -> str:
        """What to give as ``--authority-host``."""
        return self._services["entra"].url

    @property
    def authority_base(self) -> str:
        """The authority as clients see it (alias, else loopback)."""
        alias = self.aliases.get("entra")
        return f"https://{alias}" if alias else self.authority_url

    @property
    def environment_url(self) -> str:
        """What to give as ``--environment-url``."""
        return self._services["dataverse"].url

    @property
    def graph_url(self) -> str:
        """What to give as ``--graph-url``."""
        return self._services["graph"].url

    def netloc(self, service: str) -> str:
        """``127.0.0.1:port`` of ``service``."""
        return self._services[service].netloc

    def resources(self) -> set[str]:
        """Resource identifiers the tenant issues tokens for."""
        found = {self.environment_url, self.graph_resource}
        if "dataverse" in self.aliases:
            found.add(f"https://{self.aliases['dataverse']}")
        return found

    def ca_file(self, directory: str) -> str:
        """Write the CA certificate to ``directory``; return its path."""
        path = f"{directory}/dynamics-emulator-ca.pem"
        self.ca.cert_pem.write_to_path(path)
        return path

    # -- faults and the log ------------------------------------------------------------
    def fail(
        self,
        service: str,
        path: str,
        status: int = 500,
        body: dict[str, Any] | bytes | None = None,
        *,
        kind: str = "error",
        headers: dict[str, str] | None = None,
        times: int | None = 1,
        skip: int = 0,
        delay: float = 0.0,
    ) -> Fault:
        """Answer requests to ``service`` whose path ends with ``path`` with a fault."""
        raw = body if isinstance(body, bytes) else json.dumps(body or {}).encode()
        fault = Fault(service, path, kind, status, raw, dict(headers or {}), times, skip, delay)
        with self._lock:
            self.faults.append(fault)
        return fault

    def served(self, service: str, path_suffix: str = "") -> list[Logged]:
        """Logged requests to ``service`` whose path ends with ``path_suffix``."""
        return [r for r in self.requests if r.service == service and r.path.endswith(path_suffix)]

    def _take_fault(self, request: Request) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if not fault.matches(request):
                    continue
                if fault.skip > 0:
                    fault.skip -= 1
                    return None
                if fault.times is None or fault.times > 0:
                    if fault.times is not None:
                        fault.times -= 1
                    fault.fired += 1
                    return fault
        return None

    def _dispatch(self, request: Request) -> Reply:
        entry = Logged(
            request.service,
            request.method,
            request.path,
            request.query,
            authorized=self.entra.token(request.bearer) is not None,
            headers=dict(request.headers),
        )
        with self._lock:
            self.requests.append(entry)
        fault = self._take_fault(request)
        handler = {"entra": self.entra, "dataverse": self.dataverse, "graph": self.graph}[
            request.service
        ]
        if fault is not None and fault.kind == "error":
            reply: Reply = (
                fault.status,
                {"Content-Type": "application/json; charset=utf-8", **fault.headers},
                fault.body,
            )
        else:
            if fault is not None and fault.kind == "hang":
                hang(fault.delay)
            reply = handler.handle(request)
            if fault is not None and fault.kind == "truncate":
                reply = truncated(reply)
            elif fault is not None and fault.kind == "rewrite" and fault.rewrite is not None:
                body = fault.rewrite(json.loads(reply[2]))
                reply = (reply[0], reply[1], json.dumps(body).encode())
            elif fault is not None and fault.kind == "garbage":
                reply = (
                    200,
                    {"Content-Type": "application/json"},
                    b"<html>Service Unavailable</html>",
                )
        if request.service == "dataverse":
            # Microsoft's online services answer with HSTS (the TLS probe reads it).
            reply = (
                reply[0],
                {"Strict-Transport-Security": "max-age=31536000; includeSubDomains", **reply[1]},
                reply[2],
            )
        entry.status = reply[0]
        return reply
