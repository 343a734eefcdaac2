"""--as-of: one clock for every time-dependent verdict, recorded in the result.

The same snapshot evaluated on two different real days with the same --as-of gives the
same verdicts (stale users, key ages, exception expiry, attestation age); without it the
verdicts follow the real day.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import time_machine
from click.testing import CliRunner

from benchmarks.synthetic_org import make_inventory
from scanner.cli import cli
from scanner.model.snapshot import save_snapshot
from scanner.results.reader import read

AS_OF = "2026-11-23T12:00:00Z"
DAY_ONE = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
DAY_TWO = datetime(2027, 9, 14, 9, 0, tzinfo=timezone.utc)  # 295 days later
POLICY = """\
name: as-of
extends: baseline
exceptions:
  - check: AUTH-002
    resources: ["*"]
    reason: MFA rollout in progress
    approved_by: ciso@example.com
    expires: 2027-01-31
attestations:
  - control: GOV-003
    statement: access review done
    date: '2026-11-02'
    attested_by: ciso@example.com
    outcome: pass
"""


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("as-of")
    (folder / "policy.yaml").write_text(POLICY, "utf-8")
    return save_snapshot(make_inventory(users=60), folder / "snapshot.json")


def _scan(snapshot: Path, day: datetime, out: Path, *as_of: str) -> dict[str, Any]:
    policy = snapshot.parent / "policy.yaml"
    with time_machine.travel(day, tick=False):
        result = CliRunner().invoke(
            cli,
            ["scan", "--snapshot", str(snapshot), "--policy", str(policy), "--format", "json"]
            + ["--out", str(out), *as_of],
        )
    assert result.exit_code in (0, 1, 3), result.output
    loaded: dict[str, Any] = json.loads((out / "crmscan-results.json").read_text("utf-8"))
    return loaded


def _verdicts(document: dict[str, Any]) -> list[tuple[Any, ...]]:
    return sorted(
        (
            f["check_id"],
            str(f["resource"]["id"]),
            f["status"],
            json.dumps(f["exception"], sort_keys=True),
            f["message"],
        )
        for f in read(document).every_finding()
    )


def test_same_as_of_on_two_days_gives_the_same_verdicts(snapshot: Path, tmp_path: Path) -> None:
    first = _scan(snapshot, DAY_ONE, tmp_path / "one", "--as-of", AS_OF)
    second = _scan(snapshot, DAY_TWO, tmp_path / "two", "--as-of", AS_OF)
    assert _verdicts(first) == _verdicts(second)
    assert first["summary"] == second["summary"]
    assert first["as_of"] == second["as_of"] == "2026-11-23T12:00:00+00:00"
    assert first["started_at"].startswith("2026-12-01") and second["started_at"].startswith(
        "2027-09-14"
    )
    excepted = [f for f in read(first).attention() if f["exception"]]
    assert excepted and not any(f["exception"]["expired"] for f in excepted)


def test_without_as_of_the_verdicts_follow_the_real_day(snapshot: Path, tmp_path: Path) -> None:
    first = _scan(snapshot, DAY_ONE, tmp_path / "one")
    second = _scan(snapshot, DAY_TWO, tmp_path / "two")
    assert first["as_of"].startswith("2026-12-01") and second["as_of"].startswith("2027-09-14")
    before, after = _counts(first), _counts(second)
    # 295 days on: every user is stale, the exception has expired, the key is older.
    assert after["PRIV-006", "FAIL"] > before["PRIV-006", "FAIL"]
    expired = [f for f in read(second).attention() if f["exception"]]
    assert expired and all(f["exception"]["expired"] for f in expired)


def test_an_attestation_made_after_the_clock_does_not_count(snapshot: Path, tmp_path: Path) -> None:
    later = _scan(snapshot, DAY_ONE, tmp_path / "later", "--check", "GOV-003")
    earlier = _scan(
        snapshot, DAY_ONE, tmp_path / "earlier", "--check", "GOV-003", "--as-of", "2026-10-01"
    )
    [attested] = list(read(later).every_finding())
    [manual] = list(read(earlier).every_finding())
    assert attested["status"] == "PASS" and attested["attestation"] is not None
    assert manual["status"] == "MANUAL" and manual["attestation"] is None
    assert earlier["as_of"] == "2026-10-01T00:00:00+00:00"


def test_a_bad_as_of_is_a_usage_error(snapshot: Path) -> None:
    result = CliRunner().invoke(
        cli, ["scan", "--snapshot", str(snapshot), "--as-of", "next tuesday"]
    )
    assert result.exit_code == 2
    assert "ISO 8601" in result.output


def _counts(document: dict[str, Any]) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for finding in read(document).every_finding():
        key = (finding["check_id"], finding["status"])
        counts[key] = counts.get(key, 0) + 1
    return counts
