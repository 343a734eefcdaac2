"""What Dynamics 365 (Dataverse + Microsoft Entra ID) provides to the checks.

``needs_permission``: collected only when the app registration holds the named Graph
permission (and the tenant the licence); without it the adapter records a
``permission_missing`` gap naming it and the checks say ERROR. ``no_api``: one MANUAL
finding saying what a person reviews and where. ``not_applicable``: Dataverse has no such
thing. The engine reads these declarations (`scanner.model.capabilities`); the adapter
records gaps only for what it failed to collect. Sources: docs/api/dynamics.md.
"""

from __future__ import annotations

from scanner.model.capabilities import Capabilities, needs_permission, no_api, not_applicable

P1 = "a Microsoft Entra ID P1 or P2 licence"
SIGN_IN_ACTIVITY = (
    "the Microsoft Graph application permissions User.Read.All and AuditLog.Read.All, "
    f"and {P1} (users' signInActivity)"
)

CAPABILITIES = Capabilities(
    [
        # Microsoft Entra ID, through Graph.
        needs_permission(
            "users.mfa", f"the Microsoft Graph application permission AuditLog.Read.All, and {P1}"
        ),
        needs_permission("users.last_login_at", SIGN_IN_ACTIVITY),
        needs_permission("users.never_logged_in", SIGN_IN_ACTIVITY),
        needs_permission(
            "auth.mfa",
            "the Microsoft Graph application permission Policy.Read.All (Conditional Access "
            f"also needs {P1})",
        ),
        # Kept by Microsoft Entra ID or the Power Platform admin center, not Dataverse.
        no_api(
            "auth.password_policy",
            "Dynamics 365 has no password policy of its own: passwords belong to Microsoft "
            "Entra ID. Review Microsoft 365 admin center > Settings > Org settings > Security "
            "& privacy > Password expiration policy, and Microsoft Entra admin center > "
            "Protection > Authentication methods > Password protection",
        ),
        no_api(
            "auth.session_policy",
            "crmscan reads no documented API for Dataverse session settings: review Power "
            "Platform admin center > Environments > (environment) > Settings > Product > "
            "Privacy + Security > Session expiration and Inactivity timeout",
        ),
        no_api(
            "auth.network",
            "crmscan reads no documented API for the Dataverse IP firewall: review Power "
            "Platform admin center > Environments > (environment) > Settings > Product > "
            "Privacy + Security > IP address settings, and Entra Conditional Access named "
            "locations",
        ),
        no_api(
            "encryption.at_rest",
            "Dataverse encrypts every environment at rest with Microsoft-managed keys; "
            "customer-managed keys are set in Power Platform admin center > Security > Data "
            "and privacy > Customer-managed encryption key: review which applies",
        ),
        no_api(
            "integrations",
            "crmscan judges Dataverse application users as users of kind integration "
            "(PRIV-009) but does not read Entra app registrations, their consented "
            "permissions or Power Platform connections: review Microsoft Entra admin center "
            "> Enterprise applications and Power Platform admin center > Application users",
        ),
        # Concepts Dataverse does not have.
        not_applicable(
            "auth.sso",
            "Dataverse has no sign-in of its own: every sign-in goes through Microsoft Entra ID",
        ),
        not_applicable(
            "permission_sets.password_policy", "Dataverse security roles carry no password policy"
        ),
        not_applicable(
            "permission_sets.ip_ranges",
            "Dataverse security roles carry no login IP ranges; the IP firewall is "
            "environment-wide (auth.network)",
        ),
        not_applicable(
            "encryption.fields",
            "Dataverse has no per-column encryption setting; secured columns are governed by "
            "field security profiles (field_permissions)",
        ),
        not_applicable("health_check", "Dataverse has no security health-check score"),
        not_applicable(
            "integrations.oauth_tokens",
            "Dataverse holds no per-user OAuth tokens; app registrations sign in as "
            "application users (users of kind integration)",
        ),
        not_applicable(
            "users.object_access",
            "Dataverse has no guest users; Power Pages visitors are contacts governed by "
            "table permissions",
        ),
        not_applicable("users.profile", "Dataverse users have security roles, not a profile"),
    ]
)
