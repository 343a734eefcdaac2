"""``crmscan scan --config targets.yaml --jobs N``: bounded concurrency, failures alone."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
import trustme
from click.testing import CliRunner

from scanner.cli import cli
from scanner.fleet import runner
from scanner.fleet.runner import BUSY, FleetRun, process_lock, run_fleet
from scanner.fleet.targets import Target, load_fleet
from scanner.pipeline import ScanRequest
from tests.emulators.hubspot import TOKEN, HubSpotEmulator, sample_account
from tests.emulators.webhook import WebhookReceiver


class InFlight:
    """Latency functions that count the orgs being answered at the same time."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.active: dict[int, int] = {}
        self.most = 0
        self._lock = threading.Lock()
        self._never = threading.Event()

    def org(self, index: int) -> Callable[[], float]:
        def latency() -> float:
            with self._lock:
                self.active[index] = self.active.get(index, 0) + 1
                self.most = max(self.most, sum(1 for n in self.active.values() if n))
            self._never.wait(self.seconds)
            with self._lock:
                self.active[index] -= 1
            return 0.0

        return latency


@pytest.fixture
def fleet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[HubSpotEmulator]]:
    """Five emulated HubSpot accounts sharing one trusted CA."""
    ca = trustme.CA()
    emulators = [
        HubSpotEmulator(sample_account(datetime.now(timezone.utc)), ca=ca).start() for _ in range(5)
    ]
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    monkeypatch.setenv("FLEET_HS_TOKEN", TOKEN)
    try:
        yield emulators
    finally:
        for emulator in emulators:
            emulator.stop()


