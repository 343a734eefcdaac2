"""Record the demo: scan the sample org served by the emulator and keep every response.

Writes ``adapters/salesforce/demo/recording.json``, which ``SalesforceAdapter.demo()``
replays offline. Run it after changing the sample org, the emulator or the adapter's
queries (a test fails while the recording is stale)::

    python scripts/record_salesforce_demo.py
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.salesforce.adapter import DEMO_INSTANCE, DEMO_TOKEN, SalesforceAdapter  # noqa: E402
from adapters.salesforce.replay import RecordingAdapter  # noqa: E402
from scanner.adapter_api import AdapterSettings, CollectionScope, NullProgress  # noqa: E402
from tests.emulators.salesforce import Credentials, Org, SalesforceEmulator  # noqa: E402
from tests.emulators.salesforce.soql import parse_datetime  # noqa: E402

SAMPLE_ORG = ROOT / "adapters/salesforce/demo/sample_org.json"
RECORDING = ROOT / "adapters/salesforce/demo/recording.json"
API_VERSION = "62.0"


def record(out: Path) -> None:
    """Scan the sample org at its anchor time and write the recording to ``out``."""
    data = json.loads(SAMPLE_ORG.read_text(encoding="utf-8"))
    anchor = parse_datetime(data["anchor"])
    org = Org.from_fixture(data, now=anchor)
    emulator = SalesforceEmulator(
        org, Credentials(access_token=DEMO_TOKEN), api_version=API_VERSION, now=anchor
    )
    with emulator, tempfile.TemporaryDirectory() as tmp:
        session = requests.Session()
        session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify=
        session.verify = emulator.ca_file(tmp)
        saved_bundle = os.environ.get("REQUESTS_CA_BUNDLE")
        os.environ["REQUESTS_CA_BUNDLE"] = session.verify  # trust for the TLS probe
        recorder = RecordingAdapter(emulator.session().get_adapter("https://"))
        session.mount("https://", recorder)
        settings = AdapterSettings(
            {"instance_url": emulator.url, "access_token": DEMO_TOKEN, "api_version": API_VERSION}
        )
        demo = dict(data["demo_scope"])
        demo["sensitive_objects"] = tuple(demo["sensitive_objects"])
        demo["sensitive_fields"] = tuple(demo["sensitive_fields"])
        for key in ("key_objects", "personal_data_objects"):
            demo[key] = tuple(demo.get(key, ()))
        scope = CollectionScope(**demo, max_workers=1)
        try:
            inventory = SalesforceAdapter(settings, session=session).collect(scope, NullProgress())
        finally:
            if saved_bundle is None:
                os.environ.pop("REQUESTS_CA_BUNDLE", None)
            else:
                os.environ["REQUESTS_CA_BUNDLE"] = saved_bundle
        transport = inventory.encryption.transport
        assert transport is not None, inventory.gaps
        # The probe's host is the emulator's; the demo presents the org's own host.
        transport.host = DEMO_INSTANCE.removeprefix("https://")
        recorder.dump(
            out,
            {
                "transport": transport.model_dump(mode="json"),
                "anchor": anchor.isoformat(),
                "instance_url": DEMO_INSTANCE,
                "api_version": API_VERSION,
                "scope": data["demo_scope"],
            },
        )


if __name__ == "__main__":
    record(RECORDING)
    print(f"wrote {RECORDING}")
