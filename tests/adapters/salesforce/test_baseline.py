"""Judging the Health Check against a custom baseline file."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.salesforce.baseline import Baseline
from scanner.errors import InputFileError
from tests.adapters.salesforce.conftest import SCOPE, Progress, make_adapter
from tests.emulators.salesforce import SalesforceEmulator

BASELINE = """<?xml version="1.0" encoding="UTF-8"?>
<baseline label="Acme Custom Baseline" name="AcmeCustomBaseline">
  <highRisk>
    <setting name="PasswordPolicies.minPasswordLength" compliant="12" warning="8"
             critical="5"/>
  </highRisk>
  <mediumRisk>
    <setting name="SessionSettings.sessionTimeout" compliant="12 hours"/>
    <setting name="SessionSettings.lockSessionsToIp" compliant="Disabled"/>
  </mediumRisk>
</baseline>
"""


def test_baseline_values_replace_the_standard(emulator: SalesforceEmulator, tmp_path: Path) -> None:
    path = tmp_path / "baseline.xml"
    path.write_text(BASELINE, encoding="utf-8")
    adapter = make_adapter(
        emulator,
        instance_url=emulator.url,
        access_token=emulator.credentials.access_token,
        health_check_baseline=str(path),
    )
    health = adapter.collect(SCOPE, Progress()).health_check
    assert health is not None and health.baseline == "Acme Custom Baseline"
    risks = {r.setting: r for r in health.risks or []}
    assert risks["Timeout value"].risk_type == "MEETS_STANDARD"
    assert risks["Timeout value"].standard_value == "12 hours"
    assert risks["Minimum password length"].risk_type == "HIGH_RISK"  # 10 < 12
    assert risks["Minimum password length"].standard_value == "12"
    assert risks["Maximum invalid login attempts"].risk_type == "MEETS_STANDARD"  # not in file


def test_lower_is_better_numbers(tmp_path: Path) -> None:
    path = tmp_path / "b.xml"
    path.write_text(
        '<baseline><lowRisk><setting name="PasswordPolicies.maxLoginAttempts" compliant="3" '
        'warning="5"/></lowRisk></baseline>',
        encoding="utf-8",
    )
    baseline = Baseline.load(str(path))
    assert baseline.judge("PasswordPoliciesMaxLoginAttempts", "x", "3") == ("3", "MEETS_STANDARD")
    assert baseline.judge("PasswordPoliciesMaxLoginAttempts", "x", "10") == ("3", "LOW_RISK")
    assert baseline.judge("SomethingElse", "y", "1") is None


@pytest.mark.parametrize("text", ["<baseline><oops", "<baseline/>"])
def test_bad_baseline_file_is_an_input_error(
    emulator: SalesforceEmulator, tmp_path: Path, text: str
) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(text, encoding="utf-8")
    adapter = make_adapter(
        emulator,
        instance_url=emulator.url,
        access_token=emulator.credentials.access_token,
        health_check_baseline=str(path),
    )
    with pytest.raises(InputFileError, match="bad.xml"):
        adapter.collect(SCOPE, Progress())
    assert emulator.log == []
