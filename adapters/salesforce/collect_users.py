"""Users, their MFA methods and their login history."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timezone
from typing import Any, NamedTuple

from adapters.salesforce.client import SessionInvalidError, SfClient, UnreachableError
from scanner.errors import (
    ApiError,
    AuthenticationError,
    MalformedResponseError,
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

#: LoginHistory.LoginType, by what the login means. The Object Reference lists each value
#: as "API value–label"; both spellings are accepted (orgs and API versions differ).
DIRECT_LOGIN_TYPES = frozenset(
    {
        "Application",
        "LightningLogin",
        "Lightning Login",
        "ChatterCommunityPortalUnPwd",
        "Chatter Communities External User",
        "EmployeeLoginToCommunity",
        "Employee Login to Community",
        "Portal",
        "Customer Service Portal",
        "PrmPortal",
        "Partner Portal",
        "PasswordlessLogin",
        "Passwordless Login",
        "Networks Portal",
    }
)
SAML_LOGIN_TYPES = frozenset(
    {
        "Saml",
        "SAML Idp Initiated SSO",
        "Saml2",
        "SAML Sfdc Initiated SSO",
        "SamlChatterNetworks",
        "SAML Chatter Communities External User SSO",
        "SamlCspPortal",
        "SAML Customer Service Portal SSO",
        "SamlPrmPortal",
        "SAML Partner Portal SSO",
        "SamlSite",
        "SAML Site SSO",
    }
)
THIRD_PARTY_LOGIN_TYPES = frozenset(
    {
        "ThirdPartySso",
        "Third Party SSO",
        "ChatterCommunityThirdPartySso",
        "Chatter Communities External User Third Party SSO",
        "PortalThirdPartySso",
        "Customer Service Portal Third-Party SSO",
        "PrmPortalThirdPartySso",
        "Partner Portal Third-Party SSO",
    }
)
SSO_LOGIN_TYPES = SAML_LOGIN_TYPES | THIRD_PARTY_LOGIN_TYPES
INTERACTIVE_LOGIN_TYPES = DIRECT_LOGIN_TYPES | SSO_LOGIN_TYPES
#: AuthMethodReference (OpenID Connect ``amr``) values that show a second factor.
_MFA_AMR = re.compile(r"\b(mfa|otp|hwk|swk|fido|sms|face|fpt|pop|sc|pin|mca)\b", re.I)
#: AuthContextClassRef (SAML AuthnContextClassRef / OIDC acr, API 67.0+) values that show
#: a second factor; a password-only class is a definite "without MFA".
_MFA_ACR = re.compile(
    r"(multifactor|mfa|twofactor|timesynctoken|smartcard|x509|mobiletwofactor|phr|fido|"
    r"otp|swk|hwk|aal[23]|loa[34])",
    re.I,
)
_PASSWORD_ACR = re.compile(r"(password|passwordprotectedtransport|unspecified)$", re.I)
#: The API version from which LoginHistory has AuthContextClassRef.
ACR_API_VERSION = 67.0


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
    except UnreachableError as exc:
        raise AuthenticationError(
            f"could not reach the Salesforce instance {instance_url}: {exc}"
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
    rows = client.query(
        "TwoFactorMethodsInfo", ["UserId"], optional=tuple(MFA_METHODS), required=("UserId",)
    )
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
        self.without_mfa = 0  # certainly without MFA (amr/acr say so)
        self.direct_without_mfa = 0  # direct logins: VerificationHistory decides
        self.sso_unverified: dict[str, int] = defaultdict(int)  # by authentication service
        self.sso = 0
        self.failures = 0
        self.last_failure: datetime | None = None
        self.per_hour: dict[tuple[str, int], int] = defaultdict(int)

    def add(self, row: dict[str, Any], count: int, last: datetime | None) -> None:
        login_type = row.get("LoginType")
        if row.get("Status") != "Success":
            self.failures += count
            if last and (self.last_failure is None or last > self.last_failure):
                self.last_failure = last
            return
        self.successes += count
        if login_type in SSO_LOGIN_TYPES:
            self.sso += count
        if login_type not in INTERACTIVE_LOGIN_TYPES:
            return
        amr, acr = row.get("AuthMethodReference") or "", row.get("AuthContextClassRef") or ""
        if _MFA_AMR.search(amr) or _MFA_ACR.search(acr):
            return
        if login_type in DIRECT_LOGIN_TYPES:
            self.direct_without_mfa += count
        elif amr or _PASSWORD_ACR.search(acr):
            self.without_mfa += count  # the IdP said how it authenticated: no second factor
        else:  # SSO that says nothing about how the IdP authenticated the user
            self.sso_unverified[str(row.get("AuthenticationServiceId") or "")] += count

    def summary(self, days: int) -> LoginSummary:
        return LoginSummary(
            window_days=days,
            successes=self.successes,
            successes_without_mfa=self.without_mfa + self.direct_without_mfa,
            failures=self.failures,
            last_failure_at=self.last_failure,
            max_failures_per_hour=(max(self.per_hour.values(), default=min(self.failures, 1))),
        )


class Logins(NamedTuple):
    """What `fetch_logins` found, per user id."""

    summaries: dict[str, LoginSummary]
    sso: dict[str, bool]  # signed in through SSO at least once
    #: Successful direct interactive logins without an MFA amr: counted in
    #: ``successes_without_mfa`` until `apply_verifications` removes those that passed
    #: Salesforce's own MFA challenge.
    direct_without_mfa: dict[str, int]
    #: Successful SSO logins that carry no amr / acr, per authentication service
    #: (SamlSsoConfig or AuthProvider id): whether they used MFA is not recorded.
    sso_unverified: dict[str, dict[str, int]]


_GROUPED = ("UserId", "Status", "LoginType", "AuthMethodReference", "AuthenticationServiceId")
_TOO_MANY_GROUPS = "queryMore"  # "Aggregate query does not support queryMore()"
#: User ids per ``UserId IN (...)`` query: ~21 bytes each, well inside the URI budget.
_IDS_PER_QUERY = 300


def _login_fields(client: SfClient) -> tuple[str, ...]:
    try:
        version = float(client.sf.sf_version or 0)
    except (TypeError, ValueError):
        version = 0.0
    return _GROUPED + (("AuthContextClassRef",) if version >= ACR_API_VERSION else ())


def fetch_logins(client: SfClient, days: int, identity: dict[str, bool] | None) -> Logins:
    """Per-user login summaries over ``days`` and whether each signed in through SSO.

    LoginHistory can be filtered only on a documented set of fields (``Status`` is not
    one; ``LoginTime`` can be filtered but not grouped), so: one aggregate over the
    window grouped by user, status, login type and authentication evidence (one
    request, a row per combination); then, only for users with two failures or more, the
    failures per hour (a date-function GROUP BY, filtered by UserId). Where the org
    refuses an aggregate as too large for one batch, the same rows are read raw.
    """
    if identity is None:
        raise PermissionMissingError(
            "could not read the scanning user's permissions (UserPermissionAccess): without "
            "Manage Users or Monitor Login History LoginHistory shows only the user's own logins"
        )
    if not (identity.get("ManageUsers") or identity.get("MonitorLoginHistory")):
        raise PermissionMissingError(
            "the scanning user lacks Manage Users and Monitor Login History: LoginHistory "
            "shows only its own logins"
        )
    window = f"LoginTime = LAST_N_DAYS:{days}"
    fields = _login_fields(client)
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    try:
        for row in client.iter_query(
            f"SELECT {', '.join(fields)}, COUNT(Id) n, MAX(LoginTime) last FROM LoginHistory "
            f"WHERE {window} GROUP BY {', '.join(fields)}",
            expected=(*fields, "n", "last"),
        ):
            tallies[_user_id(row)].add(row, _count(row.get("n")), parse_datetime(row.get("last")))
        raw = False
    except (ApiError, NotAvailableError) as exc:
        if _TOO_MANY_GROUPS not in str(exc):
            raise
        raw = True
        for row in client.iter_query(
            f"SELECT {', '.join(fields)}, LoginTime FROM LoginHistory WHERE {window}",
            expected=(*fields, "LoginTime"),
        ):
            moment = parse_datetime(row.get("LoginTime"))
            tally = tallies[_user_id(row)]
            tally.add(row, 1, moment)
            if row.get("Status") != "Success" and moment:
                tally.per_hour[(moment.date().isoformat(), moment.hour)] += 1
    if not raw:
        _failures_per_hour(client, window, tallies)
    summaries = {uid: t.summary(days) for uid, t in tallies.items()}
    sso = {uid: t.sso > 0 for uid, t in tallies.items()}
    direct = {uid: t.direct_without_mfa for uid, t in tallies.items() if t.direct_without_mfa}
    unverified = {uid: dict(t.sso_unverified) for uid, t in tallies.items() if t.sso_unverified}
    return Logins(summaries, sso, direct, unverified)


def _failures_per_hour(client: SfClient, window: str, tallies: dict[str, _Tally]) -> None:
    """The busiest hour of failed logins of each user who failed more than once."""
    users = sorted(uid for uid, t in tallies.items() if t.failures > 1)
    for start in range(0, len(users), _IDS_PER_QUERY):
        ids = _quoted(users[start : start + _IDS_PER_QUERY])
        where = f"{window} AND UserId IN ({ids})"
        try:
            for row in client.iter_query(
                "SELECT UserId, Status, DAY_ONLY(LoginTime) d, HOUR_IN_DAY(LoginTime) h, "
                f"COUNT(Id) n FROM LoginHistory WHERE {where} "
                "GROUP BY UserId, Status, DAY_ONLY(LoginTime), HOUR_IN_DAY(LoginTime)",
                expected=("UserId", "Status", "d", "h", "n"),
            ):
                if row.get("Status") != "Success":
                    key = (str(row.get("d")), _count(row.get("h")))
                    tallies[_user_id(row)].per_hour[key] += _count(row.get("n"))
        except (ApiError, NotAvailableError) as exc:
            if _TOO_MANY_GROUPS not in str(exc):
                raise
            for row in client.iter_query(
                f"SELECT UserId, Status, LoginTime FROM LoginHistory WHERE {where}",
                expected=("UserId", "Status", "LoginTime"),
            ):
                moment = parse_datetime(row.get("LoginTime"))
                if row.get("Status") != "Success" and moment:
                    key = (moment.date().isoformat(), moment.hour)
                    tallies[_user_id(row)].per_hour[key] += 1


def _user_id(row: dict[str, Any]) -> str:
    value = row.get("UserId")
    if not isinstance(value, str) or not value:
        raise MalformedResponseError("LoginHistory row with a null UserId")
    return value


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise MalformedResponseError(f"an aggregate count that is not a number ({value!r})")
    try:
        return int(value)
    except ValueError:
        raise MalformedResponseError(
            f"an aggregate count that is not a number ({value!r})"
        ) from None


# -- Salesforce MFA verifications ---------------------------------------------------------
#: VerificationHistory.Status values of a passed verification (documented picklist).
#: ``AutomatedSuccess`` is Salesforce Authenticator approving by itself in a trusted
#: location the user set up: still the registered device, so it counts.
VERIFIED_STATUSES = ("Succeeded", "AutomatedSuccess")
#: VerificationHistory.VerificationMethod values (documented restricted picklist:
#: BuiltInAuthenticator, Email, EnableLL, LL, SalesforceAuthenticator, Sms, TempCode,
#: Totp, U2F) that satisfy Salesforce's MFA requirement. Email and SMS codes and
#: temporary codes do not; EnableLL is an enrolment, not a login.
MFA_VERIFICATION_METHODS = ("BuiltInAuthenticator", "LL", "SalesforceAuthenticator", "Totp", "U2F")
_MFA_DENIED_HINT = "reading VerificationHistory needs the Manage Users permission"


def fetch_verified_logins(client: SfClient, days: int) -> dict[str, int]:
    """Per user, the logins over ``days`` that passed Salesforce's own MFA challenge.

    Counted by the org (COUNT_DISTINCT of LoginHistoryId, one row per user): every
    field filtered on is documented as filterable, UserId as groupable. Needs the
    Manage Users permission: without it the error is raised (a ``users.login_mfa``
    gap), never an empty result.
    """
    where = (
        f"Activity = 'Login' AND Status IN ({_quoted(list(VERIFIED_STATUSES))}) "
        f"AND VerificationMethod IN ({_quoted(list(MFA_VERIFICATION_METHODS))}) "
        f"AND VerificationTime = LAST_N_DAYS:{days}"
    )
    try:
        try:
            return {
                _user_id(row): _count(row.get("n"))
                for row in client.iter_query(
                    "SELECT UserId, COUNT_DISTINCT(LoginHistoryId) n FROM VerificationHistory "
                    f"WHERE {where} GROUP BY UserId",
                    expected=("UserId", "n"),
                )
            }
        except ApiError as exc:  # more users than one aggregate batch: read raw rows
            if _TOO_MANY_GROUPS not in str(exc):
                raise
            seen: dict[str, set[str]] = defaultdict(set)
            for row in client.iter_query(
                f"SELECT UserId, LoginHistoryId FROM VerificationHistory WHERE {where}",
                expected=("UserId", "LoginHistoryId"),
            ):
                if row.get("LoginHistoryId"):
                    seen[_user_id(row)].add(row["LoginHistoryId"])
            return {uid: len(ids) for uid, ids in seen.items()}
    except (PermissionMissingError, NotAvailableError) as exc:
        # Without Manage Users the org answers INSUFFICIENT_ACCESS or, for some
        # objects, as if VerificationHistory did not exist: name the likely cause.
        raise type(exc)(f"{exc} ({_MFA_DENIED_HINT})") from None


def _quoted(values: list[str]) -> str:
    return ", ".join("'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'" for v in values)


def apply_verifications(
    logins: Logins, verified: dict[str, int] | None, mfa_services: frozenset[str] | None
) -> None:
    """Settle ``successes_without_mfa`` with what VerificationHistory and SSO say.

    LoginHistory does not say whether a direct (username + password) login passed
    Salesforce's MFA challenge; VerificationHistory does, per login, but the two cannot be
    joined in one aggregate query. So per user, with C direct logins counted as without
    MFA, O the user's other successful logins and V the distinct logins with a passed MFA
    verification: at least V - O of the C were verified, so at most C - max(0, V - O)
    were not. That bound is reported: it only ever lowers the count by logins Salesforce
    recorded as MFA-verified (a FAIL to look at, never a false PASS).

    SSO logins with no amr / acr: through a SAML configuration that makes Salesforce
    challenge MFA itself (``mfa_services``, SamlSsoConfig.OptionsRequireMfaSaml) they are
    settled like direct logins; otherwise whether they used MFA is unknown, and a user
    with no certain login without MFA gets a null count (ERROR with the reason), never
    a PASS. ``verified is None`` (VerificationHistory unreadable) makes every count that
    depends on it None; ``mfa_services is None`` (SSO configuration unreadable) does the
    same for unverified SSO logins.
    """
    for uid in set(logins.direct_without_mfa) | set(logins.sso_unverified):
        summary = logins.summaries[uid]
        by_service = logins.sso_unverified.get(uid, {})
        if mfa_services is None:
            challenged, unknown = 0, sum(by_service.values())
        else:
            challenged = sum(n for sid, n in by_service.items() if sid in mfa_services)
            unknown = sum(by_service.values()) - challenged
        direct = logins.direct_without_mfa.get(uid, 0) + challenged
        counted = summary.successes_without_mfa or 0
        certain = counted - logins.direct_without_mfa.get(uid, 0)  # amr/acr said: no MFA
        if direct:
            if verified is None:
                summary.successes_without_mfa = None if certain == 0 else certain
                continue
            others = (summary.successes or 0) - direct
            attributable = max(0, verified.get(uid, 0) - others)
            certain += max(0, direct - attributable)
        summary.successes_without_mfa = None if (unknown and certain == 0) else certain


def fetch_frozen(client: SfClient) -> set[str]:
    """Ids of frozen users (UserLogin.IsFrozen, filterable; needs Manage Users): they
    cannot sign in, so they are not active whatever User.IsActive says."""
    rows = client.query("UserLogin", ["UserId", "IsFrozen"], "IsFrozen = true", required=())
    return {str(r["UserId"]) for r in rows if r.get("UserId") and r.get("IsFrozen") is True}


#: What the scanning identity must hold to see everything: Customize Application (every
#: user's OauthToken) and Manage Users (LoginHistory of others, VerificationHistory).
IDENTITY_PERMISSIONS = (
    "PermissionsCustomizeApplication",
    "PermissionsManageUsers",
    "PermissionsMonitorLoginHistory",
)


def fetch_identity_permissions(client: SfClient) -> dict[str, bool]:
    """The scanning user's own permissions (UserPermissionAccess, the current user)."""
    rows = client.query(
        "UserPermissionAccess",
        ["LastCacheUpdate"],
        optional=IDENTITY_PERMISSIONS,
        required=(),
    )
    if len(rows) != 1:
        raise MalformedResponseError(f"UserPermissionAccess answered {len(rows)} rows, not 1")
    out = {}
    for name in IDENTITY_PERMISSIONS:
        value = rows[0].get(name, False)  # a permission the org lacks is not held
        if not isinstance(value, bool):
            raise MalformedResponseError(f"UserPermissionAccess.{name} is {value!r}")
        out[name[len("Permissions") :]] = value
    return out


def fetch_audit_trail_start(client: SfClient) -> datetime | None:
    """When the oldest Setup Audit Trail entry the org still keeps was made (None: empty).

    SetupAuditTrail refuses aggregates (``count(Id)``), so the oldest row is read with
    ORDER BY CreatedDate LIMIT 1: one request, evidence that the trail is readable.
    """
    rows = client.query(
        "SetupAuditTrail", ["Id", "CreatedDate"], suffix="ORDER BY CreatedDate ASC LIMIT 1"
    )
    if not rows:
        return None
    moment = parse_datetime(rows[0].get("CreatedDate"))
    if moment is None:
        raise MalformedResponseError("SetupAuditTrail row without a CreatedDate")
    return moment
