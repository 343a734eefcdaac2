"""Raw evidence from a Fxiaoke scan: the read calls' answers, never the token call's."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from adapters.fxiaoke import FxiaokeAdapter
from scanner.adapter_api import CollectionScope, NullProgress
from tests.adapters.fxiaoke.conftest import NOW, SleepRecorder, settings_for
from tests.adapters.raw_evidence import assert_raw_evidence, captured, lines
from tests.emulators.fxiaoke import ROLE_USERS, FxiaokeEmulator, envelope, sample_enterprise


@pytest.fixture
def live(tmp_path: Path) -> Iterator[FxiaokeEmulator]:
    """Predictable tokens, so the test knows what must not appear."""
    with (
        FxiaokeEmulator(sample_enterprise(NOW), deterministic=True) as server,
        server.trusted(tmp_path / "ca"),
    ):
        yield server


def test_a_scan_keeps_each_collections_answers_without_secrets(live: FxiaokeEmulator) -> None:
    creds = live.enterprise.credentials
    token = "DEMO" + f"{1:028X}"  # the deterministic emulator's first token
    secrets = [creds.app_id, creds.app_secret, creds.permanent_code, token]
    echo = f"bad request from {' '.join(secrets)}"
    # The role holders answer once with an echo, then as usual.
    live.fail(ROLE_USERS, raw=json.dumps(envelope(32000, echo)).encode())
    settings = FxiaokeAdapter.settings_from(settings_for(live), {})
    adapter = FxiaokeAdapter(settings, sleep=SleepRecorder(), clock=lambda: NOW)
    inventory, files = captured(lambda: adapter.collect(CollectionScope(), NullProgress()))
    assert live.tokens_issued == [token]
    collections = ("departments", "users", "permission_sets", "users.permissions")
    # The refused role holders leave no FAIL to follow; the second scan has them.
    assert_raw_evidence(
        inventory, files, collections=collections, secrets=secrets, now=NOW, failing=False
    )
    inventory, clean = captured(lambda: adapter.collect(CollectionScope(), NullProgress()))
    assert_raw_evidence(inventory, clean, collections=collections, secrets=secrets, now=NOW)
    recorded = lines(files)
    assert not any("token" in line["path"] for line in recorded)
    echoed = [line for line in recorded if "[REDACTED]" in json.dumps(line["body"])]
    assert echoed and echoed[0]["collection"] == "users.permissions"


def test_without_capture_nothing_is_kept(make_adapter: Callable[..., FxiaokeAdapter]) -> None:
    assert make_adapter().collect(CollectionScope(), NullProgress()).raw is None
