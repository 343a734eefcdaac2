"""No secret reaches a log, the console, a report, a snapshot or a gap, even when Zoho
echoes a token back in an error."""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import cli
from tests.emulators.zoho import ZohoEmulator, zoho_error
from tests.emulators.zoho.sample import sample_org

_tokens = itertools.count(1)
ISSUED: list[str] = []


def _token() -> str:
    value = f"1000.access{next(_tokens):04d}.c0ffee{len(ISSUED):02d}beef"
    ISSUED.append(value)
    return value


@pytest.fixture
def live(trust, monkeypatch: pytest.MonkeyPatch) -> Iterator[ZohoEmulator]:  # type: ignore[no-untyped-def]
    for name in ("ZOHO_CLIENT_SECRET", "ZOHO_REFRESH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    ISSUED.clear()
    with ZohoEmulator(sample_org(datetime.now(timezone.utc)), token_factory=_token) as server:
        trust(server)
        yield server


def test_secrets_never_leak(
    live: ZohoEmulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    creds = live.credentials
    # Zoho echoing the request back: the refresh token and the access token in errors.
    live.fail("/crm/v8/settings/roles", 400,
              zoho_error("INVALID_DATA", f"bad request from {creds.refresh_token}", echoed="?"))  # fmt: skip
    live.fail("/crm/v8/settings/profiles", 400,
              zoho_error("INVALID_DATA", "token 1000.access0001.c0ffee00beef rejected"))  # fmt: skip
    live.fail("/crm/v8/settings/audit_log_export", 403,
              zoho_error("NO_PERMISSION", f"client_secret={creds.client_secret}"))  # fmt: skip
    snapshot = tmp_path / "snapshot.json"
    out = tmp_path / "out"
    with caplog.at_level(logging.DEBUG):
        result = CliRunner().invoke(
            cli,
            ["-vv", "scan", "--platform", "zoho", "--client-id", creds.client_id,
             "--client-secret", creds.client_secret, "--refresh-token", creds.refresh_token,
             "--accounts-url", live.url, "--format", "console,json,csv,sarif,md",
             "--out", str(out), "--save-snapshot", str(snapshot)],
            catch_exceptions=False,
        )  # fmt: skip
    assert result.exit_code in (1, 3), result.output
    assert ISSUED, "the emulator issued no token"
    secrets = [creds.client_secret, creds.refresh_token, *ISSUED]
    texts = {
        "console": result.output,
        "log": caplog.text,
        "snapshot": snapshot.read_text(),
        **{p.name: p.read_text(encoding="utf-8-sig") for p in out.iterdir()},
    }
    for where, text in texts.items():
        for secret in secrets:
            assert secret not in text, f"{secret[:12]}... leaked into {where}"
    gaps = json.loads(snapshot.read_text())["gaps"]
    roles = next(g for g in gaps if g["collection"] == "roles")
    assert "bad request from" in roles["detail"]  # the error is kept, the secret is not
