"""Fleet throughput: scans per minute with 1, 2 and 4 Celery worker processes.

A fleet of ``--orgs`` (default 200) emulated HubSpot orgs is served by one separate
emulator process (`benchmarks/fleet_emulator.py`) that adds 50-200 ms to every request,
as a CRM across the internet would. For each worker count the script starts that many
``crmscan worker --concurrency 1`` processes (the deployment's unit), queues the whole
fleet with ``crmscan enqueue``, and times the run from the enqueue until the PostgreSQL
store holds a finished scan of every org. It prints scans per minute, and the CPU each
side used (from /proc), so the limit shows: while workers wait on latency, throughput
grows with them; once the CPUs are busy (workers + the emulator's one Python process,
whose GIL caps it at one core), it stops growing.

Needs the local PostgreSQL (127.0.0.1:5432, user postgres) and Redis (127.0.0.1:6379),
as the tests do (``scripts/services``). Run from the repository root::

    python benchmarks/bench_fleet_workers.py [--orgs 200] [--workers 1,2,4]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scanner.store import open_store  # noqa: E402
from tests.emulators.hubspot import TOKEN  # noqa: E402
from tests.scanner.workers.harness import (  # noqa: E402
    Broker,
    Workers,
    crmscan,
    fresh_database,
    wait_until,
    worker_env,
)

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and its reaped children (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / TICKS  # utime stime cutime cstime


def tree_cpu(pid: int) -> float:
    """CPU of ``pid`` and every live descendant."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            total += cpu_seconds(current)
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        pending.extend(int(c) for c in children)
    return total


def finished(store_url: str) -> int:
    with open_store(store_url) as store:
        return sum(1 for s in store.scans() if s.state == "finished")


def run(count: int, info: dict, emulator_pid: int, work: Path) -> dict[str, float]:
    """One measurement with ``count`` workers."""
    broker = Broker()
    with fresh_database() as store_url:
        env = worker_env(
            store_url,
            broker,
            info["ca_file"],
            {"FLEET_HS_TOKEN": TOKEN, "CRMSCAN_VISIBILITY_TIMEOUT": "3600"},
        )
        targets = work / f"targets-{count}.yaml"
        lines = ["targets:"]
        for i, url in enumerate(info["urls"]):
            lines += [
                f"  - name: org-{i:03d}",
                "    platform: hubspot",
                f'    options: {{base_url: "{url}"}}',
                "    env: {access_token: FLEET_HS_TOKEN}",
            ]
        targets.write_text("\n".join(lines) + "\n")
        logs = work / f"logs-{count}"
        logs.mkdir()
        workers = Workers(env, logs)
        try:
            for i in range(count):
                workers.start(f"w{i}", ready_within=600)  # a loaded machine starts slowly
            with open_store(store_url):
                pass  # schema created before timing
            cpu_workers = sum(tree_cpu(p.pid) for p in workers.processes.values())
            cpu_emulator = cpu_seconds(emulator_pid)
            started = time.monotonic()
            queued = crmscan(env, "enqueue", "--config", str(targets))
            assert queued.returncode == 0, queued.stderr
            total = len(info["urls"])
            wait_until(lambda: finished(store_url) >= total, 3600, workers.logs, "the fleet")
            seconds = time.monotonic() - started
            cpu_workers = sum(tree_cpu(p.pid) for p in workers.processes.values()) - cpu_workers
            cpu_emulator = cpu_seconds(emulator_pid) - cpu_emulator
        finally:
            workers.stop_all()
            broker.clean()
    return {
        "workers": count,
        "seconds": seconds,
        "per_minute": total / seconds * 60,
        "worker_cpu": cpu_workers / seconds,
        "emulator_cpu": cpu_emulator / seconds,
        "cpu_per_scan": (cpu_workers + cpu_emulator) / total,
    }


def main() -> None:
    """Run the measurements and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=200)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--latency", default="0.05-0.2")
    args = parser.parse_args()
    counts = [int(x) for x in args.workers.split(",")]
    with tempfile.TemporaryDirectory(prefix="crmscan-bench-fleet-") as tmp:
        work = Path(tmp)
        info_file = work / "emulator.json"
        emulator = subprocess.Popen(
            [sys.executable, str(ROOT / "benchmarks/fleet_emulator.py")]
            + ["--orgs", str(args.orgs), "--latency", args.latency, "--out", str(info_file)],
            cwd=str(ROOT),
        )
        try:
            deadline = time.monotonic() + 300
            while not info_file.exists() and time.monotonic() < deadline:
                time.sleep(0.5)
            info = json.loads(info_file.read_text())
            print(
                f"fleet: {args.orgs} emulated HubSpot orgs, {args.latency} s per request, "
                f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start",
                flush=True,
            )
            print()
            print(
                "workers  seconds  scans/min  speed-up  worker CPU  emulator CPU  CPU s/scan"
                "  load avg"
            )
            base = None
            for count in counts:  # each row as soon as it is measured
                row = run(count, info, emulator.pid, work)
                base = base or row["per_minute"]
                print(
                    f"{row['workers']:>7}  {row['seconds']:>7.1f}  {row['per_minute']:>9.1f}  "
                    f"{row['per_minute'] / base:>7.2f}x  {row['worker_cpu']:>10.2f}  "
                    f"{row['emulator_cpu']:>12.2f}  {row['cpu_per_scan']:>10.2f}"
                    f"  {os.getloadavg()[0]:>8.1f}",
                    flush=True,
                )
        finally:
            emulator.terminate()
            emulator.wait(30)
    print(
        "\nworker/emulator CPU: cores busy on average during the run (1.00 = one core). "
        "Throughput stops growing once worker + emulator CPU reach the cores available."
    )


if __name__ == "__main__":
    main()
