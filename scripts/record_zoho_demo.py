"""Record the Zoho demo: scan the sample org served by the emulator, keep every answer.

Writes ``adapters/zoho/demo/recording.json``, which ``ZohoAdapter.demo()`` replays
offline. Run it after changing the sample org, the emulator or the adapter's calls (a
test fails while the recording is stale)::

    python scripts/record_zoho_demo.py
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.http import trust  # noqa: E402
from adapters.zoho.adapter import ZohoAdapter, demo_credentials  # noqa: E402
from adapters.zoho.replay import RecordingTransport  # noqa: E402
from scanner.adapter_api import AdapterSettings, CollectionScope, NullProgress  # noqa: E402
from tests.emulators.zoho import Credentials, ZohoEmulator, ZohoOrg  # noqa: E402

SAMPLE_ORG = ROOT / "adapters/zoho/demo/sample_org.json"
RECORDING = ROOT / "adapters/zoho/demo/recording.json"
#: What the demo presents instead of the emulator's loopback address.
DEMO_API_DOMAIN = "https://www.zohoapis.com"
DEMO_ACCESS_TOKEN = "1000.demo0access0token.northwind"  # noqa: S105 - fictional


def record(out: Path) -> None:
    """Scan the sample org at its anchor time and write the recording to ``out``."""
    data = json.loads(SAMPLE_ORG.read_text(encoding="utf-8"))
    anchor = datetime.fromisoformat(data["anchor"])
    credentials = Credentials(
        client_id=demo_credentials().client_id,
        client_secret=demo_credentials().client_secret,
        refresh_token=demo_credentials().refresh_token,
    )
    emulator = ZohoEmulator(
        ZohoOrg.from_fixture(data), credentials, token_factory=lambda: DEMO_ACCESS_TOKEN
    )
    saved = {k: os.environ.get(k) for k in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")}
    with emulator, tempfile.TemporaryDirectory() as tmp:
        os.environ.pop("REQUESTS_CA_BUNDLE", None)
        os.environ["SSL_CERT_FILE"] = emulator.ca_file(tmp)
        try:
            recorder = RecordingTransport(httpx.HTTPTransport(verify=trust(), retries=0))
            settings = AdapterSettings(
                {
                    "client_id": credentials.client_id,
                    "client_secret": credentials.client_secret,
                    "refresh_token": credentials.refresh_token,
                    "accounts_url": emulator.url,
                }
            )
            adapter = ZohoAdapter(settings, transport=recorder, clock=lambda: anchor)
            scope = CollectionScope(**data["demo_scope"], max_workers=1)
            inventory = adapter.collect(scope, NullProgress())
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    transport = inventory.encryption.transport
    assert transport is not None, inventory.gaps
    transport.host = DEMO_API_DOMAIN.removeprefix("https://")
    _present_as_zoho(recorder.entries, emulator.url)
    recorder.dump(
        out,
        {
            "anchor": anchor.isoformat(),
            "api_domain": DEMO_API_DOMAIN,
            "scope": data["demo_scope"],
            "transport": transport.model_dump(mode="json"),
        },
    )


def _present_as_zoho(entries: dict[str, dict[str, Any]], emulator_url: str) -> None:
    """Replace the emulator's address by Zoho's API domain in the recorded bodies."""
    for entry in entries.values():
        entry["body"] = entry["body"].replace(emulator_url, DEMO_API_DOMAIN)


if __name__ == "__main__":
    record(RECORDING)
    print(f"wrote {RECORDING}")
