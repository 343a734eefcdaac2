"""What Zoho CRM provides to a read-only scan, per collection (see docs/zoho.md).

Zoho CRM's API covers the org, users, roles, profiles and field metadata. Sign-in
security (MFA, SSO, password rules, allowed IPs, sessions) lives in Zoho Directory's
security policies, which the CRM API does not expose: those are ``no_api`` with the place
to review them. Sources for each statement are in docs/api/zoho.md.
"""

from __future__ import annotations

from scanner.model.capabilities import Capabilities, Capability, Support
from scanner.model.inventory import GapReason, Inventory

_DIRECTORY = "Zoho Directory > Admin Panel > Security > Security Policies"


def _no_api(collection: str, review: str, known_for: str | None = None) -> Capability:
    fields: dict[str, str] = {}
    if known_for is not None and "known_for" in Capability.model_fields:
        fields["known_for"] = known_for  # partial declarations (issue 11's engine)
    return Capability(collection=collection, support=Support.NO_API, review=review, **fields)


def _not_applicable(collection: str, why: str) -> Capability:
    return Capability(collection=collection, support=Support.NOT_APPLICABLE, review=why)


def _needs_permission(collection: str, requirement: str) -> Capability:
    return Capability(
        collection=collection, support=Support.NEEDS_PERMISSION, requirement=requirement
    )


#: Collection-level declarations: also recorded as ``no_api`` gaps (see `record_no_api`).
COLLECTION_DECLARATIONS: tuple[Capability, ...] = (
    _no_api(
        "auth.mfa",
        "Zoho CRM's API does not expose multi-factor authentication settings. Review "
        f"{_DIRECTORY} > MFA: every policy must require MFA, apply to every group, and "
        "exclude no user.",
    ),
    _no_api(
        "users.mfa",
        "Zoho CRM's API has no per-user MFA status. Review each user in Zoho Directory > "
        "Admin Panel > Users > (user) > Security, and the users excluded from "
        f"{_DIRECTORY}.",
    ),
    _no_api(
        "auth.sso",
        "Zoho CRM's API does not say whether sign-in through SAML SSO is enforced or who "
        "may bypass it. Review SAML authentication and the exclusions of "
        f"{_DIRECTORY} in Zoho Directory.",
    ),
    _no_api(
        "auth.password_policy",
        f"Password rules are part of each Zoho Directory security policy ({_DIRECTORY} > "
        "Password policy); the CRM API does not expose them.",
    ),
    _not_applicable(
        "permission_sets.password_policy",
        "Zoho CRM profiles carry no password policy: password rules belong to Zoho "
        "Directory security policies, which apply to groups of users.",
    ),
    _no_api(
        "permission_sets.ip_ranges",
        "Zoho restricts sign-in by IP per Zoho Directory security policy, not per CRM "
        f"profile. Review {_DIRECTORY} > Allowed IPs for the policy that covers the CRM "
        "administrators.",
    ),
    _no_api(
        "auth.network",
        f"Allowed IP ranges are set in {_DIRECTORY} > Allowed IPs; the CRM API does not "
        "expose them.",
    ),
    _no_api(
        "auth.session_policy",
        f"Session limits and timeouts are set in {_DIRECTORY} > Session management; the "
        "CRM API does not expose them.",
    ),
    _no_api(
        "users.login",
        "Zoho CRM's API has no sign-in history (its audit log records record and setup "
        "changes, not sign-ins). Review sign-ins and failed attempts in Zoho Directory's "
        "admin panel.",
    ),
    _no_api(
        "encryption.at_rest",
        "Zoho encrypts stored data and manages the keys itself; the CRM API exposes "
        "neither the state nor the key age. Attest it from Zoho's security and "
        "compliance documentation.",
    ),
    _no_api(
        "integrations",
        "Zoho CRM's API does not list the OAuth clients and connected apps that can reach "
        "the org. Review the clients in the Zoho API Console (api-console.zoho.com, or "
        "your data centre's domain), Setup > Developer Hub > Connections, and each "
        "user's Zoho Accounts > Connected Apps.",
    ),
    _no_api(
        "monitoring",
        "Zoho CRM's API does not report how long the audit log and sign-in history are "
        "kept. Review Setup > Data Administration > Audit Log and Zoho's stated "
        "retention.",
    ),
    _not_applicable(
        "health_check",
        "Zoho CRM has no security health check score.",
    ),
    _not_applicable(
        "users.object_access",
        "Zoho CRM has no unauthenticated guest users; portal users are contacts of a "
        "client portal, not CRM users.",
    ),
)

#: Field-level declarations the engine reads per resource (never recorded as gaps).
FIELD_DECLARATIONS: tuple[Capability, ...] = (
    _no_api(
        "users.last_login_at",
        "Zoho CRM's API gives no last sign-in time. For {username}: check the last "
        "sign-in in Zoho Directory > Admin Panel > Users, and deactivate unused accounts "
        "in Zoho CRM Setup > Users and Control > Users.",
        known_for="users who never confirmed their invitation (they have never signed in)",
    ),
    _no_api(
        "users.sso",
        "Zoho CRM's API does not say who signs in through SAML SSO. Review SAML "
        f"authentication and the users excluded from {_DIRECTORY}.",
    ),
    _no_api(
        "encryption.fields.scheme",
        "Zoho does not say which encryption scheme an encrypted field uses.",
    ),
    _needs_permission(
        "field_permissions",
        "the scope ZohoCRM.settings.fields.READ and a profile with the Customize Zoho CRM "
        "(module customization) permission",
    ),
)

ZOHO_CAPABILITIES = Capabilities((*COLLECTION_DECLARATIONS, *FIELD_DECLARATIONS))


def record_no_api(inventory: Inventory) -> None:
    """Record each collection-level no-API declaration as a ``no_api`` gap.

    The engine judges a check that requires such a collection MANUAL with the review
    text; field-level declarations only qualify data that is partly provided.
    """
    for capability in COLLECTION_DECLARATIONS:
        if capability.support is Support.NO_API:
            inventory.add_gap(capability.collection, GapReason.NO_API, capability.review or "")
        elif capability.support is Support.NOT_APPLICABLE:
            inventory.add_gap(
                capability.collection, GapReason.NOT_AVAILABLE, capability.review or ""
            )
