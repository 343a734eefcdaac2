"""Users, their MFA methods and their login history."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timezone
from typing import Any, NamedTuple

from adapters.salesforce.client import SessionInvalidError, SfClient
from scanner.errors import (
    ApiError,
    AuthenticationError,
    CollectionError,
    NotAvailableError,
    PermissionMissingError,
)
from scanner.model.inventory import LoginSummary, Mfa, Tenant, UserKind

USER_FIELDS = [
    "Id",
    "Username",
    "Name",
    "Email",
    "IsActive",
    "UserType",
    "CreatedDate",
    "LastLoginDate",
    "ProfileId",
    "UserRoleId",
    "ContactId",
]

#: TwoFactorMethodsInfo flags → method names; the first five satisfy Salesforce MFA.
MFA_METHODS = {
    "HasSalesforceAuthenticator": "salesforce_authenticator",
    "HasTotp": "totp",
    "HasU2F": "u2f",
    "HasSecurityKey": "security_key",
    "HasBuiltInAuthenticator": "built_in_authenticator",
    "HasUserVerifiedMobileNumber": "sms",
    "HasVerifiedMobileNumber": "sms",
    "HasUserVerifiedEmailAddress": "email",
    "HasTempCode": "temporary_code",
}
STRONG_METHODS = {
    "salesforce_authenticator",
    "totp",
    "u2f",
    "security_key",
    "built_in_authenticator",
}
PHISHING_RESISTANT = {"u2f", "security_key", "built_in_authenticator"}

PORTAL_TYPES = {
    "PowerCustomerSuccess",
    "CustomerSuccess",
    "PowerPartner",
    "CspLitePortal",
    "CSPLitePortal",
    "SelfService",
    "Partner",
}
AUTOMATED_TYPES = {"AutomatedProcess", "CloudIntegrationUser"}
AUTOMATED_PROFILES = {
    "Analytics Cloud Integration User",
    "Analytics Cloud Security User",
    "Minimum Access - API Only Integrations",
}
INTEGRATION_LICENSES = {"Salesforce Integration"}

#: LoginType values of sign-ins through the user interface (the rest are API / OAuth).
INTERACTIVE_LOGIN_TYPES = {
    "Application",
    "SAML Idp Initiated SSO",
    "SAML Sfdc Initiated SSO",
    "Third Party SSO",
    "Chatter Communities External User",
    "Networks Portal",
}
SSO_LOGIN_TYPES = {"SAML Idp Initiated SSO", "SAML Sfdc Initiated SSO", "Third Party SSO"}
#: Interactive logins Salesforce authenticates itself (username + password): the ones its
#: own MFA challenge verifies, recorded in VerificationHistory rather than in the amr.
DIRECT_LOGIN_TYPES = INTERACTIVE_LOGIN_TYPES - SSO_LOGIN_TYPES
#: AuthMethodReference (OpenID Connect ``amr``) values that show a second factor.
_MFA_AMR = re.compile(r"\b(mfa|otp|hwk|swk|fido|sms|face|fpt|pop|sc|pin|mca)\b", re.I)


def parse_datetime(value: Any) -> datetime | None:
    """A Salesforce datetime (``2026-01-02T03:04:05.000+0000``) as aware UTC."""
    if not isinstance(value, str) or not value:
        return None
    if len(value) == 28 and value.endswith(".000+0000"):  # the usual shape: fast path
        try:
            return datetime.fromisoformat(value[:19]).replace(tzinfo=timezone.utc)
        except ValueError:
            return None
    text = value.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", text):
        text = f"{text[:-2]}:{text[-2:]}"
    try:  # out of range once in UTC (9999-12-31T23:59-14:00): unknown, never a crash
        moment = datetime.fromisoformat(text)
        return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(
            timezone.utc
        )
    except (ValueError, OverflowError):
        return None


def fetch_tenant(client: SfClient, instance_url: str) -> Tenant:
    """The Organization record; a rejected session here means bad credentials."""
    try:
        rows = client.query(
            "Organization",
            ["Id", "Name", "OrganizationType", "IsSandbox"],
            optional=("InstanceName",),
        )
    except SessionInvalidError:
        raise AuthenticationError(
            "Salesforce rejected the access token (INVALID_SESSION_ID): it is wrong, expired "
            "or for another instance"
        ) from None
    org = rows[0] if rows else {}
    return Tenant(
        platform="salesforce",
        id=org.get("Id"),
        name=org.get("Name"),
        edition=org.get("OrganizationType"),
        is_sandbox=org.get("IsSandbox"),
        instance_url=instance_url,
        api_version=client.sf.sf_version,
        collected_at=datetime.now(timezone.utc),
    )


def fetch_users(client: SfClient) -> list[dict[str, Any]]:
    """Every user record (active or not)."""
    return client.query("User", USER_FIELDS, optional=("FederationIdentifier",))


def fetch_mfa(client: SfClient) -> dict[str, Mfa]:
    """Each user's registered verification methods, from TwoFactorMethodsInfo."""
    rows = client.query("TwoFactorMethodsInfo", ["UserId"], optional=tuple(MFA_METHODS))
    out: dict[str, Mfa] = {}
    for row in rows:
        methods = sorted({name for flag, name in MFA_METHODS.items() if row.get(flag)})
        strong = STRONG_METHODS.intersection(methods)
        out[row["UserId"]] = Mfa(
            status="enrolled" if strong else "not_enrolled",
            methods=methods,
            phishing_resistant=bool(PHISHING_RESISTANT & strong),
        )
    return out


