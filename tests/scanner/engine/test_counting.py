"""Three-valued counting: k known to match, u undecided, bounds min..max."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.language.policy import Policy
from scanner.model.capabilities import no_api
from tests.helpers import check_from_yaml, inventory, run

COUNT = check_from_yaml(
    """
    id: TEST-COUNT
    title: admins between min and max
    severity: high
    resource: users
    where: {field: permissions, op: contains, value: users.manage}
    count: {min: {param: lp.min}, max: {param: lp.max}}
    message: "{count} admins (allowed {min} to {max})"
    remediation: adjust
    """
)


def _users(known: int, undecided: int, others: int = 0) -> list[dict[str, Any]]:
    admins = [{"id": f"a{i}", "permissions": ["users.manage"]} for i in range(known)]
    unknown = [{"id": f"u{i}"} for i in range(undecided)]  # permissions not collected
    plain = [{"id": f"p{i}", "permissions": ["api.enabled"]} for i in range(others)]
    return admins + unknown + plain


def _status(known: int, undecided: int, low: int, high: int, **inv: Any) -> str:
    policy = Policy(name="p", parameters={"lp": {"min": low, "max": high}})
    [finding] = run(COUNT, inventory(users=_users(known, undecided), **inv), policy)
    return finding.status.value


@pytest.mark.parametrize(
    ("known", "undecided", "expected"),
    [
        (3, 0, "PASS"),  # plain count inside 2..5
        (2, 3, "PASS"),  # min <= k and k + u <= max: whatever the undecided hold
        (6, 0, "FAIL"),  # k > max
        (6, 10, "FAIL"),  # k > max, undecided cannot lower it
        (0, 1, "FAIL"),  # k + u < min: even if every undecided user matched
        (5, 1, "ERROR"),  # k <= max < k + u
        (1, 2, "ERROR"),  # k < min <= k + u
        (1, 0, "FAIL"),
        (5, 0, "PASS"),  # the bounds are inclusive
        (2, 0, "PASS"),
    ],
)
def test_bounds(known: int, undecided: int, expected: str) -> None:
    assert _status(known, undecided, 2, 5) == expected


def test_exact_bounds_with_undecided() -> None:
    assert _status(2, 3, 2, 5) == "PASS"  # k + u == max
    assert _status(1, 1, 2, 5) == "ERROR"  # k + u == min: could be exactly min
    assert _status(0, 1, 2, 5) == "FAIL"  # k + u == min - 1


def test_fail_message_says_the_count_is_a_bound() -> None:
    policy = Policy(name="p", parameters={"lp": {"min": 2, "max": 5}})
    [over] = run(COUNT, inventory(users=_users(6, 4)), policy)
    assert over.message().startswith("6 admins (allowed 2 to 5)")
    assert "at least 6" in over.message() and "4 users could not be decided" in over.message()
    [under] = run(COUNT, inventory(users=_users(0, 1)), policy)
    assert "at most 1" in under.message()
    assert under.evidence()["undecided"] == ["u0"] and under.evidence()["count"] == 0


def test_open_count_is_manual_when_only_the_platform_leaves_it_open() -> None:
    declared = [no_api("users.permissions", "review the roles", known_for="super admins")]
    caps = {"capabilities": declared}
    assert _status(5, 1, 2, 5, **caps) == "MANUAL"
    assert _status(6, 1, 2, 5, **caps) == "FAIL"
    assert _status(2, 3, 2, 5, **caps) == "PASS"


def test_open_count_with_a_real_gap_in_a_value_stays_error() -> None:
    declared = [no_api("users.permissions", "review the roles", known_for="super admins")]
    policy = Policy(name="p", parameters={"lp": {"min": 2, "max": 5}})
    users = _users(5, 1) + [{"id": "x"}]
    check = check_from_yaml(
        """
        id: TEST-COUNT2
        title: active admins
        severity: high
        resource: users
        where:
          all:
            - {field: active, op: eq, value: true}
            - {field: permissions, op: contains, value: users.manage}
        count: {min: 2, max: 5}
        message: "{count} admins"
        remediation: adjust
        """
    )
    for user in users[:6]:
        user["active"] = True
    [finding] = run(check, inventory(users=users, capabilities=declared), policy)
    assert finding.status.value == "ERROR"  # x's 'active' is a value HubSpot does provide
    assert "active" in finding.message()
