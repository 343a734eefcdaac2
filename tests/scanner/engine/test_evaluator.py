"""Engine semantics: statuses, gaps, attestations, counting, exceptions, evidence."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from scanner.language.policy import Attestation, Policy, PolicyException
from scanner.model.inventory import GapReason
from tests.helpers import NOW, check_from_yaml, inventory, run, statuses

MFA_CHECK = check_from_yaml(
    """
    id: TEST-MFA
    title: humans have MFA
    severity: high
    resource: users
    requires: [users.mfa]
    where: {field: kind, op: eq, value: human}
    assert: {field: mfa.status, op: eq, value: enrolled}
    message: "{username} has MFA {mfa.status}"
    remediation: enrol
    """
)

USERS: list[dict[str, Any]] = [
    {"id": "u1", "username": "ok@a", "kind": "human", "mfa": {"status": "enrolled"}},
    {"id": "u2", "username": "bad@a", "kind": "human", "mfa": {"status": "not_enrolled"}},
    {"id": "u3", "username": "unknown@a", "kind": "human"},
    {"id": "u4", "username": "svc@a", "kind": "integration"},
    {"id": "u5", "username": "nokind@a"},
]


def test_statuses_per_resource() -> None:
    inv = inventory(users=USERS)
    assert statuses(run(MFA_CHECK, inv), inv.tenant) == {
        "u1": "PASS",
        "u2": "FAIL",
        "u3": "ERROR",  # mfa not collected for this user
        "u5": "ERROR",  # cannot tell whether the check applies
    }  # u4 is not applicable and yields no per-resource finding


def test_fail_message_and_evidence_carry_observed_values() -> None:
    inv = inventory(users=USERS)
    failed = next(f for f in run(MFA_CHECK, inv) if f.status.value == "FAIL")
    assert failed.message() == "bad@a has MFA not_enrolled"
    assert failed.evidence() == {"kind": "human", "mfa.status": "not_enrolled"}


def test_gap_in_required_collection_makes_error_with_reason() -> None:
    inv = inventory(users=USERS)
    inv.add_gap(
        "users.mfa", GapReason.PERMISSION_MISSING, "TwoFactorMethodsInfo: INSUFFICIENT_ACCESS"
    )
    [finding] = run(MFA_CHECK, inv)
    assert finding.status.value == "ERROR"
    assert "INSUFFICIENT_ACCESS" in finding.message() and "permission_missing" in finding.message()
    assert finding.evidence()["gap"]["collection"] == "users.mfa"


def test_gap_on_parent_collection_covers_child() -> None:
    inv = inventory(users=None)
    inv.add_gap("users", GapReason.RATE_LIMITED, "REQUEST_LIMIT_EXCEEDED")
    [finding] = run(MFA_CHECK, inv)
    assert finding.status.value == "ERROR" and "REQUEST_LIMIT_EXCEEDED" in finding.message()


def test_uncollected_resource_collection_is_error_even_without_gap() -> None:
    [finding] = run(MFA_CHECK, inventory(users=None))
    assert finding.status.value == "ERROR"
    assert "users was not collected" in finding.message()


def test_no_api_gap_is_manual() -> None:
    inv = inventory(users=USERS)
    inv.add_gap("users.mfa", GapReason.NO_API, "verify Settings > Security > 2FA")
    [finding] = run(MFA_CHECK, inv)
    assert finding.status.value == "MANUAL"
    assert "Settings > Security" in finding.message()


def _attested(outcome: str, days_ago: int) -> Policy:
    return Policy(
        name="p",
        attestations=[
            Attestation(
                control="TEST-MFA",
                statement="2FA is required for all users",
                date=NOW.date() - timedelta(days=days_ago),
                attested_by="ciso@a",
                outcome=outcome,
                evidence="https://wiki/2fa",
            )
        ],
    )


def test_attestation_decides_no_api_check() -> None:
    inv = inventory(users=USERS)
    inv.add_gap("users.mfa", GapReason.NO_API, "no API")
    [passed] = run(MFA_CHECK, inv, _attested("pass", 10))
    assert passed.status.value == "PASS" and "ciso@a" in passed.message()
    assert passed.evidence()["attestation"]["evidence"] == "https://wiki/2fa"
    [failed] = run(MFA_CHECK, inv, _attested("fail", 10))
    assert failed.status.value == "FAIL"


def test_attestation_does_not_override_collected_data() -> None:
    inv = inventory(users=USERS)  # no gap: the data decides, not the attestation
    result = statuses(run(MFA_CHECK, inv, _attested("pass", 1)), inv.tenant)
    assert result["u2"] == "FAIL"


MANUAL_CHECK = check_from_yaml(
    """
    id: TEST-GOV
    title: access review attested
    severity: medium
    resource: tenant
    manual: true
    attestation: {max_age_days: 90}
    message: not attested
    remediation: review access
    """
)


def test_manual_check_without_attestation_is_manual() -> None:
    [finding] = run(MANUAL_CHECK, inventory())
    assert finding.status.value == "MANUAL"


def test_manual_check_with_fresh_and_stale_attestation() -> None:
    def policy(days_ago: int) -> Policy:
        return Policy(
            name="p",
            attestations=[
                Attestation(
                    "TEST-GOV", "reviewed", NOW.date() - timedelta(days=days_ago), "a", "pass"
                )
            ],
        )

    [fresh] = run(MANUAL_CHECK, inventory(), policy(30))
    assert fresh.status.value == "PASS"
    [stale] = run(MANUAL_CHECK, inventory(), policy(120))
    assert stale.status.value == "MANUAL" and "older than 90 days" in stale.message()


COUNT_CHECK = check_from_yaml(
    """
    id: TEST-COUNT
    title: admins between 2 and 3
    severity: high
    resource: users
    where:
      all:
        - {field: active, op: eq, value: true}
        - {field: permissions, op: contains, value: users.manage}
    count: {min: 2, max: {param: lp.max}}
    message: "{count} admins (allowed {min} to {max})"
    remediation: adjust
    """
)


def _admins(n: int, extra: list[dict[str, Any]] | None = None) -> Any:
    users = [
        {"id": f"a{i}", "username": f"admin{i}", "active": True, "permissions": ["users.manage"]}
        for i in range(n)
    ]
    return inventory(users=users + (extra or []))


def test_count_within_and_outside_bounds() -> None:
    policy = Policy(name="p", parameters={"lp": {"max": 3}})
    [ok] = run(COUNT_CHECK, _admins(3), policy)
    assert ok.status.value == "PASS" and ok.evidence()["count"] == 3
    [too_many] = run(COUNT_CHECK, _admins(4), policy)
    assert too_many.status.value == "FAIL"
    assert too_many.message() == "4 admins (allowed 2 to 3)"
    [too_few] = run(COUNT_CHECK, _admins(1), policy)
    assert too_few.status.value == "FAIL"


def test_count_an_undecidable_resource_could_tip_is_error() -> None:
    policy = Policy(name="p", parameters={"lp": {"max": 3}})
    unknown = [{"id": "x", "username": "who", "active": True}]  # permissions not collected
    [finding] = run(COUNT_CHECK, _admins(3, unknown), policy)
    assert finding.status.value == "ERROR" and "permissions" in finding.message()


def test_not_applicable_when_nothing_matches() -> None:
    inv = inventory(users=[{"id": "u4", "kind": "integration"}])
    [finding] = run(MFA_CHECK, inv)
    assert finding.status.value == "NOT_APPLICABLE"


def test_exception_keeps_status_and_exempts_from_gate() -> None:
    exception = PolicyException(
        check="TEST-*",
        resources=("bad@*",),
        reason="hardware token on order",
        approved_by="ciso@a",
        expires=date(2027, 1, 31),
    )
    inv = inventory(users=USERS)
    findings = run(MFA_CHECK, inv, Policy(name="p", exceptions=[exception]))
    failed = next(f for f in findings if f.status.value == "FAIL")
    assert failed.exception is exception and failed.gate_exempt(NOW.date())
    ok = next(f for f in findings if f.status.value == "PASS")
    assert ok.exception is None


def test_expired_exception_still_attached_but_no_longer_exempts() -> None:
    exception = PolicyException(
        check="TEST-MFA", resources=("u2",), reason="old", approved_by="x", expires=date(2026, 1, 1)
    )
    inv = inventory(users=USERS)
    findings = run(MFA_CHECK, inv, Policy(name="p", exceptions=[exception]))
    failed = next(f for f in findings if f.status.value == "FAIL")
    assert failed.exception is exception
    assert not failed.gate_exempt(NOW.date())
    assert exception.as_dict(NOW.date())["expired"] is True
