"""The scan task's rules in-process, on the real PostgreSQL store and Redis: the reaper,
the dead-attempt limit, the beat schedule and the CLI's checks."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner

from scanner.cli import cli
from scanner.errors import ConfigError, TargetBusyError
from scanner.fleet.targets import Target, load_fleet
from scanner.store import open_store
from scanner.workers import tasks
from scanner.workers.app import configure
from scanner.workers.beat import beat_schedule
from scanner.workers.settings import WorkerSettings
from tests.scanner.workers.harness import Broker

TARGET = Target("acme", "hubspot", {"base_url": "https://127.0.0.1:9"}, {"access_token": "TOK_VAR"})


def _queued(broker: Broker) -> int:
    client = redis.Redis.from_url(broker.url)
    try:
        return int(client.llen(f"{broker.prefix}{broker.queue}"))
    finally:
        client.close()


@pytest.fixture
def settings(store_url: str, broker: Broker) -> WorkerSettings:
    chosen = WorkerSettings(
        broker_url=broker.url, queue=broker.queue, store=store_url, broker_prefix=broker.prefix
    )
    configure(chosen)
    return chosen


def test_reaper_fails_stuck_scans_and_requeues_them(
    settings: WorkerSettings, broker: Broker
) -> None:
    assert settings.store is not None
    with open_store(settings.store) as store:
        stuck = store.begin_scan("acme", "hubspot")
        live = store.begin_scan("other", "hubspot")
        with store.target_lock("other"):  # a worker is scanning "other" right now
            reaped = tasks.reap_stuck(
                store, {"acme": TARGET}, tasks.scan_options(), timedelta(seconds=0)
            )
        states = {s.id: (s.state, s.error) for s in store.scans()}
    assert [r["scan_id"] for r in reaped] == [stuck] and reaped[0]["requeued"]
    assert states[stuck] == ("failed", tasks.STUCK)
    assert states[live] == ("running", None)  # held by a live worker: left alone
    assert _queued(broker) == 1  # the stuck target is queued again


def test_a_request_is_scanned_once_and_given_up_after_dead_attempts(
    settings: WorkerSettings,
) -> None:
    assert settings.store is not None
    requested = datetime.now(timezone.utc) - timedelta(seconds=1)
    with open_store(settings.store) as store:
        for _ in range(settings.max_attempts):  # workers died mid-scan this many times
            store.begin_scan("acme", "hubspot")
    result = tasks.run_target_scan(
        TARGET.to_message(), requested.isoformat(), tasks.scan_options(), settings, {}
    )
    assert result["status"] == "given_up"
    with open_store(settings.store) as store:
        assert {(s.state, s.error) for s in store.scans("acme")} == {("failed", tasks.ABANDONED)}
        with store.target_lock("acme"), pytest.raises(TargetBusyError):
            tasks.run_target_scan(
                TARGET.to_message(), requested.isoformat(), tasks.scan_options(), settings, {}
            )
    # A credential problem fails the scan row (not retried) with the variable's name only.
    later = datetime.now(timezone.utc).isoformat()
    result = tasks.run_target_scan(TARGET.to_message(), later, tasks.scan_options(), settings, {})
    assert result["status"] == "failed" and "TOK_VAR is not set" in result["reason"]


def test_beat_schedule_from_targets(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "targets:\n"
        "  - {name: a, platform: hubspot, schedule: '0 3 * * *'}\n"
        "  - {name: b, platform: hubspot, schedule: '0 3 * * *'}\n"
        "  - {name: c, platform: hubspot, schedule: '*/15 * * * 1-5'}\n"
        "  - {name: d, platform: hubspot}\n"
    )
    entries = beat_schedule(load_fleet(path), tasks.scan_options(), reap_every=120)
    assert set(entries) == {"scan 0 3 * * *", "scan */15 * * * 1-5", "reap stuck scans"}
    daily = entries["scan 0 3 * * *"]
    assert daily["task"] == "crmscan.enqueue"
    assert [t["name"] for t in daily["args"][0]] == ["a", "b"]
    assert daily["schedule"].hour == {3} and daily["schedule"].minute == {0}
    weekdays = entries["scan */15 * * * 1-5"]["schedule"]
    assert weekdays.day_of_week == {1, 2, 3, 4, 5} and 45 in weekdays.minute
    assert entries["reap stuck scans"]["schedule"] == 120
    assert len(entries["reap stuck scans"]["args"][0]) == 4


def test_settings_and_cli_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="CRMSCAN_STORE"):
        WorkerSettings.from_env({}).require_store()
    with pytest.raises(ConfigError, match="below"):
        WorkerSettings.from_env(
            {"CRMSCAN_TASK_TIME_LIMIT": "10", "CRMSCAN_TASK_SOFT_TIME_LIMIT": "20"}
        )
    defaults = WorkerSettings.from_env({})
    assert defaults.visibility_timeout > defaults.time_limit > defaults.soft_time_limit
    assert defaults.collect_timeout < defaults.soft_time_limit
    monkeypatch.delenv("CRMSCAN_STORE", raising=False)
    result = CliRunner().invoke(cli, ["worker"])
    assert result.exit_code == 2 and "CRMSCAN_STORE" in result.output
    path = tmp_path / "t.yaml"
    path.write_text("targets:\n  - {name: a, platform: hubspot}\n")
    result = CliRunner().invoke(cli, ["enqueue", "--config", str(path), "--target", "zz"])
    assert result.exit_code == 2 and "no target zz" in result.output
