"""Hostile servers, end to end through ``crmscan scan``: hung, unreachable, rate-limit storms.

Each fault must end in bounded time with a clear outcome: exit 2 naming the host when
nothing could be reached, otherwise a report whose checks on the lost data are ERROR
(never PASS). Timings are bounds, not benchmarks: generous enough for a loaded machine,
far below what the faults cost before (minutes per call).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from scanner.cli import cli
from scanner.language.check_spec import load_checks
from tests.adapters.http.loopback import HANG, LoopbackServer, Reply, Seen, closed_port, serving
from tests.emulators.hubspot import rate_limit_body

TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HUBSPOT_ACCESS_TOKEN", "HUBSPOT_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def scan(base_url: str, out: Path, *extra: str) -> tuple[Result, float]:
    """``crmscan scan --platform hubspot`` against ``base_url``; result and seconds taken."""
    args = ["scan", "--platform", "hubspot", "--base-url", base_url, "--access-token", TOKEN]
    args += ["--format", "json", "--out", str(out), *extra]
    started = time.monotonic()
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    return result, time.monotonic() - started


def no_pass_on_missing_data(out: Path) -> dict[str, Any]:
    """The result document, after checking no PASS rests on a collection with a gap."""
    document = json.loads((out / "crmscan-results.json").read_text())
    gaps = [g["collection"] for g in document["gaps"]]
    specs = load_checks(())
    for finding in document["findings"]:
        if finding["status"] != "PASS":
            continue
        for needed in specs[finding["check_id"]].requires:
            lost = [g for g in gaps if needed == g or needed.startswith(g + ".")]
            assert not lost, f"{finding['check_id']} PASS although {lost} was not collected"
    return document


@pytest.fixture
def hung(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackServer]:
    """An HTTPS endpoint (trusted CA) that takes every request and never answers."""
    with serving(lambda seen: HANG) as server:
        server.trust(tmp_path, monkeypatch)
        yield server


def test_hung_endpoint_ends_at_the_scan_deadline_with_gaps(
    hung: LoopbackServer, tmp_path: Path
) -> None:
    result, seconds = scan(hung.url, tmp_path / "out", "--timeout", "2")
    assert result.exit_code == 3, result.output  # incomplete: ERROR findings, nothing failed
    assert seconds < 8, f"took {seconds:.1f}s"
    document = no_pass_on_missing_data(tmp_path / "out")
    gaps = {g["collection"]: g for g in document["gaps"]}
    for collection in ("tenant", "users", "permission_sets", "users.login", "integrations"):
        assert gaps[collection]["reason"] == "api_error"
        assert "deadline" in gaps[collection]["detail"]
    assert len(hung.seen) == 1  # the hung call; nothing was sent after the deadline
    assert not any(f["status"] == "PASS" for f in document["findings"])


def test_targets_file_timeout_applies_per_target(
    hung: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUNG_TOKEN", TOKEN)
    config = tmp_path / "targets.yaml"
    config.write_text(
        "targets:\n"
        "  - name: hung\n"
        "    platform: hubspot\n"
        f"    options: {{base_url: '{hung.url}'}}\n"
        "    env: {access_token: HUNG_TOKEN}\n"
        "    timeout: 1.5\n",
        encoding="utf-8",
    )
    started = time.monotonic()
    result = CliRunner().invoke(
        cli, ["scan", "--config", str(config), "--format", "json", "--out", str(tmp_path / "r")]
    )
    assert result.exit_code == 3, result.output
    assert time.monotonic() - started < 8
    document = no_pass_on_missing_data(tmp_path / "r" / "hung")
    assert any("deadline" in g["detail"] for g in document["gaps"])


def test_unreachable_host_exits_2_at_once_naming_it(tmp_path: Path) -> None:
    port = closed_port()
    result, seconds = scan(f"https://127.0.0.1:{port}", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert seconds < 5, f"took {seconds:.1f}s"
    assert f"cannot connect to 127.0.0.1:{port}" in result.output
    assert not (tmp_path / "out" / "crmscan-results.json").exists()
    assert TOKEN not in result.output


def test_untrusted_certificate_exits_2_naming_tls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with serving(lambda seen: Reply()) as server:  # its CA is not trusted
        result, seconds = scan(server.url, tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert seconds < 5 and "TLS handshake failed" in result.output
    assert not server.seen  # no request was sent over an unverified connection


def test_plain_http_base_url_is_refused_before_any_connection(tmp_path: Path) -> None:
    port = closed_port()
    result, seconds = scan(f"http://127.0.0.1:{port}", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert "plain HTTP" in result.output and seconds < 5


def secondly_storm(seen: Seen) -> Reply:
    """HubSpot's SECONDLY 429 for every call, asking for a 1 s wait each time."""
    body = json.dumps(rate_limit_body("SECONDLY")).encode()
    return Reply(429, body, {"Content-Type": "application/json", "Retry-After": "1"})


