"""Record the Dynamics 365 demo: scan the sample tenant served by the emulator.

Writes ``adapters/dynamics/demo/recording.json``, which ``DynamicsAdapter.demo()``
replays offline. The emulator answers for the real host names
(login.microsoftonline.com, fabrikam.crm.dynamics.com, graph.microsoft.com): a
loopback transport plays DNS for them, so the recording holds the URLs the demo uses.
Run it after changing the sample, the emulator or the adapter's requests (a test fails
while the recording is stale)::

    python scripts/record_dynamics_demo.py
"""

from __future__ import annotations

import json
import os
import ssl
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.dynamics.adapter import DynamicsAdapter  # noqa: E402
from adapters.dynamics.replay import RecordingTransport  # noqa: E402
from adapters.transport_probe import probe  # noqa: E402
from scanner.adapter_api import AdapterSettings, CollectionScope, NullProgress  # noqa: E402
from tests.emulators.dynamics import DynamicsEmulator, Environment  # noqa: E402

SAMPLE = ROOT / "adapters/dynamics/demo/sample_environment.json"
RECORDING = ROOT / "adapters/dynamics/demo/recording.json"
HOSTS = {
    "entra": "login.microsoftonline.com",
    "dataverse": "fabrikam.crm.dynamics.com",
    "graph": "graph.microsoft.com",
}
#: The policy scope the demo is recorded with (the baseline's sensitive fields).
SCOPE = CollectionScope(
    sensitive_fields=("Contact.SSN__c", "Contact.Birthdate", "Account.BankAccount__c")
)


class LoopbackTransport(httpx.BaseTransport):
    """Sends requests for the real host names to the emulator's ports (DNS for tests)."""

    def __init__(self, emulator: DynamicsEmulator, ca_file: str) -> None:
        self._ports = {host: emulator.netloc(service) for service, host in HOSTS.items()}
        self._inner = httpx.HTTPTransport(verify=ssl.create_default_context(cafile=ca_file))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Rewrite the host, keep the name in ``X-Original-Host``."""
        host = request.url.host
        target = self._ports.get(host)
        if target is not None:
            request.headers["X-Original-Host"] = host
            name, _, port = target.partition(":")
            request.url = request.url.copy_with(host=name, port=int(port))
        return self._inner.handle_request(request)

    def close(self) -> None:
        """Close the connection pool."""
        self._inner.close()


def record(out: Path) -> None:
    """Scan the sample at its anchor time and write the recording to ``out``."""
    data: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    env = Environment.from_fixture(data)
    settings = {
        "environment_url": data["environment_url"],
        "tenant_id": data["tenant"]["id"],
        "client_id": data["app"]["client_id"],
        "client_secret": data["app"]["client_secret"],
    }
    aliases = dict(HOSTS)
    with DynamicsEmulator(env, aliases=aliases) as emulator, tempfile.TemporaryDirectory() as tmp:
        ca_file = emulator.ca_file(tmp)
        recorder = RecordingTransport(LoopbackTransport(emulator, ca_file))
        saved = {k: os.environ.get(k) for k in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")}
        os.environ["SSL_CERT_FILE"] = os.environ["REQUESTS_CA_BUNDLE"] = ca_file
        try:
            adapter = DynamicsAdapter(
                AdapterSettings(settings), transport=recorder, probe_transport=False
            )
            inventory = adapter.collect(SCOPE, NullProgress())
            # The TLS probe reaches the emulator itself; the demo shows the real host.
            transport = probe(
                emulator.environment_url, ssl.create_default_context(cafile=ca_file)
            ).transport
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        del inventory
        transport.host = HOSTS["dataverse"]
        recorder.dump(
            out,
            {
                "anchor": data["anchor"],
                "settings": settings,
                "transport": transport.model_dump(mode="json"),
            },
        )


if __name__ == "__main__":
    record(RECORDING)
    print(f"wrote {RECORDING}")
