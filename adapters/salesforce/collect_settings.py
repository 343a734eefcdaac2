"""Session, password and network settings, login IP ranges and the Health Check."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, NamedTuple
from xml.etree import ElementTree as ET

from adapters.salesforce.baseline import Baseline
from adapters.salesforce.client import METADATA_NS, SfClient
from scanner.errors import MalformedResponseError, NotAvailableError
from scanner.model.inventory import (
    Auth,
    HealthCheck,
    HealthCheckRisk,
    IpRange,
    PasswordPolicy,
    SessionPolicy,
)

_NS = f"{{{METADATA_NS}}}"
#: Metadata API enumerations, exactly as documented (SecuritySettings, API 67.0). A value
#: not listed is an error naming it (the setting's collection becomes a gap), never null.
SESSION_TIMEOUTS = {
    "FifteenMinutes": 15,
    "ThirtyMinutes": 30,
    "SixtyMinutes": 60,
    "NinetyMinutes": 90,
    "TwoHours": 120,
    "FourHours": 240,
    "EightHours": 480,
    "TwelveHours": 720,
    "TwentyFourHours": 1440,
}
COMPLEXITY = {
    "NoRestriction": "none",
    "AlphaNumeric": "alpha_numeric",
    "SpecialCharacters": "special",
    "UpperLowerCaseNumeric": "upper_lower_numeric",
    "UpperLowerCaseNumericSpecialCharacters": "upper_lower_numeric_special",
    "Any3UpperLowerCaseNumericSpecialCharacters": "any3_upper_lower_numeric_special",
}
EXPIRATION_DAYS = {
    "Never": 0,
    "ThirtyDays": 30,
    "SixtyDays": 60,
    "NinetyDays": 90,
    "SixMonths": 180,
    "OneYear": 365,
}
LOGIN_ATTEMPTS = {"ThreeAttempts": 3, "FiveAttempts": 5, "TenAttempts": 10, "NoLimit": 0}
LOCKOUT_MINUTES = {"FifteenMinutes": 15, "ThirtyMinutes": 30, "SixtyMinutes": 60, "Forever": 0}
QUESTION_RESTRICTION = {"None": True, "DoesNotContainPassword": False}  # may contain it?
#: ProfilePasswordPolicy (ints): passwordComplexity 0-4, the documented value sets.
PROFILE_COMPLEXITY = {
    0: "none",
    1: "alpha_numeric",
    2: "special",
    3: "upper_lower_numeric",
    4: "upper_lower_numeric_special",
}
PROFILE_EXPIRATION = frozenset({0, 30, 60, 90, 180, 365})
PROFILE_LOCKOUT = frozenset({0, 15, 30, 60})
PROFILE_ATTEMPTS = frozenset({0, 3, 5, 10})
#: SessionSettings.requireHttps exists in API 40.0 to 60.0 only; it "is enabled by default
#: for security reasons and can't be disabled" (only Salesforce Support can change it).
REQUIRE_HTTPS_LAST_VERSION = 60.0
RISK_TYPES = {"HIGH_RISK", "MEDIUM_RISK", "LOW_RISK", "INFORMATIONAL", "MEETS_STANDARD"}


class UnknownValue(MalformedResponseError):
    """A documented enumeration answered with a value the documentation does not list."""


def _text(element: ET.Element | None, path: str) -> str | None:
    if element is None:
        return None
    found = element.find("/".join(f"{_NS}{part}" for part in path.split("/")))
    return found.text.strip() if found is not None and found.text else None


def _bool(element: ET.Element | None, path: str) -> bool | None:
    value = _text(element, path)
    if value is None:
        return None
    if value.lower() not in ("true", "false"):
        raise UnknownValue(f"{path} is {value!r}, not a boolean")
    return value.lower() == "true"


def _enum(element: ET.Element | None, path: str, table: dict[str, Any]) -> Any:
    value = _text(element, path)
    if value is None:
        return None
    if value not in table:
        raise UnknownValue(f"{path} has the undocumented value {value!r}")
    return table[value]


def _number(element: ET.Element | None, path: str, allowed: frozenset[int] | range) -> int | None:
    value = _text(element, path)
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        raise UnknownValue(f"{path} is {value!r}, not a number") from None
    if number not in allowed:
        raise UnknownValue(f"{path} has the undocumented value {number}")
    return number


def _both(*values: bool | None) -> bool | None:
    return None if any(v is None for v in values) else all(values)


class SecurityResult(NamedTuple):
    """The org-wide settings, and per collection the reason a part could not be read."""

    auth: Auth
    problems: dict[str, str]


def fetch_security_settings(client: SfClient) -> SecurityResult:
    """Org-wide MFA, password, session, SSO and trusted-network settings (Metadata API).

    Each part is parsed on its own: an undocumented enum value in the password policy
    makes ``auth.password_policy`` a gap naming the value, and leaves the session
    settings standing.
    """
    records = client.read_metadata("SecuritySettings", ["Security"])
    if not records:
        raise NotAvailableError("readMetadata returned no SecuritySettings component")
    root = records[0]
    problems: dict[str, str] = {}
    auth = Auth()

    def part(collection: str, build: Any) -> Any:
        try:
            return build()
        except UnknownValue as exc:
            problems[collection] = f"SecuritySettings: {exc}"
            return None

    session = root.find(f"{_NS}sessionSettings")
    policies = root.find(f"{_NS}passwordPolicies")
    sso = root.find(f"{_NS}singleSignOnSettings")
    auth.password_policy = part("auth.password_policy", lambda: _org_password_policy(policies))
    auth.session_policy = part(
        "auth.session_policy", lambda: _session_policy(session, client.sf.sf_version)
    )
    auth.mfa_enforced = part("auth.mfa", lambda: _bool(session, "enableMFADirectUILoginOptIn"))
    auth.sso_enforced = part(
        "auth.sso", lambda: _bool(sso, "isLoginWithSalesforceCredentialsDisabled")
    )
    if sso is None:
        problems["auth.sso"] = "SecuritySettings has no singleSignOnSettings (API 47.0+)"
    auth.trusted_networks = [
        IpRange(
            start=_text(r, "start") or "",
            end=_text(r, "end") or "",
            description=_text(r, "description"),
        )
        for r in root.iter(f"{_NS}ipRanges")
    ]
    return SecurityResult(auth, problems)


def _org_password_policy(policies: ET.Element | None) -> PasswordPolicy | None:
    if policies is None:
        return None
    length = _text(policies, "minimumPasswordLength")
    history = _text(policies, "historyRestriction")
    for name, value, allowed in (
        ("minimumPasswordLength", length, range(5, 51)),
        ("historyRestriction", history, range(25)),
    ):
        if value is not None and (not value.isdigit() or int(value) not in allowed):
            raise UnknownValue(f"passwordPolicies.{name} has the undocumented value {value!r}")
    return PasswordPolicy(
        min_length=int(length) if length is not None else None,
        complexity=_enum(policies, "complexity", COMPLEXITY),
        expiry_days=_enum(policies, "expiration", EXPIRATION_DAYS),
        history=int(history) if history is not None else None,
        lockout_attempts=_enum(policies, "maxLoginAttempts", LOGIN_ATTEMPTS),
        lockout_minutes=_enum(policies, "lockoutInterval", LOCKOUT_MINUTES),
        question_may_contain_password=_enum(policies, "questionRestriction", QUESTION_RESTRICTION),
    )


def _session_policy(session: ET.Element | None, api_version: str | None) -> SessionPolicy | None:
    if session is None:
        return None
    try:
        version = float(api_version or 0)
    except (TypeError, ValueError):
        version = 0.0
    require_https = _bool(session, "requireHttps")
    if require_https is None and version > REQUIRE_HTTPS_LAST_VERSION:
        require_https = True  # no longer a setting: always on unless Support changed it
    return SessionPolicy(
        timeout_minutes=_enum(session, "sessionTimeout", SESSION_TIMEOUTS),
        lock_to_ip=_bool(session, "lockSessionsToIp"),
        lock_to_domain=_bool(session, "lockSessionsToDomain"),
        http_only=_bool(session, "requireHttpOnly"),
        force_logout_on_timeout=_bool(session, "forceLogoutOnSessionTimeout"),
        require_https=require_https,
        clickjack_protection=_both(
            _bool(session, "enableClickjackSetup"),
            _bool(session, "enableClickjackNonsetupSFDC"),
        ),
        csrf_protection=_both(
            _bool(session, "enableCSRFOnGet"), _bool(session, "enableCSRFOnPost")
        ),
    )


def fetch_profile_password_policies(client: SfClient) -> dict[str, PasswordPolicy]:
    """Per-profile password policy overrides, keyed by Profile id.

    ``ProfilePasswordPolicy.profile`` holds the profile's Metadata API name (``Admin``
    for System Administrator, ``platformportal``...), not ``Profile.Name``:
    ``listMetadata`` of Profile maps those names to ids. An override whose profile is
    not in that list, or with an undocumented value, is a malformed response.
    """
    names = client.list_metadata("ProfilePasswordPolicy")
    if not names:
        return {}
    profile_ids = client.list_metadata_ids("Profile")
    out = {}
    for record in client.read_metadata("ProfilePasswordPolicy", names):
        profile = _text(record, "profile")
        if not profile:
            raise UnknownValue("ProfilePasswordPolicy without a profile")
        profile_id = profile_ids.get(profile)
        if profile_id is None:
            raise UnknownValue(f"ProfilePasswordPolicy for the unknown profile {profile!r}")
        complexity = _number(record, "passwordComplexity", frozenset(PROFILE_COMPLEXITY))
        question = _number(record, "passwordQuestion", frozenset({0, 1}))
        out[profile_id] = PasswordPolicy(
            min_length=_number(record, "minimumPasswordLength", range(5, 51)),
            complexity=None if complexity is None else PROFILE_COMPLEXITY[complexity],
            expiry_days=_number(record, "passwordExpiration", PROFILE_EXPIRATION),
            history=_number(record, "passwordHistory", range(25)),
            lockout_attempts=_number(record, "maxLoginAttempts", PROFILE_ATTEMPTS),
            lockout_minutes=_number(record, "lockoutInterval", PROFILE_LOCKOUT),
            question_may_contain_password=None if question is None else question == 0,
        )
    return out


class SsoConfiguration(NamedTuple):
    """SAML configurations and auth providers, and which make Salesforce challenge MFA."""

    providers: list[str]
    mfa_services: frozenset[str]  # ids of SamlSsoConfig / AuthProvider requiring MFA


def fetch_sso_configuration(client: SfClient) -> SsoConfiguration:
    """SamlSsoConfig (View Setup) and AuthProvider (Customize Application + Manage Auth.
    Providers) records: names for ``auth.sso_providers``, and the ids whose logins
    Salesforce itself challenges for MFA (OptionsRequireMfaSaml / OptionsRequireMfa)."""
    saml = client.query(
        "SamlSsoConfig", ["Id", "DeveloperName"], optional=("OptionsRequireMfaSaml",)
    )
    providers = client.query(
        "AuthProvider", ["Id", "DeveloperName", "ProviderType"], optional=("OptionsRequireMfa",)
    )
    names = [f"saml:{r.get('DeveloperName')}" for r in saml] + [
        f"{r.get('ProviderType') or 'auth_provider'}:{r.get('DeveloperName')}" for r in providers
    ]
    mfa = {r["Id"] for r in saml if r.get("OptionsRequireMfaSaml") is True}
    mfa |= {r["Id"] for r in providers if r.get("OptionsRequireMfa") is True}
    return SsoConfiguration(sorted(names), frozenset(mfa))


def fetch_login_ip_ranges(client: SfClient) -> dict[str, list[IpRange]]:
    """Login IP ranges by profile id."""
    out: dict[str, list[IpRange]] = defaultdict(list)
    for row in client.query(
        "LoginIpRange",
        ["ProfileId", "StartAddress", "EndAddress"],
        optional=("Description",),
        required=("ProfileId", "StartAddress", "EndAddress"),
    ):
        out[row["ProfileId"]].append(
            IpRange(
                start=row["StartAddress"], end=row["EndAddress"], description=row.get("Description")
            )
        )
    return dict(out)


def fetch_health_check(client: SfClient, baseline: Baseline | None) -> HealthCheck:
    """The Health Check score and risks (Tooling API), judged against ``baseline`` if given."""
    scores = client.query(
        "SecurityHealthCheck", ["Score"], tooling=True, optional=("CustomBaselineId",)
    )
    rows = client.query(
        "SecurityHealthCheckRisks",
        ["Setting", "SettingGroup", "RiskType", "OrgValue", "StandardValue"],
        tooling=True,
        optional=("DurableId", "SettingRiskCategory"),
    )
    risks = [_risk(row, baseline) for row in rows]
    score: Any = scores[0].get("Score") if scores else None
    return HealthCheck(
        score=float(score) if score is not None else None,
        baseline=baseline.name
        if baseline
        else (
            (scores[0].get("CustomBaselineId") if scores else None)
            or "Salesforce Baseline Standard"
        ),
        risks=risks,
    )


def _risk(row: dict[str, Any], baseline: Baseline | None) -> HealthCheckRisk:
    risk_type = row.get("RiskType") if row.get("RiskType") in RISK_TYPES else "INFORMATIONAL"
    standard = row.get("StandardValue")
    setting = row.get("Setting") or row.get("DurableId") or "unknown"
    if baseline is not None:
        judged = baseline.judge(row.get("DurableId"), setting, row.get("OrgValue"))
        if judged is not None:
            standard, risk_type = judged
    return HealthCheckRisk(
        setting=setting,
        group=row.get("SettingGroup"),
        risk_type=risk_type,
        org_value=None if row.get("OrgValue") is None else str(row["OrgValue"]),
        standard_value=None if standard is None else str(standard),
    )
