"""What HubSpot documents about the APIs the emulator serves, written from HubSpot's docs.

Nothing here comes from the adapter. Each entry restates HubSpot's public OpenAPI
specifications (github.com/HubSpot/HubSpot-public-api-spec-collection: Account Info v3,
Audit Logs v3, User Provisioning v3, CRM Owners v3, OAuth v1) or its developer docs;
docs/api/hubspot.md cites the page of every fact.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoint:
    """One documented endpoint: the scopes that open it, and its paging rules."""

    method: str
    #: Any one of these scopes is enough (the spec's ``security`` alternatives).
    scopes: tuple[str, ...]
    #: ``limit``: the documented maximum (a larger value is refused), its default, and
    #: whether the listing is paged with ``after`` / ``paging.next.after``.
    max_limit: int | None = None
    default_limit: int | None = None
    paged: bool = False
    #: Where HubSpot documents no maximum, the most a page of this emulator holds.
    served_cap: int | None = None


ENDPOINTS: dict[str, Endpoint] = {
    # Account Info v3: security ``oauth`` (OpenAPI ``security``); no paging.
    "/account-info/v3/details": Endpoint("GET", ("oauth",)),
    "/account-info/v3/api-usage/daily/private-apps": Endpoint("GET", ("oauth",)),
    # User Provisioning v3 (settings users, roles, teams).
    "/settings/v3/users": Endpoint(
        "GET", ("settings.users.read", "crm.objects.users.read"), paged=True,
        default_limit=100, served_cap=100,
    ),
    "/settings/v3/users/roles": Endpoint("GET", ("settings.users.read", "crm.objects.users.read")),
    "/settings/v3/users/teams": Endpoint("GET", ("settings.users.teams.read",)),
    # Account activity: "Max value of limit is 200" (login, security).
    "/account-info/v3/activity/login": Endpoint(
        "GET", ("account-info.security.read",), max_limit=200, default_limit=100, paged=True
    ),
    "/account-info/v3/activity/security": Endpoint(
        "GET", ("account-info.security.read",), max_limit=200, default_limit=100, paged=True
    ),
    "/account-info/v3/activity/audit-logs": Endpoint(
        "GET", ("account-info.security.read",), paged=True, default_limit=100, served_cap=100
    ),
    # CRM Owners v3: scopes ``automation`` or ``crm.objects.owners.read``; limit default 100.
    "/crm/v3/owners": Endpoint(
        "GET", ("automation", "crm.objects.owners.read"), paged=True, default_limit=100,
        served_cap=100,
    ),
}  # fmt: skip

#: Not in HubSpot's API reference or its OpenAPI specs: the private-app token
#: introspection call widely used by integrations (body ``{"tokenKey": ...}``).
TOKEN_INFO = "/oauth/v2/private-apps/get/access-token-info"

#: Required properties per schema (OpenAPI ``required``); every other property is optional.
REQUIRED: dict[str, tuple[str, ...]] = {
    "PortalInformationResponse": (
        "accountType", "additionalCurrencies", "companyCurrency", "dataHostingLocation",
        "portalId", "timeZone", "uiDomain", "utcOffset", "utcOffsetMilliseconds",
    ),
    "PublicUser": ("email", "id", "roleIds", "superAdmin"),
    "PublicPermissionSet": ("id", "name", "requiresBillingWrite"),
    "PublicTeam": ("id", "name", "secondaryUserIds", "userIds"),
    "PublicOwner": ("archived", "createdAt", "id", "type", "updatedAt"),
    "PublicLoginAudit": ("id", "loginAt", "loginSucceeded"),
    "HydratedCriticalAction": ("createdAt", "id", "type", "userId"),
    "PublicApiUserActionEvent": ("actingUser", "action", "category", "id", "occurredAt"),
    "ApiUsage": ("collectedAt", "currentUsage", "fetchStatus", "name", "usageLimit"),
    "NextPage": ("after",),
}  # fmt: skip

#: PortalInformationResponse.accountType.
ACCOUNT_TYPES = ("APP_DEVELOPER", "DEVELOPER_TEST", "SANDBOX", "STANDARD")
#: PublicOwner.type.
OWNER_TYPES = ("PERSON", "QUEUE")
#: ApiUsage.fetchStatus.
FETCH_STATUSES = ("SUCCESS", "TIMEOUT", "FAILURE", "CACHED", "NOTFOUND")
#: HydratedCriticalAction.type: the 151 values of Audit Logs v3.
SECURITY_EVENT_TYPES: frozenset[str] = frozenset({
    "ACCEPTANCE_TEST", "ACCOUNT_ADDED_TO_MULTI_ACCOUNT_ORGANIZATION",
    "ACCOUNT_REMOVED_FROM_MULTI_ACCOUNT_ORGANIZATION", "ADD_ADMIN_PERMISSIONS",
    "ADD_ADMIN_USER", "ADD_SINGLE_SIGN_ON", "ADD_TWO_FACTOR_AUTHENTICATION", "ADD_USER",
    "ADD_WEBHOOK_IN_WORKFLOW", "ALLOWED_GEOLOCATIONS_DISABLED",
    "ALLOWED_GEOLOCATIONS_ENABLED", "ALLOWED_LOGIN_METHODS_DELETE",
    "ALLOWED_LOGIN_METHODS_UPDATE", "ATTACHMENT_LOGGING_DISABLED",
    "ATTACHMENT_LOGGING_ENABLED", "AUTOMATED_INACTIVE_USER_DEACTIVATION_DISABLED",
    "AUTOMATED_INACTIVE_USER_DEACTIVATION_ENABLED", "BOTS_WEBHOOK_POST",
    "BOTS_WEBHOOK_UPDATE", "BOTS_WEBHOOK_VIEWED", "BULK_EMAIL_DOMAIN_CHANGE",
    "CHANGE_AD_EVENT_CONSENT_SETTING", "CHANGE_AD_EVENT_DATA_SHARING_SETTING",
    "CHANGE_PASSWORD", "CONTACT_DATA_EXPORT", "CONTACT_OWNER_AUTO_ASSIGN_DISABLED",
    "CONTACT_OWNER_AUTO_ASSIGN_ENABLED", "DATA_ACCESS_REQUEST_SUBMITTED",
    "DATA_BACKUP_CREATED", "DATA_BACKUP_DOWNLOADED", "DATA_BACKUP_SCHEDULE_CREATED",
    "DATA_BACKUP_SCHEDULE_DELETED", "DATA_BACKUP_SCHEDULE_UPDATED",
    "DATA_RESTORE_COMPLETED", "DATA_SHARING_CONNECTION_ADDED",
    "DATA_SHARING_CONNECTION_REMOVED", "DATASET_SYNC", "DEACTIVATE_USER",
    "DOMAIN_BASED_INVITE_CREATED", "DOMAIN_BASED_INVITE_REMOVED",
    "DOMAIN_BASED_INVITES_DISABLED", "DOMAIN_BASED_INVITES_ENABLED",
    "EMAIL_LOGGING_SYNC_SET_ALL", "EMAIL_LOGGING_SYNC_SET_CONTACTS",
    "EMAIL_LOGGING_SYNC_SET_REPLIES", "EMAIL_TRACKING_DISABLED", "EMAIL_TRACKING_ENABLED",
    "EXPORT", "EXPORT_APPROVAL", "EXPORT_DOWNLOAD", "EXPORT_USERS",
    "FORM_SUBMISSIONS_EXPORT", "GDPR_DELETE", "GDPR_TOGGLE_DISABLED",
    "GDPR_TOGGLE_ENABLED", "HAPIKEY_CREATE", "HAPIKEY_DEACTIVATE", "HAPIKEY_VIEW",
    "HUBSPOT_EMPLOYEE_ACCESS_DISABLED", "HUBSPOT_EMPLOYEE_ACCESS_ENABLED",
    "IMPERSONATE_USER", "IMPORT", "INSTALL_INTEGRATION", "IP_RESTRICTIONS_DISABLED",
    "IP_RESTRICTIONS_ENABLED", "JOINED_PORTAL_VIA_DOMAIN_BASED_INVITE",
    "LEGAL_BASIS_REQUIREMENT_DISABLED", "LEGAL_BASIS_REQUIREMENT_ENABLED",
    "MANUAL_PASSWORD_RESET_EMAIL_SEND", "MANUAL_REGISTRATION_EMAIL_SEND",
    "MARKETING_CONTACTS_APP_SETTINGS_DISABLED", "MARKETING_CONTACTS_APP_SETTINGS_ENABLED",
    "MERGE_REVERT", "MODIFY_WEBHOOK_IN_WORKFLOW",
    "MULTI_ACCOUNT_REPORTING_CONNECTION_ADDED",
    "MULTI_ACCOUNT_REPORTING_CONNECTION_REMOVED",
    "MULTI_ACCOUNT_WORKFLOWS_CONNECTION_ADDED",
    "MULTI_ACCOUNT_WORKFLOWS_CONNECTION_REMOVED", "NEVER_LOG_FOR_PORTAL_ADDITION",
    "NEVER_LOG_FOR_PORTAL_DELETION", "NEVER_LOG_FOR_USER_ADDITION",
    "NEVER_LOG_FOR_USER_DELETION", "PASSKEY_ADDED", "PASSKEY_DELETED",
    "PAYMENT_ACCOUNT_CREATION", "PAYMENT_ACCOUNT_INFO_UPDATE",
    "PAYMENT_BANK_ACCOUNT_CHANGE", "PAYMENT_ONBOARDING_LINK_SEND",
    "PERSONAL_ACCESS_KEY_CREATE", "PERSONAL_ACCESS_KEY_DEACTIVATE",
    "PERSONAL_ACCESS_KEY_ROTATE", "PERSONAL_ACCESS_KEY_VIEW",
    "PRIVATE_APP_ACCESS_TOKEN_CREATE", "PRIVATE_APP_ACCESS_TOKEN_DEACTIVATE",
    "PRIVATE_APP_ACCESS_TOKEN_ROTATE", "PRIVATE_APP_ACCESS_TOKEN_VIEW",
    "PRIVATE_APP_CLIENT_SECRET_VIEW", "PRIVATE_APP_CLIENT_SECRET_WRITE",
    "PRIVATE_APP_SCOPE_GROUPS_UPDATE", "PRODUCTION_DEPLOYMENT",
    "PROPERTY_HISTORY_REVISION", "PUBLIC_APP_CLIENT_SECRET_VIEW",
    "PUBLIC_APP_CLIENT_SECRET_WRITE", "REACTIVATE_USER", "REMOVE_ADMIN_PERMISSIONS",
    "REMOVE_ADMIN_USER", "REMOVE_SINGLE_SIGN_ON", "REMOVE_TWO_FACTOR_AUTHENTICATION",
    "REMOVE_USER", "REQUIRE_SINGLE_SIGN_ON", "RESTRICTED_LIST_ADDED_TO_CONTENT",
    "SANDBOX_CREATION", "SANDBOX_DELETION", "SANDBOX_SYNC", "SANDBOX_SYNC_TO_PRODUCTION",
    "SECRET_ADDED_TO_SERVERLESS_FUNCTION", "SENSITIVE_DATA_DISABLED",
    "SENSITIVE_DATA_ENABLED", "SEQUENCE_CLONED", "SEQUENCE_CREATED",
    "SEQUENCE_ENROLLMENT_INITIATED", "SEQUENCE_ENROLLMENT_STATE_CHANGED",
    "SEQUENCE_MODIFIED", "SERVICE_KEY_AUTO_ROTATE", "SERVICE_KEY_CREATE",
    "SERVICE_KEY_DEACTIVATE", "SERVICE_KEY_PERMISSIONS_UPDATE", "SERVICE_KEY_REVEAL",
    "SERVICE_KEY_ROTATE", "SERVICE_KEY_ROTATION_SCHEDULE_REMOVED",
    "SERVICE_KEY_ROTATION_SCHEDULE_SET", "SERVICE_KEY_ROTATION_SCHEDULE_UPDATED",
    "SMTP_TOKEN_CREATED", "SMTP_TOKEN_DELETED", "SMTP_TOKEN_PASSWORD_RESET",
    "SMTP_TOKEN_RETRIEVED", "TEAM_ADDED", "TEAM_DELETED", "TEAM_USER_ADDED",
    "TEAM_USER_DELETED", "TEMPLATE_DELETED", "TEMPLATE_MODIFIED", "TOUCHLESS_PURCHASE",
    "TWO_FACTOR_PROTECTED_ENDPOINT_BLOCKED", "TWO_FACTOR_PROTECTED_ENDPOINT_SUCCEEDED",
    "UNIFIED_RESTORE_UNDO_EXECUTION", "UNINSTALL_INTEGRATION", "UNREQUIRE_SINGLE_SIGN_ON",
    "WEBHOOK_SETTINGS_UPDATE", "WEBHOOK_SUBSCRIPTION_CREATE",
    "WEBHOOK_SUBSCRIPTION_UPDATE",
})  # fmt: skip

#: Burst limits of private apps per 10 seconds ("Increasing our API limits", changelog):
#: Professional and Enterprise 190; with the API Limit Increase pack 250.
BURST_PER_10S = 190
#: Rate-limit headers on every answer (API usage guidelines; changelog 2018-11-06).
RATE_LIMIT_HEADERS = (
    "X-HubSpot-RateLimit-Daily",
    "X-HubSpot-RateLimit-Daily-Remaining",
    "X-HubSpot-RateLimit-Interval-Milliseconds",
    "X-HubSpot-RateLimit-Max",
    "X-HubSpot-RateLimit-Remaining",
)
