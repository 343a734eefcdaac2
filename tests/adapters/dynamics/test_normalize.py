"""Normalization: kinds, access modes, auditing, MFA, sign-ins, MFA enforcement."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from adapters.dynamics import normalize
from adapters.dynamics.records import (
    ConditionalAccessPolicy,
    Organization,
    Registration,
    SignIn,
    SystemUser,
)
from scanner.model.inventory import User

BASE = SystemUser(
    id="u1", full_name="A", domain_name="a@x.example", email=None, disabled=False,
    access_mode=0, application_id=None, entra_object_id="o1", business_unit_id=None,
    licensed=True, license_type=6, integration_user=False, created_on=None,
    role_ids=(), team_ids=(), profile_ids=(),
)  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "kind", "mode"),
    [
        ({}, "human", "read_write"),
        ({"access_mode": 1}, "human", "administrative"),
        ({"access_mode": 3}, "system", "support"),
        ({"access_mode": 4}, "integration", "non_interactive"),
        ({"access_mode": 4, "application_id": "app"}, "integration", "application"),
        ({"access_mode": 5}, "human", "delegated_admin"),
        ({"integration_user": True}, "integration", "read_write"),
        ({"access_mode": None}, "human", None),
    ],
)
def test_kinds_and_access_modes(changes: dict[str, object], kind: str, mode: str | None) -> None:
    user = replace(BASE, **changes)  # type: ignore[arg-type]
    assert normalize.user_kind(user) == kind and normalize.access_mode(user) == mode


def org(**values: object) -> Organization:
    base = dict(id="o", name="n", audit_enabled=True, user_access_audit_enabled=True,
                audit_retention_days=90, user_access_audit_interval_hours=4)  # fmt: skip
    base.update(values)
    return Organization(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("values", "logins", "audit"),
    [
        ({}, 90, 90),
        ({"audit_enabled": False}, 0, 0),
        ({"user_access_audit_enabled": False}, 0, 90),
        ({"audit_retention_days": -1}, normalize.FOREVER_DAYS, normalize.FOREVER_DAYS),
        ({"audit_enabled": None}, None, None),
        ({"audit_enabled": None, "user_access_audit_enabled": None}, None, None),
        ({"audit_retention_days": None}, None, None),
    ],
)
def test_monitoring(values: dict[str, object], logins: int | None, audit: int | None) -> None:
    found = normalize.monitoring(org(**values))
    assert (found.login_history_days, found.audit_log_days) == (logins, audit)


def test_mfa_of_humans_only_and_unknown_stays_unknown() -> None:
    people = [
        User(id="u1", kind="human"),
        User(id="u2", kind="human"),
        User(id="u3", kind="integration"),
    ]  # noqa: E501
    system = {
        "u1": BASE,
        "u2": replace(BASE, id="u2", entra_object_id="o2"),
        "u3": replace(BASE, id="u3", entra_object_id="o3", application_id="a"),
    }
    registrations = [
        Registration("o1", None, False, False, (), False),
        Registration("o3", None, True, True, ("fido2",), False),
    ]
    assert normalize.apply_mfa(people, system, registrations) == 1
    assert people[0].mfa is not None and people[0].mfa.status == "not_enrolled"
    assert people[0].sso is False
    assert people[1].mfa is None  # no registration record: not collected
    assert people[2].mfa is None  # an application user has no Entra user object


def test_phishing_resistant_methods() -> None:
    people = [User(id="u1", kind="human")]
    regs = [Registration("o1", None, True, True, ("windowsHelloForBusiness", "sms"), True)]
    normalize.apply_mfa(people, {"u1": BASE}, regs)
    assert people[0].mfa is not None and people[0].mfa.phishing_resistant is True


def test_sign_ins_count_success_only() -> None:
    when = datetime(2026, 1, 1, tzinfo=timezone.utc)
    people = [User(id="u1"), User(id="u2"), User(id="u3")]
    system = {
        "u1": BASE,
        "u2": replace(BASE, id="u2", entra_object_id="o2"),
        "u3": replace(BASE, id="u3", entra_object_id="o3"),
    }
    sign_ins = [
        SignIn("o1", None, True, True, when, when, None),
        SignIn("o2", None, True, False, None, None, None),
        SignIn("o3", None, True, True, None, when, None),  # only failed attempts, maybe
    ]
    assert normalize.apply_sign_ins(people, system, sign_ins) == 3
    assert people[0].last_login_at == when and people[0].never_logged_in is False
    assert people[1].never_logged_in is True
    assert people[2].last_login_at is None and people[2].never_logged_in is None


def policy(**values: object) -> ConditionalAccessPolicy:
    base = dict(id="p", name="MFA", state="enabled", include_users=("All",), exclude_users=(),
                exclude_groups=(), exclude_roles=(), include_applications=("All",),
                exclude_applications=(), requires_mfa=True)  # fmt: skip
    base.update(values)
    return ConditionalAccessPolicy(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("policies", "defaults", "enforced"),
    [
        ([], True, True),
        ([policy()], False, True),
        ([policy(include_applications=(normalize.DATAVERSE_APP_ID,))], False, True),
        ([policy(exclude_applications=(normalize.DATAVERSE_APP_ID,))], False, False),
        ([policy(state="enabledForReportingButNotEnforced")], False, False),
        ([policy(state="disabled")], False, False),
        ([policy(include_users=("some-user",))], False, False),
        ([policy(requires_mfa=False)], False, False),
        (None, False, None),
        ([], None, None),
        (None, True, True),
    ],
)
def test_mfa_enforcement(
    policies: list[ConditionalAccessPolicy] | None, defaults: bool | None, enforced: bool | None
) -> None:
    assert normalize.mfa_enforcement(policies, defaults).enforced is enforced


def test_exclusions_are_listed() -> None:
    verdict = normalize.mfa_enforcement(
        [policy(exclude_users=("bg",), exclude_roles=("r",))], False
    )
    assert verdict.enforced is True and verdict.exclusions == ("role r", "user bg")
