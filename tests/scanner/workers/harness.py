"""Real servers for the worker tests: a fresh PostgreSQL database, an isolated corner of
the local Redis, and `crmscan worker` processes with an explicit environment.

Each test gets its own database (``crmscan_w_<random>``), Redis key prefix and queue
name, so helpers running tests side by side never share a queue or a store. Worker logs
go to files; `Workers.logs` returns them for failure messages.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis

ROOT = Path(__file__).resolve().parents[3]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/0"


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new empty PostgreSQL database on the local server; its URL. Dropped after."""
    name = f"crmscan_w_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Broker:
    """An isolated part of the local Redis: one key prefix and one queue name."""

    url: str = REDIS_URL
    prefix: str = field(default_factory=lambda: f"crmscan-test-{uuid.uuid4().hex[:10]}:")
    queue: str = field(default_factory=lambda: f"crmscan-test-{uuid.uuid4().hex[:8]}")

    def clean(self) -> None:
        """Delete every key under the prefix."""
        client = redis.Redis.from_url(self.url)
        try:
            keys = list(client.scan_iter(match=f"{self.prefix}*", count=500))
            if keys:
                client.delete(*keys)
        finally:
            client.close()


@dataclass
class Workers:
    """`crmscan worker` processes, each in its own session (so a kill takes its pool too)."""

    env: dict[str, str]
    log_dir: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, concurrency: int = 1, ready_within: float = 120) -> None:
        """Start worker ``name`` and wait until it is ready to take tasks."""
        log = self.log_dir / f"{name}.log"
        out = (self.log_dir / f"{name}.out").open("wb")
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", "scanner", "worker", "--name", f"{name}@%h"]
            + ["--concurrency", str(concurrency), "--logfile", str(log)],
            env=self.env,
            cwd=str(ROOT),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        out.close()
        wait_until(
            lambda: log.exists() and " ready." in log.read_text(),
            ready_within,
            self.logs,
            f"{name} ready",
        )

    def kill(self, name: str) -> None:
        """``kill -9`` worker ``name`` and its pool processes."""
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop_all(self) -> None:
        """Stop every worker still running (warm shutdown, then kill)."""
        for process in self.processes.values():
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for process in self.processes.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        self.processes.clear()

    def logs(self) -> str:
        """Every worker's log and output, for a failure message."""
        parts = []
        for path in sorted(self.log_dir.glob("*")):
            parts.append(f"===== {path.name}\n{path.read_text(errors='replace')[-6000:]}")
        return "\n".join(parts)


def worker_env(
    store: str, broker: Broker, ca_file: str, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The whole environment of a worker or enqueuer process: nothing inherited by chance."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
        "SSL_CERT_FILE": ca_file,  # the emulators' test CA
        "CRMSCAN_STORE": store,
        "CRMSCAN_BROKER_URL": broker.url,
        "CRMSCAN_BROKER_PREFIX": broker.prefix,
        "CRMSCAN_QUEUE": broker.queue,
        "CRMSCAN_RESTORE_INTERVAL": "1",
        "CRMSCAN_BUSY_RETRY": "1",
        "CRMSCAN_TASK_TIME_LIMIT": "120",
        "CRMSCAN_VISIBILITY_TIMEOUT": "30",
    }
    env.update(extra or {})
    return env


def crmscan(env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m scanner ARGS`` with ``env``; its output."""
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args],
        env=dict(env),
        cwd=str(ROOT),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def wait_until(
    condition: Callable[[], bool], timeout: float, logs: Callable[[], str], what: str
) -> None:
    """Poll ``condition`` until true; fail with the workers' logs after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}\n{logs()}")
