"""Record the Fxiaoke demo: scan the sample enterprise the emulator serves, keep every answer.

Writes ``adapters/fxiaoke/demo/recording.json``, which ``FxiaokeAdapter.demo()`` replays
offline. Run it after changing the sample enterprise, the emulator or the adapter's
requests (a test fails while the recording is stale)::

    python scripts/record_fxiaoke_demo.py
"""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.fxiaoke.adapter import FxiaokeAdapter  # noqa: E402
from adapters.fxiaoke.replay import (  # noqa: E402
    DEMO_BASE_URL,
    DEMO_SETTINGS,
    RECORDING,
    RecordingTransport,
)
from adapters.http import trust  # noqa: E402
from scanner.adapter_api import AdapterSettings, CollectionScope, NullProgress  # noqa: E402
from tests.emulators.fxiaoke import FxiaokeEmulator, sample_enterprise  # noqa: E402

#: The instant the sample enterprise is dated at (replay moves it to "today").
ANCHOR = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
#: The sample enterprise's CRM administrator the roles are read as (周建国).
OPERATOR_INDEX = 0


def record(out: Path) -> None:
    """Scan the sample enterprise at the anchor time and write the recording to ``out``."""
    enterprise = sample_enterprise(ANCHOR)
    operator = enterprise.employees[OPERATOR_INDEX].open_user_id
    with (
        FxiaokeEmulator(enterprise, deterministic=True) as emulator,
        tempfile.TemporaryDirectory() as tmp,
        emulator.trusted(tmp),
    ):
        recorder = RecordingTransport(httpx.HTTPTransport(verify=trust(), retries=0))
        settings = AdapterSettings(
            {**DEMO_SETTINGS, "base_url": emulator.url, "open_user_id": operator}
        )
        adapter = FxiaokeAdapter(settings, transport=recorder, clock=lambda: ANCHOR)
        inventory = adapter.collect(CollectionScope(), NullProgress())
    transport = inventory.encryption.transport
    assert transport is not None and not inventory.gap_for("users"), inventory.gaps
    # The probe met the emulator; the demo presents the sample enterprise's own host.
    transport.host = DEMO_BASE_URL.removeprefix("https://")
    recorder.dump(
        out,
        {
            "anchor": ANCHOR.isoformat(),
            "settings": {"base_url": DEMO_BASE_URL, "open_user_id": operator},
            "transport": transport.model_dump(mode="json"),
        },
    )


if __name__ == "__main__":
    record(RECORDING)
    print(f"wrote {RECORDING}")
