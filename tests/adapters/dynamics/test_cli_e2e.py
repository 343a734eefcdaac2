"""``crmscan scan --platform dynamics`` end to end against the emulated tenant."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from scanner import cli as cli_module
from tests.emulators.dynamics import DynamicsEmulator, Environment

ENV_VARS = (
    "DYNAMICS_ENVIRONMENT_URL", "DYNAMICS_TENANT_ID", "DYNAMICS_CLIENT_ID",
    "DYNAMICS_CLIENT_SECRET", "DYNAMICS_CERTIFICATE_FILE", "DYNAMICS_CERTIFICATE_PASSWORD",
    "DYNAMICS_CLOUD", "DYNAMICS_AUTHORITY_HOST", "DYNAMICS_GRAPH_URL",
)  # fmt: skip


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DynamicsEmulator]:
    """The sample tenant dated today (the CLI runs on the real clock), CA trusted."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    with DynamicsEmulator(Environment.sample(datetime.now(timezone.utc))) as emu:
        ca = emu.ca_file(str(tmp_path))
        monkeypatch.setenv("SSL_CERT_FILE", ca)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca)
        yield emu


def _args(emu: DynamicsEmulator, secret: str | None = None) -> list[str]:
    return [
        "--platform", "dynamics", "--environment-url", emu.environment_url,
        "--tenant-id", emu.env.tenant_id, "--client-id", emu.env.app.client_id,
        "--client-secret", secret or str(emu.env.app.client_secret),
        "--authority-host", emu.authority_url, "--graph-url", emu.graph_url,
    ]  # fmt: skip


def _scan(emu: DynamicsEmulator, out: Path, *extra: str, secret: str | None = None) -> Result:
    args = ["scan", *_args(emu, secret), "--format", "console,json", "--out", str(out), *extra]
    return CliRunner().invoke(cli_module.cli, args, catch_exceptions=False)


def _findings(out: Path) -> dict[str, dict[str, set[str]]]:
    document = json.loads((out / "crmscan-results.json").read_text())
    found: dict[str, dict[str, set[str]]] = {}
    for finding in document["findings"]:
        found.setdefault(finding["check_id"], {}).setdefault(finding["status"], set()).add(
            finding["resource"]["name"]
        )
    return found


def test_scan_finds_every_planted_problem(live: DynamicsEmulator, tmp_path: Path) -> None:
    result = _scan(live, tmp_path)
    assert result.exit_code == 1, result.output
    found = _findings(tmp_path)
    assert "erp-connector@fabrikam-outdoors.example" in found["PRIV-009"]["FAIL"]
    assert "dana.lee@fabrikam-outdoors.example" in found["AUTH-002"]["FAIL"]
    assert found["PRIV-001"]["FAIL"] == {"Fabrikam Outdoors"}
    assert found["MON-003"]["FAIL"] == {"Fabrikam Outdoors"}
    # MFA enforcement was read from Conditional Access: a verdict, not a guess.
    assert found["AUTH-001"] == {"PASS": {"Fabrikam Outdoors"}}
    # What Dataverse has no API for is MANUAL, naming where to look.
    assert set(found["ENC-001"]) == {"MANUAL"}
    document = json.loads((tmp_path / "crmscan-results.json").read_text())
    assert document["tenant"]["platform"] == "dynamics"
    # Read only: GETs, and the token requests.
    for request in live.requests:
        assert request.method == "GET" or (
            request.service == "entra" and request.path.endswith("/oauth2/v2.0/token")
        ), request


def test_a_refused_secret_exits_2_naming_it(live: DynamicsEmulator, tmp_path: Path) -> None:
    bad = "Xy7~not-the-secret-0123456789abcdef"
    result = _scan(live, tmp_path, secret=bad)
    assert result.exit_code == 2
    assert "client secret" in result.output and bad not in result.output
    assert not (tmp_path / "crmscan-results.json").exists()
    assert not live.served("dataverse")


def test_an_environment_without_the_app_exits_2(live: DynamicsEmulator, tmp_path: Path) -> None:
    live.env.app.systemuserid = None
    result = _scan(live, tmp_path)
    assert result.exit_code == 2
    assert "application user" in result.output


def test_options_from_the_environment(
    live: DynamicsEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DYNAMICS_ENVIRONMENT_URL", live.environment_url)
    monkeypatch.setenv("DYNAMICS_TENANT_ID", live.env.tenant_id)
    monkeypatch.setenv("DYNAMICS_CLIENT_ID", live.env.app.client_id)
    monkeypatch.setenv("DYNAMICS_CLIENT_SECRET", str(live.env.app.client_secret))
    monkeypatch.setenv("DYNAMICS_AUTHORITY_HOST", live.authority_url)
    monkeypatch.setenv("DYNAMICS_GRAPH_URL", live.graph_url)
    args = ["scan", "--platform", "dynamics", "--format", "json", "--out", str(tmp_path)]
    result = CliRunner().invoke(cli_module.cli, args, catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert "PRIV-009" in _findings(tmp_path)


def test_secrets_stay_out_of_output_logs_reports_and_snapshots(
    live: DynamicsEmulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = str(live.env.app.client_secret)
    # The server echoes the bearer token it was sent in an error (a hostile proxy).
    original = live.dataverse.handle

    def echo(request: Any) -> Any:
        if request.path.endswith("/teams"):
            token = request.bearer or ""
            return (
                400,
                {"Content-Type": "application/json"},
                json.dumps(
                    {"error": {"code": "0x80040216", "message": f"bad token {token}"}}
                ).encode(),
            )
        return original(request)

    live.dataverse.handle = echo  # type: ignore[method-assign]
    caplog.set_level("DEBUG")
    snapshot = tmp_path / "snap.json"
    result = CliRunner().invoke(
        cli_module.cli,
        ["-vv", "scan", *_args(live), "--format", "console,json,csv,md", "--out", str(tmp_path),
         "--save-snapshot", str(snapshot)],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    tokens = list(live.entra.tokens)
    assert tokens
    texts = [result.output, caplog.text] + [p.read_text() for p in tmp_path.rglob("*.*")]
    for text in texts:
        assert secret not in text
        for token in tokens:
            assert token not in text
    assert "[REDACTED]" in snapshot.read_text()  # the echoed token was scrubbed, not kept


def test_shared_option_names_say_what_they_mean_per_platform() -> None:
    result = CliRunner().invoke(cli_module.cli, ["scan", "--help"], catch_exceptions=False)
    text = " ".join(result.output.split())
    assert "dynamics: App registration (client) id" in text
    assert "salesforce: Connected app consumer key" in text
    assert "DYNAMICS_CLIENT_SECRET" in text and "--environment-url" in text
