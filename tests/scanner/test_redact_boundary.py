"""Redaction where data enters (inventories, snapshots) and one pass over report bytes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import scanner.model.snapshot as snapshot
import scanner.redact as redaction
import scanner.sanitize as sanitize
from benchmarks.synthetic_org import make_inventory
from scanner.language.policy import load_policy
from scanner.model.inventory import Gap, GapReason
from scanner.model.snapshot import load_snapshot, save_snapshot
from scanner.pipeline import ScanRequest, run_scan
from scanner.redact import REDACTED, RedactingStream, redact_inventory, register_secret

SECRET = "echoed-Secret-9c1e5b7f3a"
SESSION = "00D000000000001!AQ0AQH7x9mK2pLqRsTuVwXyZ012345678abcdefGHIJ"


def test_an_echoed_secret_is_redacted_where_the_inventory_enters() -> None:
    register_secret(SECRET)
    inventory = make_inventory(users=3)
    inventory.users[1].name = f"server said {SECRET}"
    inventory.gaps.append(
        Gap(collection="users", reason=GapReason.API_ERROR, detail=f"sid={SESSION} refused")
    )
    cleaned = redact_inventory(inventory)
    text = cleaned.model_dump_json()
    assert SECRET not in text and "AQ0AQH7x9mK2pLqRsTuVwXyZ" not in text
    assert cleaned.users[1].name == f"server said {REDACTED}"
    assert cleaned.users[0] == inventory.users[0]


def test_a_clean_inventory_is_returned_as_it_is() -> None:
    inventory = make_inventory(users=3)
    assert redact_inventory(inventory) is inventory


def test_a_loaded_snapshot_is_redacted(tmp_path: Path) -> None:
    path = save_snapshot(make_inventory(users=2), tmp_path / "s.json")
    data = json.loads(path.read_text("utf-8"))
    data["users"][0]["name"] = f"Bearer abcdefghijklmnop {SESSION}"
    path.write_text(json.dumps(data), "utf-8")
    loaded = load_snapshot(path)
    assert loaded.users[0].name == f"Bearer {REDACTED} {REDACTED}"


@pytest.mark.parametrize("split", [1, 7, 20])
def test_a_secret_split_between_writes_is_still_found(
    split: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    register_secret(SECRET)
    monkeypatch.setattr(redaction, "CHUNK", 64)
    monkeypatch.setattr(redaction, "OVERLAP", 48)
    target = io.BytesIO()
    stream = RedactingStream(target)
    text = ("x" * 61 + SECRET + " tail ") * 5
    data = text.encode()
    stream.write(data[: 61 + split])
    for start in range(61 + split, len(data), 13):
        stream.write(data[start : start + 13])
    stream.close()
    written = target.getvalue().decode()
    assert SECRET not in written and written.count(REDACTED) == 5
    assert written.replace(REDACTED, SECRET) == text


def test_the_pipeline_redacts_report_bytes_not_each_string(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A secret that reached the inventory after the boundary is still caught by the final
    pass; the pipeline does not call `redact` once per string."""
    register_secret(SECRET)
    inventory = make_inventory(users=400)
    inventory.users[3].username = f"svc {SECRET}"
    calls = 0
    real = redaction.redact

    def counting(text: str) -> str:
        nonlocal calls
        calls += 1
        return real(text)

    for module in (redaction, sanitize, snapshot):
        monkeypatch.setattr(module, "redact", counting)
    request = ScanRequest(formats=("json", "csv", "sarif", "junit", "ocsf", "md"), out_dir=tmp_path)
    outcome = run_scan(inventory, load_policy(), request)
    assert calls < 50, calls
    for path in outcome.written:
        text = path.read_text("utf-8")
        assert SECRET not in text, path.name
        assert REDACTED in text or path.suffix in (".md", ".sarif"), path.name


def test_importing_crmscan_registers_no_secret() -> None:
    """A registered secret makes every report pass through the final byte redaction and
    every snapshot load serialize the inventory again: importing crmscan (every adapter,
    the workers, the fleet) must register none; the demo's made-up credentials are
    registered only when the demo runs."""
    code = (
        "import scanner.redact as r, scanner.cli, scanner.workers.tasks, scanner.fleet.runner\n"
        "assert not r.secrets_registered(), 'registered on import'\n"
        "from adapters.zoho.adapter import ZohoAdapter\n"
        "ZohoAdapter.demo()\n"
        "assert r.secrets_registered(), 'the demo registers its credentials'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
