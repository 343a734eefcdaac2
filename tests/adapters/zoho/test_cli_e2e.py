"""``crmscan scan --platform zoho`` end to end against the emulator."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from scanner.cli import cli
from tests.emulators.zoho import ZohoEmulator
from tests.emulators.zoho.sample import sample_org

ROOT = Path(__file__).resolve().parents[3]
ENV = ("ZOHO_CLIENT_ID", "ZOHO_CLIENT_SECRET", "ZOHO_REFRESH_TOKEN", "ZOHO_DATA_CENTRE",
       "ZOHO_ACCOUNTS_URL", "ZOHO_MAX_CREDITS")  # fmt: skip


def zoho_checks() -> set[str]:
    """The shipped checks that cover zoho (their platforms name it, or they name none)."""
    found = set()
    for path in ROOT.glob("checks/*/*.yaml"):
        data = yaml.safe_load(path.read_text())
        if isinstance(data, dict) and "zoho" in data.get("platforms", ["zoho"]):
            found.add(data["id"])
    return found


#: Until the engine honours the checks' platforms lists (issue 11), two checks about
#: concepts Zoho CRM does not have are still evaluated on its data and pass: an MFA-bypass
#: permission (AUTH-004) and Salesforce's standard profile names (PRIV-010).
ENGINE_SCOPES_PLATFORMS = importlib.util.find_spec("scanner.engine.coverage") is not None
OUT_OF_SCOPE_BEFORE_ISSUE_11 = {"AUTH-004", "PRIV-010"}


@pytest.fixture
def live(trust, monkeypatch: pytest.MonkeyPatch) -> Iterator[ZohoEmulator]:  # type: ignore[no-untyped-def]
    """The sample org dated today (the CLI runs on the real clock)."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    with ZohoEmulator(sample_org(datetime.now(timezone.utc))) as server:
        trust(server)
        yield server


def _flags(emulator: ZohoEmulator, **overrides: str) -> list[str]:
    creds = emulator.credentials
    values = {
        "--client-id": creds.client_id,
        "--client-secret": creds.client_secret,
        "--refresh-token": creds.refresh_token,
        "--accounts-url": emulator.url,
        **overrides,
    }
    return [item for pair in values.items() for item in pair]


def _scan(out: Path, *args: str) -> Result:
    return CliRunner().invoke(
        cli,
        ["scan", "--platform", "zoho", *args, "--format", "console,json", "--out", str(out)],
        catch_exceptions=False,
    )


def _findings(out: Path) -> dict[str, list[dict[str, Any]]]:
    document = json.loads((out / "crmscan-results.json").read_text())
    by_check: dict[str, list[dict[str, Any]]] = {}
    for finding in document["findings"]:
        by_check.setdefault(finding["check_id"], []).append(finding)
    return by_check


def test_scan_finds_every_planted_problem(live: ZohoEmulator, tmp_path: Path) -> None:
    result = _scan(tmp_path, *_flags(live))
    assert result.exit_code == 1, result.output
    findings = _findings(tmp_path)
    failed = {c for c, fs in findings.items() if any(f["status"] == "FAIL" for f in fs)}
    assert {"PRIV-001", "PRIV-005", "PRIV-006", "PRIV-011"} <= failed
    (admins,) = findings["PRIV-001"]
    assert admins["status"] == "FAIL" and "7 active admins" in admins["message"]
    # Every PASS is on a check that covers Zoho (the adapter provides its data).
    passed = {c for c, fs in findings.items() if any(f["status"] == "PASS" for f in fs)}
    outside = passed - zoho_checks()
    assert outside <= (set() if ENGINE_SCOPES_PLATFORMS else OUT_OF_SCOPE_BEFORE_ISSUE_11), outside
    # MFA has no CRM API: MANUAL, naming where to review it. Never PASS.
    (mfa,) = findings["AUTH-001"]
    assert mfa["status"] == "MANUAL" and "Zoho Directory" in mfa["message"]
    assert all(r.method == "GET" or r.path == "/oauth/v2/token" for r in live.requests)


def test_credentials_from_the_environment(
    live: ZohoEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    creds = live.credentials
    monkeypatch.setenv("ZOHO_CLIENT_ID", creds.client_id)
    monkeypatch.setenv("ZOHO_CLIENT_SECRET", creds.client_secret)
    monkeypatch.setenv("ZOHO_REFRESH_TOKEN", creds.refresh_token)
    monkeypatch.setenv("ZOHO_ACCOUNTS_URL", live.url)
    result = _scan(tmp_path)
    assert result.exit_code == 1, result.output
    assert (
        json.loads((tmp_path / "crmscan-results.json").read_text())["tenant"]["name"]
        == "Northwind Traders"
    )


def test_refused_credential_exits_2_naming_the_data_centre(
    live: ZohoEmulator, tmp_path: Path
) -> None:
    result = _scan(
        tmp_path, *_flags(live, **{"--refresh-token": "1000.revoked", "--data-centre": "eu"})
    )
    assert result.exit_code == 2
    assert "eu data centre" in result.output and "invalid_code" in result.output
    assert not (tmp_path / "crmscan-results.json").exists()
    assert [r.path for r in live.requests] == ["/oauth/v2/token"]


def test_unknown_data_centre_and_missing_secret_are_usage_errors(
    live: ZohoEmulator, tmp_path: Path
) -> None:
    assert _scan(tmp_path, *_flags(live, **{"--data-centre": "moon"})).exit_code == 2
    result = _scan(tmp_path, "--client-id", "x", "--refresh-token", "y")
    assert result.exit_code == 2 and "ZOHO_CLIENT_SECRET" in result.output


def test_help_names_each_platforms_meaning_of_shared_options() -> None:
    result = CliRunner().invoke(cli, ["scan", "--help"], terminal_width=200)
    assert "zoho: Zoho API client id" in result.output
    assert "salesforce: Connected app consumer key" in result.output
    assert "ZOHO_CLIENT_ID" in result.output and "--data-centre" in result.output


def test_targets_file_with_a_zoho_org(
    live: ZohoEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    creds = live.credentials
    monkeypatch.setenv("NW_ZOHO_ID", creds.client_id)
    monkeypatch.setenv("NW_ZOHO_SECRET", creds.client_secret)
    monkeypatch.setenv("NW_ZOHO_REFRESH", creds.refresh_token)
    targets = tmp_path / "targets.yaml"
    targets.write_text(
        "targets:\n"
        "  - name: northwind\n"
        "    platform: zoho\n"
        f"    options: {{data_centre: eu, accounts_url: '{live.url}'}}\n"
        "    env: {client_id: NW_ZOHO_ID, client_secret: NW_ZOHO_SECRET, refresh_token: NW_ZOHO_REFRESH}\n"
    )
    out = tmp_path / "reports"
    result = CliRunner().invoke(
        cli, ["scan", "--config", str(targets), "--format", "json", "--out", str(out)],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    document = json.loads((out / "northwind" / "crmscan-results.json").read_text())
    assert document["tenant"]["name"] == "Northwind Traders"
