"""Users, their MFA methods and their login history."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timezone
from typing import Any

from adapters.salesforce.client import SessionInvalidError, SfClient
from scanner.errors import ApiError, AuthenticationError, NotAvailableError
from scanner.inventory import LoginSummary, Mfa, Tenant, UserKind

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
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(
        timezone.utc
    )


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


def fetch_logins(client: SfClient, days: int) -> tuple[dict[str, LoginSummary], dict[str, bool]]:
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
    return summaries, sso
