"""No FAIL message of any shipped check says that a value was not collected."""

from __future__ import annotations

import pytest

from scanner.engine.scan import evaluate
from scanner.language.check_spec import load_checks
from tests.checks.test_catalogue import CASES, NOW, Case

SPECS = load_checks()


@pytest.mark.parametrize("case", CASES, ids=str)
def test_fail_messages_name_only_what_was_observed(case: Case) -> None:
    result = evaluate(case.inventory(), case.policy(), [SPECS[case.check_id]], now=NOW)
    for finding in result.findings:
        if finding.status.value == "FAIL":
            message = finding.message()
            assert "not collected" not in message and "None" not in message, message
