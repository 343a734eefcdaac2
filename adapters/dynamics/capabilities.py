"""What Dynamics 365 (Dataverse + Microsoft Entra ID) provides to the checks.

``needs_permission``: collected only when the app registration holds the named Graph
permission (and the tenant the licence); without it the adapter records a
``permission_missing`` gap naming it. ``no_api``: a person reviews it where ``review``
says. ``not_applicable``: Dataverse has no such thing. Until the engine reads these
declarations (issue 11), `STATIC_GAPS` records the same facts as gaps, so the checks
already say MANUAL or ERROR, never PASS.
"""

from __future__ import annotations

from scanner.model.capabilities import Capabilities, Capability, Support
from scanner.model.inventory import GapReason

P1 = "a Microsoft Entra ID P1 or P2 licence"

_NEEDS = [
    Capability(
        collection="users.mfa",
        support=Support.NEEDS_PERMISSION,
        requirement=f"Microsoft Graph application permission AuditLog.Read.All, and {P1}",
    ),
    Capability(
        collection="users.login",
        support=Support.NEEDS_PERMISSION,
        requirement=(
            "Microsoft Graph application permissions User.Read.All and AuditLog.Read.All, "
            f"and {P1} (users' signInActivity)"
        ),
    ),
    Capability(
        collection="auth.mfa",
        support=Support.NEEDS_PERMISSION,
        requirement=(
            "Microsoft Graph application permission Policy.Read.All (Conditional Access "
            f"also needs {P1})"
        ),
    ),
]

_NO_API = [
    (
        "auth.password_policy",
        "Dynamics 365 has no password policy of its own: passwords belong to Microsoft Entra "
        "ID. Review Microsoft 365 admin center > Settings > Org settings > Security & privacy "
        "> Password expiration policy, and Microsoft Entra admin center > Protection > "
        "Authentication methods > Password protection",
    ),
    (
        "auth.session_policy",
        "crmscan reads no documented API for Dataverse session settings. Review Power "
        "Platform admin center > Environments > (environment) > Settings > Product > "
        "Privacy + Security > Session expiration and Inactivity timeout",
    ),
    (
        "auth.network",
        "crmscan reads no documented API for the Dataverse IP firewall. Review Power Platform "
        "admin center > Environments > (environment) > Settings > Product > Privacy + "
        "Security > IP address settings, and Entra Conditional Access named locations",
    ),
    (
        "encryption.at_rest",
        "Dataverse encrypts every environment at rest with Microsoft-managed keys; "
        "customer-managed keys are set in Power Platform admin center > Security > Data and "
        "privacy > Customer-managed encryption key. Review which applies",
    ),
]

_NOT_APPLICABLE = [
    (
        "auth.sso",
        "Dataverse has no sign-in of its own: every sign-in goes through Microsoft Entra ID",
    ),
    ("permission_sets.password_policy", "Dataverse security roles carry no password policy"),
    (
        "permission_sets.ip_ranges",
        "Dataverse security roles carry no login IP ranges; the IP firewall is "
        "environment-wide (auth.network)",
    ),
    (
        "encryption.fields",
        "Dataverse has no per-column encryption setting; secured columns are governed by "
        "field security profiles (field_permissions)",
    ),
    ("health_check", "Dataverse has no security health-check score"),
    (
        "integrations.oauth_tokens",
        "Dataverse holds no per-user OAuth tokens; app registrations sign in as application "
        "users (users of kind integration)",
    ),
    (
        "users.object_access",
        "Dataverse has no guest users; Power Pages visitors are contacts governed by table "
        "permissions",
    ),
]

CAPABILITIES = Capabilities(
    [
        *_NEEDS,
        *(Capability(collection=c, support=Support.NO_API, review=r) for c, r in _NO_API),
        *(
            Capability(collection=c, support=Support.NOT_APPLICABLE, review=r)
            for c, r in _NOT_APPLICABLE
        ),
    ]
)

#: Gaps that hold for every environment: (collection, reason, detail).
STATIC_GAPS: tuple[tuple[str, GapReason, str], ...] = (
    *((c, GapReason.NO_API, r) for c, r in _NO_API),
    *((c, GapReason.NOT_AVAILABLE, r) for c, r in _NOT_APPLICABLE),
    (
        "integrations",
        GapReason.NOT_AVAILABLE,
        "crmscan lists Dataverse application users as users of kind integration and judges "
        "their roles (PRIV-009); it does not read Entra app registrations, their consented "
        "permissions or Power Platform connections. Review Microsoft Entra admin center > "
        "Enterprise applications and Power Platform admin center > Application users",
    ),
)
