"""Salesforce user permissions mapped onto crmscan's normalized vocabulary.

Keys are the part after ``Permissions`` in PermissionSet field names (the org's
describe decides which exist; this table only says what they mean). Permissions not
listed here are kept in ``raw_permissions`` only.
"""

from __future__ import annotations

from collections.abc import Iterable

from scanner.model.inventory import PERMISSIONS

PERMISSION_MAP: dict[str, tuple[str, ...]] = {
    # Every key is a documented PermissionSet / Profile field ``Permissions<Key>``
    # (Salesforce Field Reference; the table in docs/api/salesforce.md has the labels).
    "ModifyAllData": ("data.modify_all",),
    "ViewAllData": ("data.view_all",),
    "DataExport": ("data.export",),
    "ExportReport": ("data.export",),
    "ViewEncryptedData": ("data.view_encrypted",),
    "ManageEncryptionKeys": ("data.manage_encryption",),
    "ManageUsers": ("users.manage",),
    "ManageInternalUsers": ("users.manage",),
    "ResetPasswords": ("users.reset_passwords",),
    "CustomizeApplication": ("setup.customize",),
    "ModifyMetadata": ("setup.customize",),
    "ViewSetup": ("setup.view",),
    "ManageSharing": ("setup.manage_sharing",),
    "ManageProfilesPermissionsets": ("setup.manage_profiles",),
    "AssignPermissionSets": ("setup.manage_profiles",),
    "ManageIpAddresses": ("setup.manage_ip_ranges",),
    "ManageAuthProviders": ("setup.manage_auth",),
    "ManageTwoFactor": ("setup.manage_auth",),  # "Manage MFA in API"
    "DelegatedTwoFactor": ("setup.manage_auth",),  # "Manage MFA in User Interface"
    "ManagePasswordPolicies": ("setup.manage_auth",),
    "ManageLoginAccessPolicies": ("setup.manage_auth",),
    "AuthorApex": ("code.author",),
    "ApiEnabled": ("api.enabled",),
    # Only present where Salesforce Support enabled API Access Control.
    "UseAnyApiClient": ("api.any_client",),
    "CanApproveUninstalledApps": ("apps.approve_uninstalled",),
    "ManageRemoteAccess": ("apps.manage",),  # label "Manage Connected Apps"
    "BypassMFAForUiLogins": ("mfa.bypass",),
    "ViewEventLogFiles": ("audit.view",),
    "MonitorLoginHistory": ("audit.view",),
}

#: Raw permissions that mark an identity as API-only (an integration user).
API_ONLY_PERMISSION = "ApiUserOnly"
#: "Is Single Sign-On Enabled": the user is expected to sign in through SSO.
SSO_PERMISSION = "IsSsoEnabled"

assert all(n in PERMISSIONS for names in PERMISSION_MAP.values() for n in names)


def normalize(raw: Iterable[str]) -> list[str]:
    """Sorted normalized names for raw permission names (without the prefix)."""
    out: set[str] = set()
    for name in raw:
        out.update(PERMISSION_MAP.get(name, ()))
    return sorted(out)


def permission_fields(describe_fields: Iterable[str]) -> list[str]:
    """Every ``Permissions*`` boolean field name from a PermissionSet describe."""
    return sorted(f for f in describe_fields if f.startswith("Permissions") and f != "Permissions")
