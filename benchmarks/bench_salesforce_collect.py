"""Benchmark: collect a 50,000-user org from the emulator with 50 ms added to every answer.

Prints the requests used against the minimum the data needs (one per page of 2,000
records, plus describe and Metadata calls), the wall time against the critical path
(the slowest single collection run on its own), and the peak memory of the scanning
process. The emulator runs in a child process so its memory is not counted.

    python benchmarks/bench_salesforce_collect.py [--users 50000] [--permission-sets 2000]
        [--assignments 150000] [--latency 0.05] [--capture-raw]

``--capture-raw`` collects as ``--evidence`` does, keeping the redacted raw responses
(`scanner.evidence.raw`), and prints their size.

Exit status 1 if a target is missed (requests <= 1.1 x minimum, wall <= 1.5 x critical
path, peak memory < 1.5 GB).
"""

from __future__ import annotations

import argparse
import gc
import math
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.salesforce import collect_permissions, collect_users  # noqa: E402
from adapters.salesforce.adapter import SalesforceAdapter  # noqa: E402
from adapters.salesforce.auth import connect  # noqa: E402
from adapters.salesforce.client import SfClient  # noqa: E402
from scanner.adapter_api import AdapterSettings, CollectionScope, NullProgress  # noqa: E402
from scanner.evidence.raw import RawCapture, capturing  # noqa: E402


def _serve(args: argparse.Namespace, out: Any, inbox: Any) -> None:
    from tests.emulators.salesforce import SalesforceEmulator
    from tests.emulators.salesforce.bigorg import synthetic_org

    org = synthetic_org(args.users, args.permission_sets, args.assignments)
    gc.freeze()  # the org's records live until the end: keep them out of every collection
    emulator = SalesforceEmulator(org, latency=args.latency, api_limit=10_000_000)
    with emulator, tempfile.TemporaryDirectory() as tmp:
        out.put((emulator.url, emulator.ca_file(tmp), emulator.credentials.access_token))
        while inbox.get() != "stop":
            queries = emulator._cursors.values()
            pages = sum(max(1, math.ceil(len(c.rows) / 2000)) for c in queries)
            other = sum(1 for r in emulator.log if "/query" not in r.path)
            usage = resource.getrusage(resource.RUSAGE_SELF)
            out.put(
                {
                    "requests": len(emulator.log),
                    "minimum": pages + other,
                    "cpu": usage.ru_utime + usage.ru_stime,
                }
            )
            emulator.log.clear()
            emulator._cursors.clear()


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--permission-sets", type=int, default=2_000)
    parser.add_argument("--assignments", type=int, default=150_000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--capture-raw", action="store_true", help="keep the raw responses")
    args = parser.parse_args()

    context = mp.get_context("spawn")
    out, inbox = context.Queue(), context.Queue()
    child = context.Process(target=_serve, args=(args, out, inbox), daemon=True)
    started = time.monotonic()
    child.start()
    url, ca_file, token = out.get(timeout=600)
    print(
        f"emulated org: {args.users:,} users, {args.permission_sets:,} permission sets, "
        f"{args.assignments:,} assignments, +{args.latency * 1000:.0f} ms per response "
        f"(built in {time.monotonic() - started:.1f} s)"
    )

    def session() -> requests.Session:
        s = requests.Session()
        s.trust_env = False
        s.verify = ca_file
        return s

    settings = AdapterSettings({"instance_url": url, "access_token": token})
    scope = CollectionScope(
        sensitive_objects=("Account", "Contact"),
        sensitive_fields=("Contact.SSN__c",),
        max_workers=args.workers,
    )

    # The critical path: each big collection alone; the slowest one bounds the scan.
    # Best of two runs, so a noisy machine does not flatter the ratio.
    client = SfClient(connect(settings, session()))
    solo: dict[str, float] = {}
    for name, fetch in (
        ("PermissionSetAssignment", collect_permissions.fetch_assignments),
        ("User", collect_users.fetch_users),
        ("TwoFactorMethodsInfo", collect_users.fetch_mfa),
    ):
        for _ in range(2):
            t0 = time.monotonic()
            fetch(client)
            solo[name] = min(solo.get(name, math.inf), time.monotonic() - t0)
    inbox.put("stats")
    emulator_cpu_before = out.get()["cpu"]
    critical_name, critical = max(solo.items(), key=lambda item: item[1])

    cpu0 = time.process_time()
    t0 = time.monotonic()
    capture = RawCapture() if args.capture_raw else None
    with capturing(capture):
        inventory = SalesforceAdapter(settings, session=session()).collect(scope, NullProgress())
    wall = time.monotonic() - t0
    cpu = time.process_time() - cpu0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    inbox.put("stats")
    stats = out.get()
    inbox.put("stop")
    child.join(timeout=10)

    assert inventory.users is not None and len(inventory.users) == args.users
    used, minimum = stats["requests"], stats["minimum"]
    ratio_requests, ratio_time = used / minimum, wall / critical
    print(
        f"requests: {used} used, {minimum} minimum (pages the data needs) "
        f"-> {ratio_requests:.3f}x (target <= 1.1x)"
    )
    print(
        f"wall time: {wall:.2f} s; critical path ({critical_name} alone) {critical:.2f} s "
        f"-> {ratio_time:.3f}x (target <= 1.5x)"
    )
    print("  solo: " + ", ".join(f"{k} {v:.2f} s" for k, v in solo.items()))
    print(
        f"CPU during the scan: scanner {cpu:.2f} s, emulator "
        f"{stats['cpu'] - emulator_cpu_before:.2f} s ({os.cpu_count()} CPUs)"
    )
    print(f"peak memory of the scanning process: {peak_mb:.0f} MB (target < 1536 MB)")
    print(f"gaps: {[g.collection for g in inventory.gaps]}")
    if capture is not None:
        print(
            f"raw capture: {sum(capture.counts.values())} responses in {len(capture.counts)} "
            f"collections, {capture.total_bytes / 2**20:.1f} MiB, {capture.dropped} dropped"
        )
    ok = ratio_requests <= 1.1 and ratio_time <= 1.5 and peak_mb < 1536
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
