"""Real Celery workers (separate processes) on the local Redis and PostgreSQL.

A worker killed with ``kill -9`` in the middle of a scan: its task goes back to Redis
(late acknowledgement), another worker scans the target, and the store ends with exactly
one finished scan per target; the dead scan's row is marked failed, not left running.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import trustme

from scanner.store import open_store
from scanner.workers.tasks import ABANDONED
from tests.emulators.hubspot import TOKEN, HubSpotEmulator
from tests.scanner.workers.conftest import targets_file
from tests.scanner.workers.harness import Broker, Workers, crmscan, wait_until, worker_env


def _finished(store_url: str) -> Counter[str]:
    with open_store(store_url) as store:
        return Counter(s.target for s in store.scans() if s.state == "finished")


def test_killed_worker_scan_completes_elsewhere_once(
    orgs: list[HubSpotEmulator],
    ca: tuple[trustme.CA, str],
    store_url: str,
    broker: Broker,
    tmp_path: Path,
    workers_dir: Path,
    workers_factory: list[Workers],
) -> None:
    for emulator in orgs:
        emulator.latency = lambda: 0.4  # ~5 s per scan: long enough to die in
    env = worker_env(
        store_url, broker, ca[1], {"FLEET_HS_TOKEN": TOKEN, "CRMSCAN_VISIBILITY_TIMEOUT": "12"}
    )
    workers = Workers(env, workers_dir)
    workers_factory.append(workers)
    workers.start("alpha")
    workers.start("beta")
    config = targets_file(tmp_path / "targets.yaml", orgs)
    queued = crmscan(
        {k: v for k, v in env.items() if k != "FLEET_HS_TOKEN"}, "enqueue", "--config", str(config)
    )
    assert queued.returncode == 0, queued.stdout + queued.stderr
    assert queued.stdout.count("queued org-") == 4
    alpha_log = workers_dir / "alpha.log"
    wait_until(
        lambda: "scanning org-" in alpha_log.read_text(), 60, workers.logs, "alpha to start a scan"
    )
    workers.kill("alpha")  # mid-scan: the scan takes ~5 s and has just begun
    wait_until(lambda: sum(_finished(store_url).values()) >= 4, 150, workers.logs, "every target")
    finished = _finished(store_url)
    assert finished == Counter({f"org-{i}": 1 for i in range(4)}), workers.logs()
    with open_store(store_url) as store:
        scans = store.scans()
    abandoned = [s for s in scans if s.state == "failed"]
    assert [s.error for s in abandoned] == [ABANDONED], workers.logs()
    assert not [s for s in scans if s.state == "running"]
    # The dead scan's target was scanned again by beta, once.
    assert finished[abandoned[0].target] == 1
    assert "scanned " + abandoned[0].target in (workers_dir / "beta.log").read_text()
    # Credentials never crossed the broker: the queued messages named the variable only.
    assert TOKEN not in queued.stdout + queued.stderr


def test_time_limit_fails_the_scan_instead_of_hanging(
    orgs: list[HubSpotEmulator],
    ca: tuple[trustme.CA, str],
    store_url: str,
    broker: Broker,
    tmp_path: Path,
    workers_dir: Path,
    workers_factory: list[Workers],
) -> None:
    orgs[0].latency = lambda: 2.0  # ~25 s to collect; the task may take 4 s
    env = worker_env(
        store_url,
        broker,
        ca[1],
        {
            "FLEET_HS_TOKEN": TOKEN,
            "CRMSCAN_TASK_SOFT_TIME_LIMIT": "4",
            "CRMSCAN_TASK_TIME_LIMIT": "8",
            "CRMSCAN_COLLECT_TIMEOUT": "60",  # past the soft limit: the limit must act
        },
    )
    workers = Workers(env, workers_dir)
    workers_factory.append(workers)
    workers.start("slow")
    config = targets_file(tmp_path / "targets.yaml", orgs[:1])
    queued = crmscan(env, "enqueue", "--config", str(config))
    assert queued.returncode == 0, queued.stderr

    def settled() -> list:
        with open_store(store_url) as store:
            return [s for s in store.scans() if s.state != "running"]

    wait_until(lambda: bool(settled()), 60, workers.logs, "the time limit")
    [scan] = settled()
    assert scan.state == "failed" and "time limit" in (scan.error or ""), workers.logs()


def test_schedule_runs_beat_from_the_targets_file(
    store_url: str, broker: Broker, tmp_path: Path, workers_dir: Path
) -> None:
    import json
    import subprocess
    import sys

    import redis

    from tests.scanner.workers.harness import ROOT

    config = tmp_path / "targets.yaml"
    config.write_text("targets:\n  - {name: a, platform: hubspot, schedule: '0 3 * * *'}\n")
    env = worker_env(store_url, broker, "/dev/null")
    log = workers_dir / "beat.out"
    with log.open("wb") as out:
        beat = subprocess.Popen(
            [sys.executable, "-m", "scanner", "schedule", "--config", str(config)]
            + ["--reap-every", "1", "--schedule-file", str(tmp_path / "beat-state")],
            env=env,
            cwd=str(ROOT),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    client = redis.Redis.from_url(broker.url)
    key = f"{broker.prefix}{broker.queue}"
    try:
        wait_until(lambda: client.llen(key) >= 2, 60, log.read_text, "beat to queue the reaper")
        tasks = {json.loads(m)["headers"]["task"] for m in client.lrange(key, 0, -1)}
        assert tasks == {"crmscan.reap"}, tasks
        text = log.read_text()
        assert "beat: scan 0 3 * * *: crmscan.enqueue (1 target(s))" in text
    finally:
        beat.terminate()
        beat.wait(20)
        client.close()