def test_429_storm_is_bounded_by_the_deadline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serving(secondly_storm) as server:
        server.trust(tmp_path, monkeypatch)
        result, seconds = scan(server.url, tmp_path / "out", "--timeout", "3")
        requests = len(server.seen)
    assert result.exit_code == 3, result.output
    assert seconds < 9, f"took {seconds:.1f}s"
    document = no_pass_on_missing_data(tmp_path / "out")
    reasons = {g["collection"]: g["reason"] for g in document["gaps"]}
    assert reasons["tenant"] == "api_error" and reasons["users"] == "api_error"
    # About one per second on the first call, then at most one per remaining call (a
    # 429 whose wait would pass the deadline ends that call), and none past the deadline.
    assert requests <= 3 + 9


def daily_storm(seen: Seen) -> Reply:
    """HubSpot's DAILY 429: the allowance is used up; waiting does not help."""
    body = json.dumps(rate_limit_body("DAILY")).encode()
    return Reply(429, body, {"Content-Type": "application/json", "Retry-After": "1"})


def test_daily_limit_storm_becomes_rate_limited_gaps_without_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serving(daily_storm) as server:
        server.trust(tmp_path, monkeypatch)
        result, seconds = scan(server.url, tmp_path / "out")
        requests = [s.path for s in server.seen if s.path != "/"]
    assert result.exit_code == 3, result.output
    assert seconds < 15
    document = no_pass_on_missing_data(tmp_path / "out")
    reasons = {g["collection"]: g["reason"] for g in document["gaps"]}
    assert reasons["users"] == "rate_limited" and reasons["users.login"] == "rate_limited"
    assert len(requests) == len(set(requests))  # one request per endpoint: no retries


def test_a_hung_host_costs_one_call_of_timeouts_without_a_deadline(hung: LoopbackServer) -> None:
    """No --timeout: the first call's read timeouts open the host's circuit breaker.

    Before it, every call waited out its own timeouts (2 x 30 s each: 558 s for a
    HubSpot scan); now the rest fail at once as gaps naming the hang, and the TLS probe
    is not run against the hung host either.
    """
    from adapters.hubspot import HubSpotAdapter
    from scanner.adapter_api import AdapterSettings, CollectionScope, NullProgress

    settings = AdapterSettings({"access_token": TOKEN, "base_url": hung.url})
    adapter = HubSpotAdapter(settings, read_timeout=0.5)
    started = time.monotonic()
    inventory = adapter.collect(CollectionScope(), NullProgress())
    seconds = time.monotonic() - started
    # Two attempts of 0.5 s and one 0.5 s back-off, then nothing waits any more.
    assert seconds < 4, f"took {seconds:.1f}s"
    assert len(hung.seen) == 2  # the first call's two attempts; nothing after them
    gaps = {g.collection: g for g in inventory.gaps}
    for collection in ("users", "permission_sets", "users.login", "integrations"):
        assert gaps[collection].reason.value == "api_error"
        assert "stopped answering" in gaps[collection].detail, gaps[collection].detail
    assert "stopped answering" in gaps["encryption.transport"].detail
