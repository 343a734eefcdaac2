"""Attestations and approvals dated in the future are refused; extends chains are bounded."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from scanner.errors import InputFileError
from scanner.language.policy import MAX_EXTENDS, latest_today, load_policy

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def _pack(tmp_path: Path, body: str) -> str:
    path = tmp_path / "pack.yaml"
    path.write_text("name: pack\nextends: baseline\n" + body, encoding="utf-8")
    return str(path)


def test_latest_today_is_the_date_in_the_first_time_zone() -> None:
    assert latest_today(datetime(2026, 11, 23, 9, 59, tzinfo=timezone.utc)) == date(2026, 11, 23)
    assert latest_today(datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)) == date(2026, 11, 24)


def test_future_attestation_is_refused_at_its_line(tmp_path: Path) -> None:
    body = "attestations:\n  - {control: GOV-001, statement: done it, date: 2026-11-25, attested_by: a, outcome: pass}\n"
    with pytest.raises(InputFileError) as caught:
        load_policy(_pack(tmp_path, body), NOW)
    assert caught.value.location.line == 4
    assert caught.value.location.pointer == "/attestations/0/date"


def test_todays_attestation_is_accepted(tmp_path: Path) -> None:
    body = "attestations:\n  - {control: GOV-001, statement: done it, date: 2026-11-24, attested_by: a, outcome: pass}\n"
    assert load_policy(_pack(tmp_path, body), NOW).attestations[0].date == date(2026, 11, 24)


def test_future_approval_is_refused(tmp_path: Path) -> None:
    body = (
        "exceptions:\n  - {check: PRIV-002, resources: ['*'], reason: because, approved_by: a,"
        " approved_on: 2027-01-01, expires: 2027-06-01}\n"
    )
    with pytest.raises(InputFileError, match="in the future"):
        load_policy(_pack(tmp_path, body), NOW)


def test_extends_chain_is_bounded(tmp_path: Path) -> None:
    for i in range(MAX_EXTENDS + 2):
        parent = f"extends: p{i + 1}.yaml\n" if i <= MAX_EXTENDS else ""
        (tmp_path / f"p{i}.yaml").write_text(f"name: p{i}\n{parent}", encoding="utf-8")
    with pytest.raises(InputFileError, match="extends chain longer"):
        load_policy(str(tmp_path / "p0.yaml"), NOW)
