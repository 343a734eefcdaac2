"""What HubSpot provides to a private-app token, per collection and field.

The engine turns these into one tenant-level MANUAL finding (what to review, and where
in HubSpot's settings) or one NOT_APPLICABLE finding, instead of one ERROR per user.
Sources: HubSpot's account activity API (login activity covers the past 90 days; the
audit-log endpoint is for Enterprise accounts only), the knowledge-base articles on
roles (Settings > Users & Teams > Roles), on requiring two-factor authentication
(Settings > Security > Login) and on account activity history (Settings > Account
Management > Audit Logs); see docs/hubspot.md.
"""

from __future__ import annotations

from scanner.model.capabilities import (
    Capabilities,
    needs_edition,
    needs_permission,
    no_api,
    not_applicable,
)

ROLE_REVIEW = (
    "HubSpot has no API for what a role or a user's own permission settings allow: review "
    "the roles in Settings > Users & Teams > Roles ({permission_sets}) and each user's "
    "permissions in Settings > Users & Teams > Users"
)
LOGIN_REVIEW = (
    "HubSpot's login activity API covers the past 90 days: check older sign-ins in the "
    "account login history (Settings > Account Management > Audit Logs > Login History)"
)

#: The DATA checks' collections (issue 18): HubSpot shows none of them to a private app;
#: collection -> what to review, and where in HubSpot.
DATA_REVIEW: dict[str, str] = {
    "data.quality": (
        "HubSpot has no API for property validation rules or duplicate management: review "
        "Settings > Properties (each key property's rules) and Contacts > Actions > Manage "
        "duplicates, then attest DATA-001 and DATA-002"
    ),
    "data.field_history": (
        "HubSpot keeps every property's value history and has no per-property switch or API "
        "for it: confirm the sensitive properties are HubSpot properties (View property "
        "history on a record) and attest DATA-003"
    ),
    "data.history_retention": (
        "HubSpot has no API for how long property history is kept: review the account's "
        "data retention in Settings > Privacy & Consent and attest DATA-004"
    ),
    "data.consent": (
        "crmscan does not read HubSpot's consent settings: review Settings > Privacy & "
        "Consent (data privacy settings, lawful basis for processing) and Settings > "
        "Marketing > Email > Subscription Types, then attest DATA-005"
    ),
    "data.backup": (
        "HubSpot has no API for exports or backups: review Settings > Data Management > "
        "Import & Export (export history) or your backup integration, and attest DATA-006 "
        "with the date of the last completed backup and its evidence"
    ),
    "data.retention": (
        "crmscan counts old records without reading them, and HubSpot's search API only "
        "returns records: review Contacts filtered on 'Last activity date' before the "
        "retention period and attest DATA-007"
    ),
}

HUBSPOT_CAPABILITIES = Capabilities(
    [
        # Read with the private app's scopes; without one, a permission_missing gap.
        needs_permission("users", "the private-app scope settings.users.read"),
        needs_permission("permission_sets", "the private-app scope settings.users.read"),
        needs_permission("users.teams", "the private-app scope settings.users.teams.read"),
        needs_permission("users.active", "the scope crm.objects.owners.read (CRM owners)"),
        needs_permission("users.login", "the private-app scope account-info.security.read"),
        needs_permission(
            "monitoring.security_activity", "the private-app scope account-info.security.read"
        ),
        needs_edition(
            "monitoring.audit_log",
            "HubSpot Enterprise",
            "Starter and Professional accounts keep login and security activity only: "
            "review how audit history is kept (Settings > Account Management > Audit Logs)",
        ),
        # Known only in part.
        no_api("users.permissions", ROLE_REVIEW, known_for="super admins"),
        no_api(
            "permission_sets.permissions",
            "HubSpot has no API for what a role allows: review the roles "
            "({name}) in Settings > Users & Teams > Roles",
        ),
        no_api(
            "users.object_access",
            "HubSpot has no API for which objects a role lets a user read or edit: review "
            "the roles in Settings > Users & Teams > Roles",
        ),
        no_api(
            "field_permissions",
            "HubSpot has no API for what a role lets a user see of a property: review "
            "the roles in Settings > Users & Teams > Roles",
        ),
        no_api("users.last_login_at", LOGIN_REVIEW, known_for="users who signed in within 90 days"),
        no_api(
            "users.never_logged_in", LOGIN_REVIEW, known_for="users added within the past 90 days"
        ),
        no_api(
            "users.created_at",
            "HubSpot's users API has no creation date (security activity shows users "
            "added in the past 90 days): check when the user was added in Settings > "
            "Account Management > Audit Logs > Security Activity",
            known_for="users added within the past 90 days",
        ),
        no_api(
            "integrations",
            "HubSpot has no API that lists private apps, service keys, their scopes or "
            "connected apps: review Settings > Integrations > Private Apps, Development > "
            "Keys > Service keys and Connected Apps",
            known_for="the service key or private app whose credential ran the scan",
        ),
        # No API at all: a person reviews the setting (or attests it in the policy).
        no_api(
            "users.mfa",
            "HubSpot has no API for per-user 2FA status; a super admin must verify each "
            "user's two-factor authentication in Settings > Users & Teams, or attest it in "
            "the policy",
            known_for="users whose 2FA or passkey change is in the security activity",
        ),
        no_api(
            "users.login_mfa",
            "HubSpot's login activity API does not say whether a login used two-factor "
            "authentication: review the login types in Settings > Account Management > "
            "Audit Logs > Login History",
        ),
        no_api(
            "auth.mfa",
            "HubSpot has no API for account-wide 2FA enforcement; verify Settings > "
            "Security > Login > 'Require two-factor authentication' is on, or attest it in "
            "the policy",
        ),
        no_api(
            "auth.sso",
            "HubSpot has no API for SSO enforcement; verify Settings > Security > Login > "
            "'Require single sign-on'",
        ),
        no_api(
            "users.sso",
            "HubSpot has no API saying which users sign in through SSO; review Settings > "
            "Security > Login",
        ),
        no_api(
            "auth.session_policy",
            "HubSpot has no API for session settings; verify Settings > Security > Login",
        ),
        no_api(
            "auth.network",
            "HubSpot has no API for IP allowlists or trusted networks; review Settings > Security",
        ),
        no_api(
            "auth.password_policy",
            "HubSpot has no API for password policy settings; review Settings > Security > Login",
        ),
        no_api(
            "encryption.at_rest",
            "HubSpot manages encryption at rest; there is no API to read it: keep HubSpot's "
            "security documentation or SOC 2 report as evidence",
        ),
        no_api(
            "encryption.fields",
            "HubSpot has no API for field-level encryption settings; review which "
            "properties hold sensitive data in Settings > Properties",
        ),
        # Concepts HubSpot does not have.
        not_applicable(
            "roles", "HubSpot has no role hierarchy; HubSpot roles are in permission_sets"
        ),
        not_applicable("health_check", "HubSpot has no security health check"),
        not_applicable(
            "users.profile", "HubSpot has no profiles; a user's roles are in permission_sets"
        ),
        not_applicable("permission_sets.ip_ranges", "HubSpot roles carry no login IP ranges"),
        not_applicable("permission_sets.password_policy", "HubSpot roles carry no password policy"),
        *(no_api(collection, review) for collection, review in DATA_REVIEW.items()),
    ]
)
