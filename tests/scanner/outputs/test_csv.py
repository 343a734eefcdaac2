"""CSV: one row per finding, UTF-8 with BOM, no formula injection."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from scanner.outputs import write_report
from scanner.outputs.csv_format import COLUMNS, neutralize
from scanner.results.reader import read
from tests.scanner.outputs.conftest import FORMULA_NAME


def _read(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark for spreadsheets"
    text = raw.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_one_row_per_finding(document: dict[str, Any], tmp_path: Path) -> None:
    rows = _read(write_report(document, "csv", tmp_path))
    assert len(rows) == document["summary"]["findings"] == read(document).finding_count()
    assert list(rows[0]) == list(COLUMNS)
    assert [r["check_id"] for r in rows] == [f["check_id"] for f in read(document).every_finding()]
    assert {r["scan_id"] for r in rows} == {document["scan_id"]}


def test_remediation_with_newlines_stays_in_one_cell(
    document: dict[str, Any], tmp_path: Path
) -> None:
    rows = _read(write_report(document, "csv", tmp_path))
    multi_line = [r for r in rows if "\n" in r["remediation"]]
    assert multi_line, "shipped remediation texts span several lines"
    assert multi_line[0]["remediation"] == list(read(document).every_finding())[
        rows.index(multi_line[0])
    ]["remediation"].replace("\r", "")


def test_exceptions_and_frameworks_are_columns(document: dict[str, Any], tmp_path: Path) -> None:
    rows = _read(write_report(document, "csv", tmp_path))
    active = [r for r in rows if r["exception"] == "active"]
    expired = [r for r in rows if r["exception"] == "expired"]
    assert active and active[0]["exception_ticket"] == "SEC-42"
    assert active[0]["exception_approved_by"] == "ciso@example.com"
    assert expired and expired[0]["check_id"] == "PRIV-009"
    auth = next(r for r in rows if r["check_id"] == "AUTH-002")
    assert auth["frameworks"] == "SOC 2 CC6.1; ISO/IEC 27001:2022 A.8.5"


def test_crm_data_cannot_inject_formulas(document: dict[str, Any], tmp_path: Path) -> None:
    rows = _read(write_report(document, "csv", tmp_path))
    hostile = [r for r in rows if FORMULA_NAME in r["resource_name"]]
    assert hostile, "the synthetic org has a user whose name is a formula"
    for row in hostile:
        assert row["resource_name"] == "'" + FORMULA_NAME
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (column, cell)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (None, ""),
    ],
)
def test_neutralize(value: str | None, expected: str) -> None:
    assert neutralize(value) == expected
