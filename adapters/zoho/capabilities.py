"""What Zoho CRM provides to a read-only scan, per collection (see docs/zoho.md).

Zoho CRM's API covers the org, users, roles, profiles and field metadata. Sign-in
security (MFA, SSO, password rules, allowed IPs, sessions) lives in Zoho Directory's
security policies, which the CRM API does not expose: those are ``no_api`` with the place
to review them. Sources for each statement are in docs/api/zoho.md.
"""

from __future__ import annotations

from scanner.model.capabilities import (
    Capabilities,
    Capability,
    needs_permission,
    no_api,
    not_applicable,
)

_DIRECTORY = "Zoho Directory > Admin Panel > Security > Security Policies"


#: What Zoho has no API for, or does not have, per collection.
COLLECTION_DECLARATIONS: tuple[Capability, ...] = (
    no_api(
        "auth.mfa",
        "Zoho CRM's API does not expose multi-factor authentication settings. Review "
        f"{_DIRECTORY} > MFA: every policy must require MFA, apply to every group, and "
        "exclude no user.",
    ),
    no_api(
        "users.mfa",
        "Zoho CRM's API has no per-user MFA status. Review each user in Zoho Directory > "
        "Admin Panel > Users > (user) > Security, and the users excluded from "
        f"{_DIRECTORY}.",
    ),
    no_api(
        "auth.sso",
        "Zoho CRM's API does not say whether sign-in through SAML SSO is enforced or who "
        "may bypass it. Review SAML authentication and the exclusions of "
        f"{_DIRECTORY} in Zoho Directory.",
    ),
    no_api(
        "auth.password_policy",
        f"Password rules are part of each Zoho Directory security policy ({_DIRECTORY} > "
        "Password policy); the CRM API does not expose them.",
    ),
    not_applicable(
        "permission_sets.password_policy",
        "Zoho CRM profiles carry no password policy: password rules belong to Zoho "
        "Directory security policies, which apply to groups of users.",
    ),
    no_api(
        "permission_sets.ip_ranges",
        "Zoho restricts sign-in by IP per Zoho Directory security policy, not per CRM "
        f"profile. Review {_DIRECTORY} > Allowed IPs for the policy that covers the CRM "
        "administrators.",
    ),
    no_api(
        "auth.network",
        f"Allowed IP ranges are set in {_DIRECTORY} > Allowed IPs; the CRM API does not "
        "expose them.",
    ),
    no_api(
        "auth.session_policy",
        f"Session limits and timeouts are set in {_DIRECTORY} > Session management; the "
        "CRM API does not expose them.",
    ),
    no_api(
        "users.login",
        "Zoho CRM's API has no sign-in history (its audit log records record and setup "
        "changes, not sign-ins). Review sign-ins and failed attempts in Zoho Directory's "
        "admin panel.",
    ),
    no_api(
        "encryption.at_rest",
        "Zoho encrypts stored data and manages the keys itself; the CRM API exposes "
        "neither the state nor the key age. Attest it from Zoho's security and "
        "compliance documentation.",
    ),
    no_api(
        "integrations",
        "Zoho CRM's API does not list the OAuth clients and connected apps that can reach "
        "the org. Review the clients in the Zoho API Console (api-console.zoho.com, or "
        "your data centre's domain), Setup > Developer Hub > Connections, and each "
        "user's Zoho Accounts > Connected Apps.",
    ),
    no_api(
        "monitoring",
        "Zoho CRM's API does not report how long the audit log and sign-in history are "
        "kept. Review Setup > Data Administration > Audit Log and Zoho's stated "
        "retention.",
    ),
    not_applicable(
        "health_check",
        "Zoho CRM has no security health check score.",
    ),
    not_applicable(
        "users.object_access",
        "Zoho CRM has no unauthenticated guest users; portal users are contacts of a "
        "client portal, not CRM users.",
    ),
    # DATA checks (issue 18): not read from Zoho CRM yet; each is attested.
    no_api(
        "data.quality",
        "crmscan does not read Zoho CRM's validation or duplicate-check rules. Review Setup "
        "> Customization > Modules and Fields > the module > Validation Rules, and the "
        "fields marked 'Do not allow duplicate values'; then attest DATA-001 and DATA-002.",
    ),
    no_api(
        "data.field_history",
        "crmscan does not read Zoho CRM's field history tracking. Review Setup > "
        "Customization > Modules and Fields > the module > Field History Tracking for the "
        "policy's sensitive fields; then attest DATA-003.",
    ),
    no_api(
        "data.history_retention",
        "Zoho CRM's API does not say how long field history and the audit log are kept. "
        "Review Zoho's stated retention; then attest DATA-004.",
    ),
    no_api(
        "data.consent",
        "crmscan does not read Zoho CRM's GDPR compliance settings. Review Setup > Data "
        "Administration > Compliance Settings (data processing basis, consent, opt-out); "
        "then attest DATA-005.",
    ),
    no_api(
        "data.backup",
        "crmscan does not read Zoho CRM's scheduled data backup. Review Setup > Data "
        "Administration > Data Backup (schedule and last backup); then attest DATA-006 "
        "with the date of the last completed backup and its evidence.",
    ),
    no_api(
        "data.retention",
        "crmscan counts old records without reading them and does not do so on Zoho CRM "
        "yet. Review each personal-data module with a 'Modified Time' filter before the "
        "retention period; then attest DATA-007.",
    ),
)

#: Field-level declarations: what is unknown per resource.
FIELD_DECLARATIONS: tuple[Capability, ...] = (
    no_api(
        "users.last_login_at",
        "Zoho CRM's API gives no last sign-in time. For {username}: check the last "
        "sign-in in Zoho Directory > Admin Panel > Users, and deactivate unused accounts "
        "in Zoho CRM Setup > Users and Control > Users.",
        known_for="users who never confirmed their invitation (they have never signed in)",
    ),
    no_api(
        "users.sso",
        "Zoho CRM's API does not say who signs in through SAML SSO. Review SAML "
        f"authentication and the users excluded from {_DIRECTORY}.",
    ),
    no_api(
        "encryption.fields.scheme",
        "Zoho does not say which encryption scheme an encrypted field uses.",
    ),
    needs_permission(
        "field_permissions",
        "the scope ZohoCRM.settings.fields.READ and a profile with the Customize Zoho CRM "
        "(module customization) permission",
    ),
)

ZOHO_CAPABILITIES = Capabilities((*COLLECTION_DECLARATIONS, *FIELD_DECLARATIONS))
