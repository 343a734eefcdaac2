"""What Salesforce provides to the scanning user, per collection.

Salesforce has an API for everything crmscan reads; what varies is the permission the
scanning user needs (docs/salesforce.md, "The minimal read-only permission set") and,
for Shield Platform Encryption, the org's licence. Without a permission the adapter
records a ``permission_missing`` gap and the checks say ERROR naming it; an org without
Shield answers that ``TenantSecret`` does not exist, a ``not_available`` gap the checks
report as one MANUAL finding (the licence decides how the control is met).
"""

from __future__ import annotations

from adapters.salesforce.collect_data import BACKUP_REVIEW
from scanner.model.capabilities import Capabilities, needs_edition, needs_permission, no_api

METADATA = "Modify Metadata Through Metadata API Functions (ModifyMetadata), for readMetadata"
VIEW_SETUP = "View Setup and Configuration (ViewSetup)"

SALESFORCE_CAPABILITIES = Capabilities(
    [
        needs_permission("users", "API Enabled and View All Users (ViewAllUsers)"),
        needs_permission(
            "users.login", "Monitor Login History (MonitorLoginHistory) or Manage Users"
        ),
        needs_permission(
            "users.login_mfa", "Manage Users (ManageUsers), to read VerificationHistory"
        ),
        needs_permission("users.frozen", "Manage Users (ManageUsers), to read UserLogin"),
        needs_permission(
            "integrations.oauth_tokens",
            "Customize Application (CustomizeApplication), to see every user's OauthToken",
        ),
        needs_permission("auth.sso", "View Setup and Configuration (ViewSetup), for SamlSsoConfig"),
        needs_permission(
            "monitoring", "Monitor Login History or Manage Users, and View Setup (audit trail)"
        ),
        needs_permission("users.mfa", "Manage Multi-Factor Authentication in API (TwoFactorApi)"),
        needs_permission("permission_sets", VIEW_SETUP),
        needs_permission("roles", "View Roles and Role Hierarchy (ViewRoles)"),
        needs_permission("health_check", "View Health Check (ViewHealthCheck)"),
        needs_permission("integrations", VIEW_SETUP),
        needs_permission("auth.mfa", METADATA),
        needs_permission("auth.password_policy", METADATA),
        needs_permission("auth.session_policy", METADATA),
        needs_permission("auth.network", METADATA),
        needs_permission("encryption.fields", METADATA),
        needs_edition(
            "encryption.at_rest",
            "Shield Platform Encryption (or the Platform Encryption add-on); its keys are "
            "read with View Encryption Keys",
            "review how the org protects data at rest without it and attest the control "
            "in the policy",
        ),
        # The DATA checks' collections (issue 18).
        needs_permission("data.quality", VIEW_SETUP),
        needs_permission("data.field_history", VIEW_SETUP),
        needs_permission(
            "data.history_retention",
            "Metadata API access (Modify Metadata or Customize Application)",
        ),
        needs_edition(
            "data.consent",
            "Data Protection and Privacy enabled (Setup > Data Protection and Privacy); "
            "without it the consent model is reported as off",
        ),
        no_api("data.backup", BACKUP_REVIEW),
        needs_permission(
            "data.retention",
            "read access to the personal-data objects (records are counted only)",
        ),
    ]
)
