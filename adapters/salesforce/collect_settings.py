"""Session, password and network settings, login IP ranges and the Health Check."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from xml.etree import ElementTree as ET

from adapters.salesforce.baseline import Baseline
from adapters.salesforce.client import METADATA_NS, SfClient
from scanner.errors import NotAvailableError
from scanner.model.inventory import (
    Auth,
    HealthCheck,
    HealthCheckRisk,
    IpRange,
    PasswordPolicy,
    SessionPolicy,
)

_NS = f"{{{METADATA_NS}}}"
SESSION_TIMEOUTS = {
    "FifteenMinutes": 15,
    "ThirtyMinutes": 30,
    "SixtyMinutes": 60,
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
}
PROFILE_COMPLEXITY = [
    "none",
    "alpha_numeric",
    "special",
    "upper_lower_numeric",
    "upper_lower_numeric_special",
]
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
RISK_TYPES = {"HIGH_RISK", "MEDIUM_RISK", "LOW_RISK", "INFORMATIONAL", "MEETS_STANDARD"}


def _text(element: ET.Element | None, path: str) -> str | None:
    if element is None:
        return None
    found = element.find("/".join(f"{_NS}{part}" for part in path.split("/")))
    return found.text.strip() if found is not None and found.text else None


def _bool(element: ET.Element | None, path: str) -> bool | None:
    value = _text(element, path)
    return None if value is None else value.lower() == "true"


def _int(value: str | None, table: dict[str, int] | None = None) -> int | None:
    if value is None:
        return None
    if table and value in table:
        return table[value]
    try:
        return int(value)
    except ValueError:
        return 0 if value == "NoRestriction" else None


def _both(*values: bool | None) -> bool | None:
    return None if any(v is None for v in values) else all(values)


def fetch_security_settings(client: SfClient) -> Auth:
    """Org-wide MFA, password, session and trusted-network settings (Metadata API)."""
    records = client.read_metadata("SecuritySettings", ["Security"])
    if not records:
        raise NotAvailableError("readMetadata returned no SecuritySettings component")
    root = records[0]
    session = root.find(f"{_NS}sessionSettings")
    policies = root.find(f"{_NS}passwordPolicies")
    question = _text(policies, "questionRestriction")
    password = (
        PasswordPolicy(
            min_length=_int(_text(policies, "minimumPasswordLength")),
            complexity=COMPLEXITY.get(_text(policies, "complexity") or ""),
            expiry_days=_int(_text(policies, "expiration"), EXPIRATION_DAYS),
            history=_int(_text(policies, "historyRestriction")),
            lockout_attempts=_int(_text(policies, "maxLoginAttempts"), LOGIN_ATTEMPTS),
            lockout_minutes=_int(_text(policies, "lockoutInterval"), LOCKOUT_MINUTES),
            question_may_contain_password=None if question is None else question == "None",
        )
        if policies is not None
        else None
    )
    session_policy = (
        SessionPolicy(
            timeout_minutes=_int(_text(session, "sessionTimeout"), SESSION_TIMEOUTS),
            lock_to_ip=_bool(session, "lockSessionsToIp"),
            lock_to_domain=_bool(session, "lockSessionsToDomain"),
            http_only=_bool(session, "requireHttpOnly"),
            force_logout_on_timeout=_bool(session, "forceLogoutOnSessionTimeout"),
            require_https=_bool(session, "requireHttps"),
            clickjack_protection=_both(
                _bool(session, "enableClickjackSetup"),
                _bool(session, "enableClickjackNonsetupSFDC"),
            ),
            csrf_protection=_both(
                _bool(session, "enableCSRFOnGet"), _bool(session, "enableCSRFOnPost")
            ),
        )
        if session is not None
        else None
    )
    networks = [
        IpRange(
            start=_text(r, "start") or "",
            end=_text(r, "end") or "",
            description=_text(r, "description"),
        )
        for r in root.iter(f"{_NS}ipRanges")
    ]
    return Auth(
        mfa_enforced=_bool(session, "enableMFADirectUILoginOptIn"),
        password_policy=password,
        session_policy=session_policy,
        trusted_networks=networks,
    )


def fetch_profile_password_policies(client: SfClient) -> dict[str, PasswordPolicy]:
    """Per-profile password policy overrides, keyed by profile name."""
    names = client.list_metadata("ProfilePasswordPolicy")
    out = {}
    for record in client.read_metadata("ProfilePasswordPolicy", names) if names else []:
        complexity = _int(_text(record, "passwordComplexity"))
        question = _int(_text(record, "passwordQuestion"))
        profile = _text(record, "profile")
        if not profile:
            continue
        out[profile] = PasswordPolicy(
            min_length=_int(_text(record, "minimumPasswordLength")),
            complexity=(
                PROFILE_COMPLEXITY[complexity]
                if complexity is not None and 0 <= complexity < 5
                else None
            ),
            expiry_days=_int(_text(record, "passwordExpiration")),
            history=_int(_text(record, "passwordHistory")),
            lockout_attempts=_int(_text(record, "maxLoginAttempts")),
            lockout_minutes=_int(_text(record, "lockoutInterval")),
            question_may_contain_password=None if question is None else question == 0,
        )
    return out


def fetch_login_ip_ranges(client: SfClient) -> dict[str, list[IpRange]]:
    """Login IP ranges by profile id."""
    out: dict[str, list[IpRange]] = defaultdict(list)
    for row in client.query(
        "LoginIpRange", ["ProfileId", "StartAddress", "EndAddress"], optional=("Description",)
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
