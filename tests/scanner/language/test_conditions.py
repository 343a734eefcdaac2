"""The check language: every operator, null → unknown → ERROR, Kleene logic, params."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from scanner.errors import InputFileError
from scanner.language.policy import Policy
from tests.helpers import NOW, check_from_yaml, inventory, run, statuses


def _user_check(condition: str) -> Any:
    return check_from_yaml(
        f"""
        id: TEST-001
        title: test check
        severity: high
        resource: users
        assert: {condition}
        message: "{{username}} failed"
        remediation: fix it
        """
    )


def _verdicts(condition: str, users: list[dict[str, Any]], **params: Any) -> dict[str | None, str]:
    spec = _user_check(condition)
    policy = Policy(name="p", parameters=params)
    inv = inventory(users=users)
    return statuses(run(spec, inv, policy), inv.tenant)


@pytest.mark.parametrize(
    ("condition", "value", "expected"),
    [
        ("{field: active, op: eq, value: true}", {"active": True}, "PASS"),
        ("{field: active, op: eq, value: true}", {"active": False}, "FAIL"),
        ("{field: kind, op: ne, value: human}", {"kind": "integration"}, "PASS"),
        ("{field: kind, op: ne, value: human}", {"kind": "human"}, "FAIL"),
        (
            "{field: login.failures, op: gt, value: 3}",
            {"login": {"window_days": 30, "failures": 4}},
            "PASS",
        ),
        (
            "{field: login.failures, op: gt, value: 3}",
            {"login": {"window_days": 30, "failures": 3}},
            "FAIL",
        ),
        (
            "{field: login.failures, op: ge, value: 3}",
            {"login": {"window_days": 30, "failures": 3}},
            "PASS",
        ),
        (
            "{field: login.failures, op: lt, value: 3}",
            {"login": {"window_days": 30, "failures": 3}},
            "FAIL",
        ),
        (
            "{field: login.failures, op: le, value: 3}",
            {"login": {"window_days": 30, "failures": 3}},
            "PASS",
        ),
        ("{field: profile, op: in, value: [A, B]}", {"profile": "B"}, "PASS"),
        ("{field: profile, op: in, value: [A, B]}", {"profile": "C"}, "FAIL"),
        ("{field: profile, op: not_in, value: [A, B]}", {"profile": "C"}, "PASS"),
        ("{field: profile, op: not_in, value: [A, B]}", {"profile": "A"}, "FAIL"),
        (
            "{field: permissions, op: contains, value: api.enabled}",
            {"permissions": ["api.enabled"]},
            "PASS",
        ),
        ("{field: permissions, op: contains, value: api.enabled}", {"permissions": []}, "FAIL"),
        ("{field: username, op: contains, value: svc}", {"username": "svc-x@a.com"}, "PASS"),
        (
            "{field: permissions, op: not_contains, value: mfa.bypass}",
            {"permissions": ["mfa.bypass"]},
            "FAIL",
        ),
        (
            "{field: permissions, op: contains_any, value: [a, b]}",
            {"permissions": ["b", "c"]},
            "PASS",
        ),
        ("{field: permissions, op: contains_any, value: [a, b]}", {"permissions": ["c"]}, "FAIL"),
        ("{field: username, op: contains_any, value: [api, int]}", {"username": "int-1"}, "PASS"),
        (
            "{field: permissions, op: contains_all, value: [a, b]}",
            {"permissions": ["a", "b", "c"]},
            "PASS",
        ),
        ("{field: permissions, op: contains_all, value: [a, b]}", {"permissions": ["a"]}, "FAIL"),
        (
            "{field: permissions, op: contains_all_of_any, value: [[a, b], [c, d]]}",
            {"permissions": ["c", "d"]},
            "PASS",
        ),
        (
            "{field: permissions, op: contains_all_of_any, value: [[a, b], [c, d]]}",
            {"permissions": ["a", "c"]},
            "FAIL",
        ),
        ("{field: permissions, op: intersects, value: [a, z]}", {"permissions": ["z"]}, "PASS"),
        ("{field: permissions, op: intersects, value: [a, z]}", {"permissions": ["y"]}, "FAIL"),
        ("{field: permissions, op: subset_of, value: [a, b]}", {"permissions": ["a"]}, "PASS"),
        ("{field: permissions, op: subset_of, value: [a, b]}", {"permissions": ["a", "x"]}, "FAIL"),
        ("{field: email, op: regex, value: '@acme\\.com$'}", {"email": "x@acme.com"}, "PASS"),
        ("{field: email, op: regex, value: '@acme\\.com$'}", {"email": "x@evil.com"}, "FAIL"),
        ("{field: permissions, op: empty}", {"permissions": []}, "PASS"),
        ("{field: permissions, op: not_empty}", {"permissions": []}, "FAIL"),
        ("{field: permissions, op: length_le, value: 1}", {"permissions": ["a", "b"]}, "FAIL"),
        ("{field: permissions, op: length_ge, value: 2}", {"permissions": ["a", "b"]}, "PASS"),
        ("{field: email, op: exists}", {"email": "x@a.com"}, "PASS"),
        ("{field: email, op: exists}", {"email": None}, "FAIL"),
        ("{field: email, op: absent}", {"email": None}, "PASS"),
        ("{field: email, op: absent}", {"email": "x"}, "FAIL"),
        (
            "{field: last_login_at, op: older_than_days, value: 90}",
            {"last_login_at": (NOW - timedelta(days=91)).isoformat()},
            "PASS",
        ),
        (
            "{field: last_login_at, op: older_than_days, value: 90}",
            {"last_login_at": (NOW - timedelta(days=10)).isoformat()},
            "FAIL",
        ),
        (
            "{field: last_login_at, op: newer_than_days, value: 90}",
            {"last_login_at": (NOW - timedelta(days=10)).isoformat()},
            "PASS",
        ),
        (
            "{field: last_login_at, op: newer_than_days, value: 90}",
            {"last_login_at": (NOW - timedelta(days=91)).isoformat()},
            "FAIL",
        ),
        (
            "{field: grants, op: any_match, match: {field: source_kind, op: eq, value: profile}}",
            {"grants": [{"permission": "a", "source_kind": "profile", "source_name": "P"}]},
            "PASS",
        ),
        (
            "{field: grants, op: all_match, match: {field: source_kind, op: eq, value: profile}}",
            {
                "grants": [
                    {"permission": "a", "source_kind": "profile", "source_name": "P"},
                    {"permission": "b", "source_kind": "permission_set", "source_name": "S"},
                ]
            },
            "FAIL",
        ),
        (
            "{field: grants, op: none_match, match: {field: source_name, op: eq, value: Bad}}",
            {"grants": [{"permission": "a", "source_kind": "profile", "source_name": "Bad"}]},
            "FAIL",
        ),
    ],
)
def test_operator(condition: str, value: dict[str, Any], expected: str) -> None:
    assert _verdicts(condition, [{"id": "u1", **value}]) == {"u1": expected}


NULL_CASES = [
    "{field: active, op: eq, value: true}",
    "{field: active, op: ne, value: true}",
    "{field: login.failures, op: gt, value: 1}",
    "{field: login.failures, op: le, value: 1}",
    "{field: profile, op: in, value: [A]}",
    "{field: profile, op: not_in, value: [A]}",
    "{field: permissions, op: contains, value: a}",
    "{field: permissions, op: not_contains, value: a}",
    "{field: permissions, op: contains_any, value: [a]}",
    "{field: permissions, op: contains_all, value: [a]}",
    "{field: permissions, op: contains_all_of_any, value: [[a]]}",
    "{field: permissions, op: intersects, value: [a]}",
    "{field: permissions, op: subset_of, value: [a]}",
    "{field: email, op: regex, value: x}",
    "{field: permissions, op: empty}",
    "{field: permissions, op: not_empty}",
    "{field: permissions, op: length_le, value: 1}",
    "{field: last_login_at, op: older_than_days, value: 1}",
    "{field: last_login_at, op: newer_than_days, value: 1}",
    "{field: grants, op: any_match, match: {field: source_kind, op: eq, value: profile}}",
    "{field: grants, op: none_match, match: {field: source_kind, op: eq, value: profile}}",
    "{not: {field: active, op: eq, value: true}}",
]


@pytest.mark.parametrize("condition", NULL_CASES)
def test_null_field_is_error_never_pass(condition: str) -> None:
    """Fail safe: a field that was not collected never evaluates as PASS (nor FAIL)."""
    assert _verdicts(condition, [{"id": "u1"}]) == {"u1": "ERROR"}


def test_error_names_the_missing_field() -> None:
    spec = _user_check("{field: mfa.status, op: eq, value: enrolled}")
    inv = inventory(users=[{"id": "u1", "username": "a"}])
    [finding] = run(spec, inv)
    assert finding.status.value == "ERROR"
    assert "mfa.status" in finding.message()


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ({"active": False}, "FAIL"),  # all: one False decides, the null does not matter
        ({"active": True, "sso": True}, "PASS"),
        ({"active": True}, "ERROR"),  # the null decides
    ],
)
def test_all_uses_kleene_logic(user: dict[str, Any], expected: str) -> None:
    condition = "{all: [{field: active, op: eq, value: true}, {field: sso, op: eq, value: true}]}"
    assert _verdicts(condition, [{"id": "u1", **user}]) == {"u1": expected}


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ({"sso": True}, "PASS"),  # any: one True decides even with a null beside it
        ({"sso": False, "mfa": {"status": "not_enrolled"}}, "FAIL"),
        ({"sso": False}, "ERROR"),
    ],
)
def test_any_uses_kleene_logic(user: dict[str, Any], expected: str) -> None:
    condition = (
        "{any: [{field: mfa.status, op: eq, value: enrolled}, {field: sso, op: eq, value: true}]}"
    )
    assert _verdicts(condition, [{"id": "u1", **user}]) == {"u1": expected}


def test_value_from_policy_parameter() -> None:
    condition = "{field: username, op: in, value: {param: lp.allow}}"
    users = [{"id": "u1", "username": "a"}, {"id": "u2", "username": "b"}]
    assert _verdicts(condition, users, lp={"allow": ["a"]}) == {"u1": "PASS", "u2": "FAIL"}


def test_missing_parameter_names_check_file_and_field() -> None:
    spec = _user_check("{field: username, op: in, value: {param: lp.nope}}")
    with pytest.raises(InputFileError) as info:
        run(spec, inventory(users=[]))
    message = str(info.value)
    assert "inline-check.yaml:" in message and "lp.nope" in message and "/assert/value" in message


def test_unknown_field_is_rejected_at_compile_time() -> None:
    spec = _user_check("{field: mfa.statuz, op: eq, value: enrolled}")
    with pytest.raises(InputFileError) as info:
        run(spec, inventory(users=[]))
    assert "unknown field 'mfa.statuz'" in str(info.value)
    assert "/assert/field" in str(info.value)


@pytest.mark.parametrize(
    ("ranges", "expected"),
    [
        ([{"start": "10.0.0.0", "end": "10.0.0.255"}], "PASS"),  # a /24
        ([{"start": "10.0.0.0", "end": "10.0.255.255"}], "PASS"),  # a /16: at the limit
        ([{"start": "10.0.0.0", "end": "10.1.0.0"}], "FAIL"),  # wider than a /16
        ([{"start": "0.0.0.0", "end": "255.255.255.255"}], "FAIL"),
        ([{"start": "2001:db8::", "end": "2001:db8::ff"}], "PASS"),
        ([], "PASS"),
    ],
)
def test_ip_prefix_width(ranges: list[dict[str, str]], expected: str) -> None:
    spec = check_from_yaml(
        """
        id: TEST-IP
        title: ip ranges narrow
        severity: medium
        resource: permission_sets
        assert: {field: login_ip_ranges, op: ip_prefix_ge, value: 16}
        message: "{name} has wide ranges"
        remediation: narrow them
        """
    )
    inv = inventory(
        permission_sets=[
            {"id": "p1", "name": "Admin", "kind": "profile", "login_ip_ranges": ranges}
        ]
    )
    assert statuses(run(spec, inv), inv.tenant) == {"p1": expected}


def test_type_mismatch_is_error_not_crash() -> None:
    condition = "{field: username, op: gt, value: 3}"
    assert _verdicts(condition, [{"id": "u1", "username": "a"}]) == {"u1": "ERROR"}


def test_conditions_compile_once_not_per_resource(monkeypatch: pytest.MonkeyPatch) -> None:
    """Evaluating many resources must not compile (or parse) the condition again."""
    from scanner.language.conditions import ConditionCompiler

    compiled_leaves = {"n": 0}
    original = ConditionCompiler._leaf

    def counting(self: ConditionCompiler, node: Any, path: Any) -> Any:
        compiled_leaves["n"] += 1
        return original(self, node, path)

    monkeypatch.setattr(ConditionCompiler, "_leaf", counting)
    spec = _user_check(
        "{all: [{field: active, op: eq, value: true}, {field: sso, op: eq, value: true}]}"
    )
    inv = inventory(users=[{"id": f"u{i}", "active": True, "sso": True} for i in range(500)])
    findings = run(spec, inv)
    assert len(findings) == 500
    assert compiled_leaves["n"] == 2


def test_path_through_a_list_points_to_any_match() -> None:
    spec = _user_check("{field: grants.permission, op: eq, value: data.modify_all}")
    with pytest.raises(InputFileError) as info:
        run(spec, inventory(users=[]))
    assert "'grants' is a list" in str(info.value) and "any_match" in str(info.value)