def user_kind(
    user: dict[str, Any],
    profile: str | None,
    license_name: str | None,
    raw_permissions: frozenset[str] | set[str] | None,
) -> UserKind:
    """human, integration, guest, portal or automated."""
    user_type = user.get("UserType") or ""
    if user_type == "Guest":
        return "guest"
    if user_type in PORTAL_TYPES or user.get("ContactId"):
        return "portal"
    if user_type in AUTOMATED_TYPES or profile in AUTOMATED_PROFILES:
        return "automated"
    if license_name in INTEGRATION_LICENSES or (
        raw_permissions and "ApiUserOnly" in raw_permissions
    ):
        return "integration"
    return "human"


# -- login history ---------------------------------------------------------------------
class _Tally:
    def __init__(self) -> None:
        self.successes = 0
        self.without_mfa = 0
        self.direct_without_mfa = 0  # the part of without_mfa from DIRECT_LOGIN_TYPES
        self.sso = 0
        self.failures = 0
        self.last_failure: datetime | None = None
        self.per_hour: dict[tuple[str, int], int] = defaultdict(int)

    def add(
        self,
        status: str | None,
        login_type: str | None,
        amr: str | None,
        count: int,
        last: datetime | None,
    ) -> None:
        if status == "Success":
            self.successes += count
            if login_type in INTERACTIVE_LOGIN_TYPES and not _MFA_AMR.search(amr or ""):
                self.without_mfa += count
                if login_type in DIRECT_LOGIN_TYPES:
                    self.direct_without_mfa += count
            if login_type in SSO_LOGIN_TYPES:
                self.sso += count
        else:
            self.failures += count
            if last and (self.last_failure is None or last > self.last_failure):
                self.last_failure = last

    def summary(self, days: int) -> LoginSummary:
        return LoginSummary(
            window_days=days,
            successes=self.successes,
            successes_without_mfa=self.without_mfa,
            failures=self.failures,
            last_failure_at=self.last_failure,
            max_failures_per_hour=(max(self.per_hour.values(), default=0)),
        )


class Logins(NamedTuple):
    """What `fetch_logins` found, per user id."""

    summaries: dict[str, LoginSummary]
    sso: dict[str, bool]  # signed in through SSO at least once
    #: Successful direct interactive logins without an MFA amr: counted in
    #: ``successes_without_mfa`` until `apply_verifications` removes those that passed
    #: Salesforce's own MFA challenge.
    direct_without_mfa: dict[str, int]


