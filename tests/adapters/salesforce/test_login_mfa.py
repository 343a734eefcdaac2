"""AUTH-009 on direct logins: Salesforce's own MFA (VerificationHistory) counts as MFA.

The org's LoginHistory and VerificationHistory are replaced by a small, explicit set of
logins; everything goes through the real client against the emulator.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from scanner.model.inventory import GapReason, Inventory, User
from tests.adapters.salesforce.conftest import SCOPE, Progress, make_adapter, verdicts
from tests.emulators.salesforce import Fault, SalesforceEmulator

NOW = datetime.now(timezone.utc)
VERIFIED = "anna.verified@acme.example"  # direct logins, each passed Salesforce MFA
UNVERIFIED = "ulf.unverified@acme.example"  # one of two direct logins not MFA-verified
SSO = "sofia.sso@acme.example"  # SSO logins only, the IdP asserted MFA
MIXED = "max.mixed@acme.example"  # unverified browser login + verified mobile-app login


def _stamp(days: float, seconds: int = 0) -> str:
    moment = NOW - timedelta(days=days) + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


@pytest.fixture
def org(emulator: SalesforceEmulator) -> SalesforceEmulator:
    """The sample org with four users whose logins are exactly the ones below."""
    users = emulator.org.sobjects["User"].records
    ids: dict[str, str] = {}
    for name, record in zip((VERIFIED, UNVERIFIED, SSO, MIXED), users[10:14], strict=True):
        record["Username"] = name
        record["IsActive"] = True
        ids[name] = record["Id"]
    logins: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []

    def login(user: str, days: float, kind: str = "Application", amr: str | None = None) -> str:
        login_id = f"0Ya{len(logins) + 1:012d}XYZ"
        logins.append(
            {
                "Id": login_id,
                "UserId": ids[user],
                "LoginTime": _stamp(days),
                "LoginType": kind,
                "Status": "Success",
                "AuthMethodReference": amr,
            }
        )
        return login_id

    def verify(user: str, login_id: str, days: float, method: str, status: str) -> None:
        checks.append(
            {
                "Id": f"0Vh{len(checks) + 1:012d}XYZ",
                "UserId": ids[user],
                "Activity": "Login",
                "Status": status,
                "VerificationMethod": method,
                "VerificationTime": _stamp(days, 20 + len(checks)),
                "LoginHistoryId": login_id,
                "EventGroup": len(checks) + 1,
            }
        )

    # (a) two direct logins, both verified; the second after a wrong code first
    first = login(VERIFIED, 2)
    verify(VERIFIED, first, 2, "SalesforceAuthenticator", "Succeeded")
    second = login(VERIFIED, 3)
    verify(VERIFIED, second, 3, "Totp", "FailedInvalidCode")
    verify(VERIFIED, second, 3, "Totp", "Succeeded")
    # (b) one verified login; the other only activated the browser with an email code
    # and had a denied push: neither is MFA
    done = login(UNVERIFIED, 2)
    verify(UNVERIFIED, done, 2, "Totp", "Succeeded")
    open_ = login(UNVERIFIED, 4)
    verify(UNVERIFIED, open_, 4, "Email", "Succeeded")
    verify(UNVERIFIED, open_, 4, "SalesforceAuthenticator", "Denied")
    # (c) SSO with an MFA amr
    login(SSO, 1, "SAML Idp Initiated SSO", "pwd mfa")
    login(SSO, 5, "SAML Idp Initiated SSO", "hwk")
    # a verification of the mobile app's OAuth login must not cover the browser login
    login(MIXED, 1)
    mobile = login(MIXED, 2, "Remote Access 2.0")
    verify(MIXED, mobile, 2, "SalesforceAuthenticator", "AutomatedSuccess")

    emulator.org.sobjects["LoginHistory"].records = logins
    emulator.org.sobjects["VerificationHistory"].records = checks
    return emulator


def _users(inventory: Inventory) -> dict[str, User]:
    assert inventory.users is not None
    return {u.username or "": u for u in inventory.users}


def _auth009(inventory: Inventory) -> dict[str, tuple[str, str | None]]:
    return {
        name or "": (status, reason) for status, name, reason in verdicts(inventory)["AUTH-009"]
    }


def test_salesforce_mfa_verifications_count_as_mfa(org: SalesforceEmulator) -> None:
    inventory = make_adapter(org).collect(SCOPE, Progress())
    assert inventory.gap_for("users.login_mfa") is None
    users = _users(inventory)

    def without_mfa(name: str) -> int | None:
        login = users[name].login
        assert login is not None
        return login.successes_without_mfa

    assert without_mfa(VERIFIED) == 0  # (a)
    assert without_mfa(UNVERIFIED) == 1  # (b)
    assert without_mfa(SSO) == 0  # (c)
    assert without_mfa(MIXED) == 1  # the verification may be the mobile login's: kept
    found = _auth009(inventory)
    assert found[VERIFIED][0] == "PASS"
    assert found[UNVERIFIED][0] == "FAIL"
    assert found[SSO][0] == "PASS"
    assert found[MIXED][0] == "FAIL"
    # one aggregate query, counted by the org, filtered to passed MFA verifications
    [query] = org.requests_matching("FROM VerificationHistory")
    assert "COUNT_DISTINCT(LoginHistoryId)" in query.text and "GROUP BY UserId" in query.text
    assert "'Succeeded'" in query.text and "'AutomatedSuccess'" in query.text
    assert "'Email'" not in query.text and "'Sms'" not in query.text


def test_refused_aggregate_is_read_row_by_row(org: SalesforceEmulator) -> None:
    org.faults.append(
        Fault(
            "COUNT_DISTINCT(LoginHistoryId)",
            status=400,
            code="MALFORMED_QUERY",
            message="Aggregate query does not support queryMore(), use LIMIT to restrict "
            "the results to a single batch",
        )
    )
    inventory = make_adapter(org).collect(SCOPE, Progress())
    assert inventory.gap_for("users.login_mfa") is None
    found = _auth009(inventory)
    assert (found[VERIFIED][0], found[UNVERIFIED][0], found[MIXED][0]) == ("PASS", "FAIL", "FAIL")


def test_without_manage_users_the_uncertain_users_are_errors(org: SalesforceEmulator) -> None:
    org.deny_object("VerificationHistory")
    inventory = make_adapter(org).collect(SCOPE, Progress())
    gap = inventory.gap_for("users.login_mfa")
    assert gap is not None and gap.reason is GapReason.PERMISSION_MISSING
    assert "INSUFFICIENT_ACCESS" in gap.detail and "Manage Users" in gap.detail
    assert inventory.gap_for("users.login") is None  # the check itself still runs
    users = _users(inventory)
    for name in (VERIFIED, UNVERIFIED, MIXED):  # direct logins: the answer is unknown
        login = users[name].login
        assert login is not None and login.successes_without_mfa is None
        assert login.successes is not None and login.successes > 0
    sso_login = users[SSO].login
    assert sso_login is not None and sso_login.successes_without_mfa == 0  # certain
    found = _auth009(inventory)
    assert found[VERIFIED][0] == found[UNVERIFIED][0] == found[MIXED][0] == "ERROR"
    assert "successes_without_mfa" in (found[VERIFIED][1] or "")
    assert found[SSO][0] == "PASS"
    # every other user has no login in the window: a certain PASS, not an ERROR
    errors = {name for name, (status, _) in found.items() if status == "ERROR"}
    assert errors == {VERIFIED, UNVERIFIED, MIXED}


def test_verification_history_missing_on_this_org(org: SalesforceEmulator) -> None:
    org.remove_object("VerificationHistory")
    inventory = make_adapter(org).collect(SCOPE, Progress())
    gap = inventory.gap_for("users.login_mfa")
    assert gap is not None and gap.reason is GapReason.NOT_AVAILABLE
    assert _auth009(inventory)[UNVERIFIED][0] == "ERROR"
    assert _auth009(inventory)[SSO][0] == "PASS"
