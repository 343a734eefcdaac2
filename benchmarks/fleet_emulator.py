"""Serve a fleet of emulated HubSpot orgs on loopback, for benchmarks (one process).

Starts ``--orgs`` HubSpot emulators sharing one test CA, each answering every request
after a random 50-200 ms (``--latency``), writes ``{"ca_file", "urls", "pid"}`` to
``--out`` and serves until SIGTERM. Run by ``benchmarks/bench_fleet_workers.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import tempfile
import threading
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import trustme  # noqa: E402

from tests.emulators.hubspot import HubSpotEmulator, sample_account  # noqa: E402


def main() -> None:
    """Serve until SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=200)
    parser.add_argument("--latency", default="0.05-0.2", help="seconds per request: LOW-HIGH")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    low, high = (float(x) for x in args.latency.split("-"))
    ca = trustme.CA()
    folder = tempfile.mkdtemp(prefix="crmscan-fleet-emulator-")
    ca_file = f"{folder}/ca.pem"
    ca.cert_pem.write_to_path(ca_file)
    now = datetime.now(timezone.utc)
    emulators = [
        HubSpotEmulator(
            sample_account(now), ca=ca, latency=lambda: random.uniform(low, high)
        ).start()
        for _ in range(args.orgs)
    ]
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    args.out.write_text(
        json.dumps({"ca_file": ca_file, "urls": [e.url for e in emulators], "pid": _pid()})
    )
    stop.wait()
    for emulator in emulators:
        emulator.stop()


def _pid() -> int:
    return os.getpid()


if __name__ == "__main__":
    main()