def fetch_logins(client: SfClient, days: int) -> Logins:
    """Per-user login summaries over ``days`` and whether each signed in through SSO.

    Counts are aggregated by the org (GROUP BY) where SOQL allows; an org that refuses
    the aggregate (too many groups for one batch) is read row by row instead.
    """
    window = f"LoginTime = LAST_N_DAYS:{days}"
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    try:
        groups = list(
            client.iter_query(
                "SELECT UserId, Status, LoginType, AuthMethodReference, COUNT(Id) n, "
                f"MAX(LoginTime) last FROM LoginHistory WHERE {window} "
                "GROUP BY UserId, Status, LoginType, AuthMethodReference"
            )
        )
        hours = list(
            client.iter_query(
                "SELECT UserId, DAY_ONLY(LoginTime) d, HOUR_IN_DAY(LoginTime) h, COUNT(Id) n "
                f"FROM LoginHistory WHERE {window} AND Status != 'Success' "
                "GROUP BY UserId, DAY_ONLY(LoginTime), HOUR_IN_DAY(LoginTime)"
            )
        )
    except (ApiError, NotAvailableError):  # the org refused the aggregate: read raw rows
        for row in client.iter_query(
            "SELECT UserId, LoginTime, Status, LoginType, AuthMethodReference "
            f"FROM LoginHistory WHERE {window}"
        ):
            moment = parse_datetime(row.get("LoginTime"))
            tally = tallies[row["UserId"]]
            tally.add(
                row.get("Status"), row.get("LoginType"), row.get("AuthMethodReference"), 1, moment
            )
            if row.get("Status") != "Success" and moment:
                tally.per_hour[(moment.date().isoformat(), moment.hour)] += 1
    else:
        for row in groups:
            tallies[row["UserId"]].add(
                row.get("Status"),
                row.get("LoginType"),
                row.get("AuthMethodReference"),
                int(row.get("n") or 0),
                parse_datetime(row.get("last")),
            )
        for row in hours:
            tallies[row["UserId"]].per_hour[(str(row.get("d")), int(row.get("h") or 0))] += int(
                row.get("n") or 0
            )
    summaries = {uid: t.summary(days) for uid, t in tallies.items()}
    sso = {uid: t.sso > 0 for uid, t in tallies.items()}
    direct = {uid: t.direct_without_mfa for uid, t in tallies.items() if t.direct_without_mfa}
    return Logins(summaries, sso, direct)


# -- Salesforce MFA verifications ---------------------------------------------------------
#: VerificationHistory.Status values of a passed verification, used when describe does not
#: list the picklist. ``AutomatedSuccess`` is Salesforce Authenticator approving by itself
#: in a trusted location the user set up: still the registered device, so it counts.
VERIFIED_STATUSES = ("Succeeded", "AutomatedSuccess")
#: VerificationHistory.VerificationMethod values that satisfy Salesforce's MFA requirement
#: (the STRONG_METHODS above), lower-cased without separators. Email and SMS codes,
#: passwords and temporary codes do not: an email code is how Salesforce activates an
#: unrecognised browser, which is recorded as a ``Login`` verification too.
MFA_VERIFICATION_METHODS = {
    "salesforceauthenticator",
    "toopher",  # Salesforce Authenticator's former name, kept in older picklists
    "totp",
    "u2f",
    "securitykey",
    "webauthn",
    "builtinauthenticator",
    "lightninglogin",  # passwordless login approved in Salesforce Authenticator
}
_METHOD_FALLBACK = ("SalesforceAuthenticator", "Totp", "U2F", "SecurityKey", "BuiltInAuthenticator")
_MFA_DENIED_HINT = "reading VerificationHistory needs the Manage Users permission"


def _picklist(describe: dict[str, Any], field: str) -> list[str]:
    for entry in describe.get("fields", []):
        if isinstance(entry, dict) and entry.get("name") == field:
            values = entry.get("picklistValues") or []
            return [str(v["value"]) for v in values if isinstance(v, dict) and v.get("value")]
    return []


