"""``crmscan scan --config targets.yaml``: several orgs, secrets from the environment."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import cli
from scanner.errors import InputFileError
from scanner.fleet.targets import load_targets
from tests.emulators.hubspot import TOKEN, HubSpotEmulator, sample_account


@pytest.fixture
def live(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[HubSpotEmulator]:
    server = HubSpotEmulator(sample_account(datetime.now(timezone.utc))).start()
    try:
        with server.trusted(str(tmp_path_factory.mktemp("ca")), monkeypatch):  # HTTPS only
            yield server
    finally:
        server.stop()


def _targets(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "targets.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_scans_every_target_into_its_own_folder(
    live: HubSpotEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACME_HS_TOKEN", TOKEN)
    config = _targets(
        tmp_path,
        f"""
targets:
  - name: acme-marketing
    platform: hubspot
    options: {{base_url: "{live.url}"}}
    env: {{access_token: ACME_HS_TOKEN}}
  - name: acme-marketing-strict
    platform: hubspot
    policy: strict
    options: {{base_url: "{live.url}"}}
    env: {{access_token: ACME_HS_TOKEN}}
  - name: broken
    platform: hubspot
    options: {{base_url: "{live.url}"}}
    env: {{access_token: UNSET_TOKEN_VARIABLE}}
""",
    )
    out = tmp_path / "reports"
    result = CliRunner().invoke(
        cli, ["scan", "--config", str(config), "--format", "json", "--out", str(out)]
    )
    assert result.exit_code == 1, result.output  # the sample account fails the gate
    for name, policy in (("acme-marketing", "baseline"), ("acme-marketing-strict", "strict")):
        document = json.loads((out / name / "crmscan-results.json").read_text())
        assert document["tenant"]["platform"] == "hubspot"
        assert document["policy"]["name"] == policy
    assert not (out / "broken").exists()
    assert (
        "broken: error: target broken: environment variable UNSET_TOKEN_VARIABLE" in result.output
    )
    assert TOKEN not in result.output


def test_all_targets_failing_is_exit_2(tmp_path: Path) -> None:
    config = _targets(
        tmp_path,
        "targets:\n  - name: a\n    platform: hubspot\n    env: {access_token: NOPE_TOKEN_VAR}\n",
    )
    result = CliRunner().invoke(cli, ["scan", "--config", str(config)])
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("body", "line", "needle"),
    [
        ("targets:\n  - name: a\n    platform: zoho2\n", 3, "unknown platform"),
        (
            "targets:\n  - name: a\n    platform: hubspot\n    options: {access_token: pat-xyz}\n",
            4,
            "is a secret",
        ),
        (
            "targets:\n  - name: a\n    platform: hubspot\n    options: {colour: red}\n",
            4,
            "not a hubspot option",
        ),
        ("targets:\n  - name: a b\n    platform: hubspot\n", 2, "name"),
        ("targets:\n  - name: a\n    platform: hubspot\n    timeout: 0\n", 4, "timeout"),
        (
            "targets:\n  - {name: a, platform: hubspot}\n  - {name: a, platform: hubspot}\n",
            3,
            "used twice",
        ),
    ],
)
def test_bad_targets_file(tmp_path: Path, body: str, line: int, needle: str) -> None:
    path = _targets(tmp_path, body)
    with pytest.raises(InputFileError) as info:
        load_targets(path)
    assert str(info.value).startswith(f"{path}:{line}") and needle in str(info.value)
    result = CliRunner().invoke(cli, ["scan", "--config", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
