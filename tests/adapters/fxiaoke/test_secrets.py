"""No Fxiaoke secret appears anywhere: output, logs, reports, snapshot, evidence, gaps.

The app id, app secret and permanent code, every corpAccessToken issued, and the corpId
that travels with the token are all redacted, including when the server echoes them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import cli
from tests.adapters.fxiaoke.test_cli_e2e import ENV, credentials
from tests.emulators.fxiaoke import (
    ROLE_USERS,
    USER_LIST,
    FxiaokeEmulator,
    envelope,
    sample_enterprise,
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[FxiaokeEmulator]:
    """Predictable tokens, so the test knows what must not appear."""
    enterprise = sample_enterprise(datetime.now(timezone.utc))
    with (
        FxiaokeEmulator(enterprise, deterministic=True) as server,
        server.trusted(tmp_path / "ca"),
    ):
        yield server


def test_secrets_appear_nowhere(
    live: FxiaokeEmulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    creds = live.enterprise.credentials
    token = "DEMO" + f"{1:028X}"  # the deterministic emulator's first token
    corp_id = live.enterprise.corp_id
    secrets = [creds.app_id, creds.app_secret, creds.permanent_code, token, corp_id]
    # The server echoes every secret back in an error message.
    echo = f"bad request from {creds.app_id} {creds.app_secret} {creds.permanent_code} {token} {corp_id}"
    live.fail(ROLE_USERS, raw=json.dumps(envelope(32000, echo)).encode())
    caplog.set_level("DEBUG")
    out = tmp_path / "out"
    args = ["-vv", "scan", "--platform", "fxiaoke", "--base-url", live.url, *credentials(live)]
    args += ["--format", "console,json,csv,sarif,md,html", "--out", str(out)]
    args += [
        "--save-snapshot",
        str(tmp_path / "snap.json"),
        "--evidence",
        str(tmp_path / "evidence"),
    ]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 3, result.output  # role holders not collected: incomplete
    assert live.tokens_issued == [token]
    assert live.calls(USER_LIST)[0].body["corpAccessToken"] == token  # it was really sent
    for secret in secrets:
        assert secret not in result.output, secret
        assert secret not in caplog.text, secret
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".pem"]
    assert len(files) > 6
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for secret in secrets:
            assert secret not in text, (path, secret)
    snapshot = json.loads((tmp_path / "snap.json").read_text())
    gap = next(g for g in snapshot["gaps"] if g["collection"] == "users.permissions")
    assert "[REDACTED]" in gap["detail"]