def verification_filters(client: SfClient) -> tuple[list[str], list[str]]:
    """The Status and VerificationMethod values that mean "passed an MFA challenge".

    Read from the org's describe of VerificationHistory, so that values Salesforce adds
    later are seen: a status counts when it is ``AutomatedSuccess`` or starts with
    ``Succeeded`` (Salesforce's naming for passed verifications; every failure starts with
    ``Failed``, and ``Denied``, ``ReportedDenied``, ``Initiated``, ``InProgress`` and
    ``RateLimited`` are not successes); a method counts when it is one of
    `MFA_VERIFICATION_METHODS`. Without a usable describe, the documented values.
    Unknown values never count: at worst a login stays "without MFA" (a FAIL to look at),
    never the other way round.
    """
    try:
        describe = client.describe("VerificationHistory")
    except CollectionError:  # the query that follows reports the real reason
        describe = {}
    statuses = [
        v
        for v in _picklist(describe, "Status")
        if v == "AutomatedSuccess" or v.startswith("Succeeded")
    ]
    methods = [
        v
        for v in _picklist(describe, "VerificationMethod")
        if re.sub(r"[^a-z0-9]", "", v.lower()) in MFA_VERIFICATION_METHODS
    ]
    return statuses or list(VERIFIED_STATUSES), methods or list(_METHOD_FALLBACK)


def fetch_verified_logins(client: SfClient, days: int) -> dict[str, int]:
    """Per user, the logins over ``days`` that passed Salesforce's own MFA challenge.

    Counted by the org (COUNT_DISTINCT of LoginHistoryId, one row per user); an org that
    refuses the aggregate is read row by row instead. Needs the Manage Users permission:
    without it the error is raised (a ``users.login_mfa`` gap), never an empty result.
    """
    statuses, methods = verification_filters(client)
    where = (
        f"Activity = 'Login' AND Status IN ({_quoted(statuses)}) "
        f"AND VerificationMethod IN ({_quoted(methods)}) AND VerificationTime = LAST_N_DAYS:{days}"
    )
    try:
        try:
            return {
                row["UserId"]: int(row.get("n") or 0)
                for row in client.iter_query(
                    "SELECT UserId, COUNT_DISTINCT(LoginHistoryId) n FROM VerificationHistory "
                    f"WHERE {where} GROUP BY UserId"
                )
            }
        except ApiError:  # the org refused the aggregate: read raw rows
            seen: dict[str, set[str]] = defaultdict(set)
            for row in client.iter_query(
                f"SELECT UserId, LoginHistoryId FROM VerificationHistory WHERE {where}"
            ):
                if row.get("LoginHistoryId"):
                    seen[row["UserId"]].add(row["LoginHistoryId"])
            return {uid: len(ids) for uid, ids in seen.items()}
    except (PermissionMissingError, NotAvailableError) as exc:
        # Without Manage Users the org answers INSUFFICIENT_ACCESS or, for some
        # objects, as if VerificationHistory did not exist: name the likely cause.
        raise type(exc)(f"{exc} ({_MFA_DENIED_HINT})") from None


def _quoted(values: list[str]) -> str:
    return ", ".join("'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'" for v in values)


def apply_verifications(logins: Logins, verified: dict[str, int] | None) -> None:
    """Take the logins Salesforce's MFA verified out of ``successes_without_mfa``.

    LoginHistory does not say whether a direct (username + password) login passed
    Salesforce's MFA challenge; VerificationHistory does, per login, but the two cannot be
    joined in one aggregate query. So per user, with C direct logins counted as without
    MFA, O the user's other successful logins and V the distinct logins with a passed MFA
    verification: at least V - O of the C were verified (a verification can belong to any
    successful login, e.g. a mobile app's OAuth login), so at most C - max(0, V - O) were
    not. That bound is what is reported: it only ever lowers the count by logins
    Salesforce recorded as MFA-verified, never below the true number. For the usual user
    (browser logins only) O is 0 and the count is exact; a user who also signs in
    otherwise can keep a count that is too high (a FAIL to look at, never a false PASS).
    SSO logins keep their amr verdict.

    ``verified is None`` (VerificationHistory unreadable): the count of every user with
    direct logins depends on the missing data and becomes None (the check reports ERROR
    for them); users without direct logins keep their certain count.
    """
    for uid, direct in logins.direct_without_mfa.items():
        summary = logins.summaries[uid]
        counted = summary.successes_without_mfa or 0
        if verified is None:
            summary.successes_without_mfa = None
            continue
        others = (summary.successes or 0) - direct
        attributable = max(0, verified.get(uid, 0) - others)
        summary.successes_without_mfa = counted - direct + max(0, direct - attributable)
