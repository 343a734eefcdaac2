"""docs/auditor-report.md stays true to the code: CSV columns, status rules, max age."""

from __future__ import annotations

from pathlib import Path

from scanner.reports.csv_report import COLUMNS
from scanner.reports.framework_report import (
    REQUIREMENT_ATTESTATION_MAX_AGE_DAYS,
    STATUSES,
    requirement_control,
)

DOC = (Path(__file__).parents[3] / "docs" / "auditor-report.md").read_text("utf-8")


def test_csv_columns_are_documented_in_order() -> None:
    flat = " ".join(DOC.split())
    assert "Columns: `" + ", ".join(COLUMNS) + "`" in flat


def test_statuses_and_attestation_rules_are_documented() -> None:
    for status in (*STATUSES, "NOT_RUN"):
        assert f"| {status} |" in DOC, status
    assert f"at most **{REQUIREMENT_ATTESTATION_MAX_AGE_DAYS} days** old" in " ".join(DOC.split())
    assert f'control: "{requirement_control("soc2", "CC6.4")}"' in DOC
