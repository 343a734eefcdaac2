"""The regex operator runs on RE2: linear time on any CRM text; what RE2 cannot run is a
located error when the check compiles."""

from __future__ import annotations

import time

import pytest

from scanner.errors import InputFileError
from scanner.model.inventory import User
from tests.helpers import check_from_yaml, inventory, run, statuses

CHECK = """
id: TEST-RE2
title: Emails are corporate
severity: low
resource: users
message: "{{username}} has a private email"
remediation: Use the corporate address.
assert: {{field: email, op: regex, value: '{pattern}'}}
"""


def _users(*emails: str) -> list[dict[str, object]]:
    return [User(id=f"u{i}", username=f"u{i}", email=e).model_dump() for i, e in enumerate(emails)]


def test_regex_semantics_are_a_search() -> None:
    spec = check_from_yaml(CHECK.format(pattern=r"@acme\.example$"))
    result = run(spec, inventory(users=_users("a@acme.example", "b@gmail.com")))
    assert statuses(result) == {"u0": "PASS", "u1": "FAIL"}


def test_catastrophic_pattern_is_linear() -> None:
    spec = check_from_yaml(CHECK.format(pattern="^(a+)+$"))
    started = time.monotonic()
    result = run(spec, inventory(users=_users("a" * 100_000 + "!")))
    assert time.monotonic() - started < 2.0
    assert statuses(result) == {"u0": "FAIL"}


@pytest.mark.parametrize("pattern", [r"(a)\1", "(?=a)", "(?<!a)b", "(abc"])
def test_patterns_re2_cannot_run_are_located(pattern: str) -> None:
    spec = check_from_yaml(CHECK.format(pattern=pattern))
    with pytest.raises(InputFileError) as caught:
        run(spec, inventory(users=_users("a@acme.example")))
    assert caught.value.location.pointer == "/assert/value"
    assert caught.value.location.line == 8