def _config(
    tmp_path: Path,
    emulators: list[HubSpotEmulator],
    extra: str = "",
    per: dict[int, str] | None = None,
) -> Path:
    """A targets file naming ``emulators`` as org-0, org-1...; ``per`` replaces an org's
    credentials line."""
    lines = [extra, "targets:"]
    for i, emulator in enumerate(emulators):
        lines += [
            f"  - name: org-{i}",
            "    platform: hubspot",
            f'    options: {{base_url: "{emulator.url}"}}',
            (per or {}).get(i, "    env: {access_token: FLEET_HS_TOKEN}"),
        ]
    path = tmp_path / "targets.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _summary(output: str) -> dict[str, list[str]]:
    """The summary table's rows by target name (one line each)."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("target "))
    return {line.split()[0]: line.split() for line in lines[start + 1 :] if line.strip()}


def test_jobs_bounds_concurrency_and_scans_everything(
    fleet: list[HubSpotEmulator], tmp_path: Path
) -> None:
    meter = InFlight(0.15)
    for i, emulator in enumerate(fleet):
        emulator.latency = meter.org(i)
    out = tmp_path / "reports"
    result = CliRunner().invoke(
        cli,
        ["scan", "--config", str(_config(tmp_path, fleet)), "--jobs", "3"]
        + ["--format", "json", "--out", str(out)],
    )
    assert result.exit_code == 1, result.output  # the sample account fails the gate
    rows = _summary(result.output)
    assert sorted(rows) == [f"org-{i}" for i in range(5)]
    assert all(row[2] == "findings" and row[3] == "1" for row in rows.values())
    for i in range(5):
        document = json.loads((out / f"org-{i}" / "crmscan-results.json").read_text())
        assert document["tenant"]["platform"] == "hubspot"
    # Several orgs were collected at the same time, never more than --jobs of them.
    assert meter.most == 3, meter.most


def test_a_failing_and_a_hanging_target_fail_alone(
    fleet: list[HubSpotEmulator], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fleet[3].latency = lambda: 30.0  # hangs on every request
    (tmp_path / "wrong.txt").write_text("pat-na1-99999999-8888-7777-6666-555555555555\n")
    config = _config(
        tmp_path,
        fleet,
        per={
            1: "    secret_files: {access_token: wrong.txt}",  # refused by the CRM
            3: "    env: {access_token: FLEET_HS_TOKEN}\n    timeout: 2",  # its own deadline
        },
    )
    out = tmp_path / "r"
    result = CliRunner().invoke(
        cli, ["scan", "--config", str(config), "--jobs", "5", "--format", "json", "--out", str(out)]
    )
    rows = _summary(result.output)
    assert rows["org-1"][2] == "error" and rows["org-1"][3] == "2", result.output
    assert rows["org-3"][2] == "incomplete" and rows["org-3"][3] == "3", result.output
    assert float(rows["org-3"][7]) < 20  # the deadline ended it, not the 30 s answer
    gaps = json.loads((out / "org-3" / "crmscan-results.json").read_text())["gaps"]
    assert gaps and all("deadline" in g["detail"] for g in gaps)
    for name in ("org-0", "org-2", "org-4"):
        assert rows[name][2] == "findings", result.output
    assert result.exit_code == 1  # a gate failed (documented order: 1, then 3, then 0)
    assert "pat-na1-9999" not in result.output and TOKEN not in result.output


def test_only_failures_is_exit_3_and_nothing_scanned_is_exit_2(
    fleet: list[HubSpotEmulator], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config(tmp_path, fleet[:2])
    config.write_text(config.read_text().replace("FLEET_HS_TOKEN", "UNSET_VARIABLE_X", 1))
    # ENC-005 (high) fails on the sample account: under --fail-on critical org-1 passes.
    args = ["scan", "--config", str(config), "--jobs", "2", "--check", "ENC-005"]
    result = CliRunner().invoke(cli, [*args, "--fail-on", "critical"])
    rows = _summary(result.output)
    assert rows["org-0"][2] == "error" and "UNSET_VARIABLE_X" in result.output
    assert rows["org-1"][2] == "ok" and rows["org-1"][5] == "1"  # one high FAIL
    assert result.exit_code == 3  # a target not scanned, no gate failed
    config.write_text(config.read_text().replace("FLEET_HS_TOKEN", "UNSET_VARIABLE_X"))
    result = CliRunner().invoke(cli, ["scan", "--config", str(config), "--jobs", "2"])
    assert result.exit_code == 2
    assert (
        "--jobs" in CliRunner().invoke(cli, ["scan", "--snapshot", "x.json", "--jobs", "2"]).output
    )


def test_never_two_scans_of_one_target(fleet: list[HubSpotEmulator]) -> None:
    target = Target(
        "org-x", "hubspot", {"base_url": fleet[0].url}, {"access_token": "FLEET_HS_TOKEN"}
    )
    run = FleetRun(request_for=lambda _t: ScanRequest())
    with process_lock("org-x"):  # a scan of org-x is running in this process
        busy = runner.scan_target(target, run)
    assert busy.status == BUSY and busy.exit_code == 3 and busy.outcome is None

    # Another lock (the store's) saying busy has the same effect.
    def taken(_t: Target) -> object:
        raise runner.TargetBusy("org-x")

    [outcome] = run_fleet([target], FleetRun(request_for=lambda _t: ScanRequest(), lock_for=taken))
    assert outcome.status == BUSY
    [outcome] = run_fleet([target], run)
    assert outcome.status == "findings" and outcome.outcome is not None


def test_webhooks_get_new_failures_and_scan_errors(
    fleet: list[HubSpotEmulator], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with WebhookReceiver() as generic, WebhookReceiver() as slack:
        generic.statuses.extend([503, 429])  # delivered on the third try
        monkeypatch.setenv("GENERIC_HOOK", generic.url)
        monkeypatch.setenv("SLACK_HOOK", slack.url)
        monkeypatch.setattr("scanner.notify.webhook.BASE_WAIT", 0.01)
        notify = (
            "notify:\n"
            "  - {webhook_url_env: GENERIC_HOOK, min_severity: high}\n"
            "  - {webhook_url_env: SLACK_HOOK, format: slack, min_severity: critical, include_resources: true}\n"
        )
        config = _config(tmp_path, fleet[:2], notify)
        config.write_text(config.read_text().replace("FLEET_HS_TOKEN", "UNSET_VARIABLE_Y", 1))
        result = CliRunner().invoke(cli, ["scan", "--config", str(config), "--jobs", "2"])
        assert result.exit_code == 1, result.output
        bodies = generic.wait_for(2)
        assert len(generic.raw) == 4  # 503, 429, then one accepted message per target
        by_event = {b["event"]: b for b in bodies}
        failed = by_event["scan_failed"]
        assert failed["target"] == "org-0" and "UNSET_VARIABLE_Y" in failed["reason"]
        new = by_event["new_failures"]
        assert new["target"] == "org-1" and new["platform"] == "hubspot"
        assert new["findings"] and all(
            f["severity"] in ("high", "critical") for f in new["findings"]
        )
        assert set(new["findings"][0]) == {"check_id", "title", "severity"}  # no resources
        assert sum(new["counts"].values()) == len(new["findings"])
        slack_bodies = slack.wait_for(2)
        texts = " ".join(b["text"] for b in slack_bodies)
        assert "could not scan org-0" in texts and "org-1" in texts
        assert all(b["blocks"][0]["type"] == "section" for b in slack_bodies)
    everything = b"".join(generic.raw + slack.raw).decode()
    assert TOKEN not in everything
    # Personal data only where the user opted in (the Slack hook's include_resources).
    assert "@acme.test" not in b"".join(generic.raw).decode()


def test_notify_config_problems_stop_before_scanning(
    fleet: list[HubSpotEmulator], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config(tmp_path, fleet[:1], "notify:\n  - {webhook_url_env: NO_SUCH_HOOK_VAR}\n")
    result = CliRunner().invoke(cli, ["scan", "--config", str(config)])
    assert (
        result.exit_code == 2
        and "NO_SUCH_HOOK_VAR (or NO_SUCH_HOOK_VAR_FILE) is not set" in result.output
    )
    monkeypatch.setenv("PLAIN_HOOK", "http://hooks.example.com/x")
    config.write_text(config.read_text().replace("NO_SUCH_HOOK_VAR", "PLAIN_HOOK"))
    result = CliRunner().invoke(cli, ["scan", "--config", str(config)])
    assert result.exit_code == 2 and "https://" in result.output
    assert "hooks.example.com" not in result.output  # the URL is a secret
    assert not fleet[0].requests


def test_targets_file_schedule_and_secret_files(tmp_path: Path) -> None:
    (tmp_path / "tok").write_text("pat-na1-secret-value\n")
    path = tmp_path / "t.yaml"
    path.write_text(
        "targets:\n  - name: a\n    platform: hubspot\n    schedule: '0  3 * * 1-5'\n"
        "    secret_files: {access_token: tok}\n"
    )
    [target] = load_fleet(path).targets
    assert target.schedule == "0 3 * * 1-5"
    assert target.flags({})["access_token"] == "pat-na1-secret-value"
    message = target.to_message()
    assert "pat-na1-secret-value" not in json.dumps(message)
    assert type(target).from_message(json.loads(json.dumps(message))) == target
    path.write_text("targets:\n  - name: a\n    platform: hubspot\n    schedule: '61 * * * *'\n")
    with pytest.raises(Exception, match=r"t.yaml:4.*schedule"):
        load_fleet(path)
    path.write_text(
        "targets:\n  - name: a\n    platform: hubspot\n    env: {access_token: X}\n"
        "    secret_files: {access_token: tok}\n"
    )
    with pytest.raises(Exception, match=r"t.yaml:5.*given under env"):
        load_fleet(path)


def test_fleet_records_into_the_store_under_its_lock(
    fleet: list[HubSpotEmulator], tmp_path: Path
) -> None:
    from scanner.store import open_store

    store_path = tmp_path / "posture.sqlite"
    config = _config(tmp_path, fleet[:3])
    with open_store(store_path) as store, store.target_lock("org-1"):  # another process
        result = CliRunner().invoke(
            cli, ["scan", "--config", str(config), "--jobs", "3", "--store", str(store_path)]
        )
    rows = _summary(result.output)
    assert rows["org-1"][2] == "busy" and rows["org-1"][3] == "3", result.output
    assert rows["org-0"][2] == rows["org-2"][2] == "findings"
    assert result.exit_code == 1
    with open_store(store_path) as store:
        finished = sorted(s.target for s in store.scans() if s.state == "finished")
    assert finished == ["org-0", "org-2"]  # named after the targets file
