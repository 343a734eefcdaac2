"""Write ``adapters/salesforce/demo/sample_org.json``: the fictional "Acme Outfitters" org.

Deterministic (seeded). Planted problems the checks must flag:

* AUTH-002: two System Administrators have no MFA method (Bob Ng, Dana Ruiz);
* PRIV-005: an administrator (Carol Diaz) has not logged in for 150 days;
* PRIV-009: the integration user's profile grants Modify All Data;
* ENC-002: Contact.SSN__c is sensitive but not encrypted;
* AUTH-008: the session timeout is 12 hours.

Smaller issues: a connected app open to all users with refresh tokens valid until
revoked, an OAuth token unused for 200 days, a user on the standard "Standard User"
profile, a burst of failed logins, the guest profile reading Accounts.

Run: ``python scripts/make_salesforce_sample_org.py`` (then re-record the demo with
``scripts/record_salesforce_demo.py``).
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ANCHOR = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)
#: Acme's SAML single sign-on configuration (Okta); its logins carry this id in
#: LoginHistory.AuthenticationServiceId.
SAML_CONFIG_ID = "0LE000000000001AAA"
OUT = Path(__file__).resolve().parent.parent / "adapters/salesforce/demo/sample_org.json"
PERMISSIONS = [
    "ApiEnabled",
    "ApiUserOnly",
    "AssignPermissionSets",
    "AuthorApex",
    "BypassMFAForUiLogins",
    "ConvertLeads",
    "CustomizeApplication",
    "DataExport",
    "EditEvent",
    "EditTask",
    "ExportReport",
    "ForceTwoFactor",
    "ManageAuthProviders",
    "ManageRemoteAccess",
    "CanApproveUninstalledApps",
    "IsSsoEnabled",
    "MonitorLoginHistory",
    "ManageDashboards",
    "ManageEncryptionKeys",
    "ManageInternalUsers",
    "ManageIpAddresses",
    "ManageProfilesPermissionsets",
    "ManageRoles",
    "ManageSharing",
    "ManageTwoFactor",
    "ManageUsers",
    "ModifyAllData",
    "ModifyMetadata",
    "ResetPasswords",
    "RunReports",
    "SendEmail",
    "UseAnyApiClient",
    "ViewAllData",
    "ViewAllUsers",
    "ViewEncryptedData",
    "ViewEventLogFiles",
    "ViewSetup",
    "ViewRoles",
    "EmailSingle",
    "ImportPersonal",
    "ManageCases",
    "TransferAnyEntity",
    "ActivitiesAccess",
    "ChatterInternalUser",
]
ADMIN_PERMS = [
    p
    for p in PERMISSIONS
    if p not in ("ApiUserOnly", "BypassMFAForUiLogins", "ViewEncryptedData", "ManageEncryptionKeys")
]
STANDARD_PERMS = [
    "ApiEnabled",
    "ConvertLeads",
    "EditEvent",
    "EditTask",
    "RunReports",
    "SendEmail",
    "EmailSingle",
    "ActivitiesAccess",
    "ChatterInternalUser",
    "ExportReport",
]
#: Acme's own profiles leave out API access and report export (granted by permission sets).
HARDENED_PERMS = [p for p in STANDARD_PERMS if p not in ("ApiEnabled", "ExportReport")]


#: TwoFactorMethodsInfo flag -> the VerificationMethod of a challenge answered with it.
VERIFY_METHODS = {
    "HasSalesforceAuthenticator": "SalesforceAuthenticator",
    "HasTotp": "Totp",
    "HasU2F": "U2F",
    "HasSecurityKey": "U2F",  # the documented picklist has no SecurityKey value
    "HasBuiltInAuthenticator": "BuiltInAuthenticator",
}


def sfid(prefix: str, n: int) -> str:
    """An 18-character Salesforce-shaped id."""
    return f"{prefix}{n:012d}AAA"[:18]


def ts(days_before: float, hour: int = 9) -> str:
    """A Salesforce datetime ``days_before`` the anchor."""
    moment = (ANCHOR - timedelta(days=days_before)).replace(hour=hour, minute=12)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def after(stamp: str, seconds: int) -> str:
    """The Salesforce datetime ``seconds`` after ``stamp``."""
    moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.000+0000") + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def build() -> dict[str, Any]:
    """The fixture."""
    rnd = random.Random(20261101)
    lic = {
        name: sfid("100", i)
        for i, name in enumerate(
            [
                "Salesforce",
                "Salesforce Platform",
                "Salesforce Integration",
                "Customer Community",
                "Guest User License",
            ],
            1,
        )
    }
    profile_defs = [
        ("System Administrator", "Salesforce", False, ADMIN_PERMS),
        ("Standard User", "Salesforce", False, STANDARD_PERMS),
        ("Read Only", "Salesforce", False, ["RunReports", "ActivitiesAccess"]),
        ("Acme Sales", "Salesforce", True, HARDENED_PERMS),
        ("Acme Support", "Salesforce", True, HARDENED_PERMS + ["ManageCases"]),
        (
            "Acme Integration",
            "Salesforce Integration",
            True,
            ["ApiEnabled", "ApiUserOnly", "ModifyAllData", "ViewAllData", "ViewSetup"],
        ),
        (
            "Acme Reporting API",
            "Salesforce Integration",
            True,
            ["ApiEnabled", "ApiUserOnly", "RunReports"],
        ),
        ("Acme Customer Community", "Customer Community", True, ["EditTask"]),
        ("Acme Site Guest", "Guest User License", True, []),
    ]
    profiles, permsets = [], []
    pid: dict[str, str] = {}
    owned: dict[str, str] = {}
    for i, (name, license_name, custom, grants) in enumerate(profile_defs, 1):
        pid[name] = sfid("00e", i)
        owned[name] = sfid("0PS", 100 + i)
        profiles.append(
            {
                "Id": pid[name],
                "Name": name,
                "UserLicenseId": lic[license_name],
                "UserType": "Guest" if "Guest" in name else "Standard",
            }
        )
        permsets.append(
            {
                "Id": owned[name],
                "Name": f"X00e{i:03d}profile",
                "Label": f"00e{i}",
                "IsOwnedByProfile": True,
                "ProfileId": pid[name],
                "IsCustom": custom,
                "Type": "Profile",
                "PermissionSetGroupId": None,
                "grants": grants,
            }
        )
    set_defs = [
        ("Sales_Ops", "Sales Operations", ["ExportReport", "ManageDashboards"]),
        ("Report_Builder", "Report Builder", ["RunReports", "ManageDashboards"]),
        ("Data_Export_Approved", "Approved Data Export", ["DataExport", "ExportReport"]),
        (
            "Encryption_Admin",
            "Encryption Administrator",
            ["ManageEncryptionKeys", "ViewEncryptedData", "ViewSetup"],
        ),
        ("Support_Escalations", "Support Escalations", ["ManageCases", "TransferAnyEntity"]),
        ("Login_Troubleshooting", "Login Troubleshooting", ["ResetPasswords", "ViewSetup"]),
    ]
    psid: dict[str, str] = {}
    for i, (name, label, grants) in enumerate(set_defs, 1):
        psid[name] = sfid("0PS", 200 + i)
        permsets.append(
            {
                "Id": psid[name],
                "Name": name,
                "Label": label,
                "IsOwnedByProfile": False,
                "ProfileId": None,
                "IsCustom": True,
                "Type": "Regular",
                "PermissionSetGroupId": None,
                "grants": grants,
            }
        )
    group_id = sfid("0PG", 1)
    permsets.append(
        {
            "Id": sfid("0PS", 300),
            "Name": "Sales_Leadership_aggregate",
            "Label": "Sales Leadership",
            "IsOwnedByProfile": False,
            "ProfileId": None,
            "IsCustom": True,
            "Type": "Group",
            "PermissionSetGroupId": group_id,
            "grants": ["ExportReport", "ManageDashboards", "RunReports"],
        }
    )
    groups = [
        {
            "Id": group_id,
            "DeveloperName": "Sales_Leadership",
            "MasterLabel": "Sales Leadership",
            "Status": "Updated",
        }
    ]
    components = [
        {"Id": sfid("0PJ", i), "PermissionSetGroupId": group_id, "PermissionSetId": psid[n]}
        for i, n in enumerate(["Sales_Ops", "Report_Builder"], 1)
    ]
    roles = [
        ("CEO", None),
        ("VP Sales", "CEO"),
        ("Sales Rep", "VP Sales"),
        ("VP Support", "CEO"),
        ("Support Agent", "VP Support"),
    ]
    rid = {name: sfid("00E", i) for i, (name, _) in enumerate(roles, 1)}
    user_roles = [
        {
            "Id": rid[n],
            "Name": n,
            "DeveloperName": n.replace(" ", "_"),
            "ParentRoleId": rid.get(p or ""),
        }
        for n, p in roles
    ]

    users: list[dict[str, Any]] = []
    mfa: list[dict[str, Any]] = []
    logins: list[dict[str, Any]] = []
    verifications: list[dict[str, Any]] = []
    assignments: list[dict[str, Any]] = []

    def add_user(
        first: str,
        last: str,
        profile: str,
        *,
        role: str | None = None,
        last_login: float | None = 2,
        active: bool = True,
        created: float = 400,
        user_type: str = "Standard",
        methods: tuple[str, ...] = ("HasTotp",),
        login_style: str = "sso",
        sets: tuple[str, ...] = (),
        contact: str | None = None,
        username: str | None = None,
    ) -> str:
        uid = sfid("005", len(users) + 1)
        users.append(
            {
                "Id": uid,
                "Name": f"{first} {last}".strip(),
                "Username": username or f"{first}.{last}@acme-outfitters.example".lower(),
                "Email": f"{first}.{last}@acme-outfitters.example".lower(),
                "IsActive": active,
                "UserType": user_type,
                "CreatedDate": ts(created),
                "ProfileId": pid[profile],
                "LastLoginDate": ts(last_login) if last_login is not None else None,
                "UserRoleId": rid.get(role or ""),
                "ContactId": contact,
            }
        )
        mfa.append(
            {
                "Id": sfid("0Tf", len(users)),
                "UserId": uid,
                **{
                    flag: flag in methods
                    for flag in (
                        "HasBuiltInAuthenticator",
                        "HasSalesforceAuthenticator",
                        "HasSecurityKey",
                        "HasTempCode",
                        "HasTotp",
                        "HasU2F",
                        "HasUserVerifiedEmailAddress",
                        "HasUserVerifiedMobileNumber",
                        "HasVerifiedMobileNumber",
                    )
                },
            }
        )
        assignments.append(
            {
                "Id": sfid("0Pa", len(assignments) + 1),
                "AssigneeId": uid,
                "PermissionSetId": owned[profile],
                "PermissionSetGroupId": None,
            }
        )
        for name in sets:
            is_group = name == "Sales_Leadership"
            assignments.append(
                {
                    "Id": sfid("0Pa", len(assignments) + 1),
                    "AssigneeId": uid,
                    "PermissionSetId": sfid("0PS", 300) if is_group else psid[name],
                    "PermissionSetGroupId": group_id if is_group else None,
                }
            )
        if active and last_login is not None and last_login <= 30 and login_style != "none":
            for k in range(rnd.randint(3, 8)):
                day = last_login + k * rnd.uniform(1.5, 3.5)
                if day > 29:
                    break
                login_type, amr, app = {
                    "sso": ("Saml", None, "Browser"),
                    "native": ("Application", None, "Browser"),
                    "api": ("Oauth2", None, "Acme ERP Sync"),
                }[login_style]
                login_id = sfid("0Ya", len(logins) + 1)
                logins.append(
                    {
                        "Id": login_id,
                        "UserId": uid,
                        "LoginTime": ts(day, 8 + k % 9),
                        "LoginType": login_type,
                        "Status": "Success",
                        "SourceIp": "203.0.113.25",
                        "Application": app,
                        "AuthMethodReference": amr,
                        "AuthenticationServiceId": SAML_CONFIG_ID if login_style == "sso" else None,
                    }
                )
                # Direct logins, and SAML logins through Okta (OptionsRequireMfaSaml: Salesforce
                # challenges MFA itself after the assertion), leave VerificationHistory rows.
                if login_style in ("native", "sso"):
                    verify(uid, login_id, day, 8 + k % 9, methods, retry=k == 1)
        return uid

    def verify(
        uid: str, login_id: str, day: float, hour: int, methods: tuple[str, ...], retry: bool
    ) -> None:
        """VerificationHistory rows of a direct login: Salesforce's MFA challenge when the
        user has a strong method, else the email code that activates a new browser (not
        MFA). ``retry``: a wrong code first, then the right one, in one attempt."""
        method = next(
            (VERIFY_METHODS[m] for m in methods if m in VERIFY_METHODS),
            "Email" if "HasUserVerifiedEmailAddress" in methods else None,
        )
        if method is None:  # nothing to verify with: Salesforce let the password through
            return
        group = len(verifications) + 1
        outcomes = (["FailedInvalidCode"] if retry and method == "Totp" else []) + ["Succeeded"]
        for second, status in enumerate(outcomes, 20):
            verifications.append(
                {
                    "Id": sfid("0Vh", len(verifications) + 1),
                    "UserId": uid,
                    "Activity": "Login",
                    "Status": status,
                    "VerificationMethod": method,
                    "VerificationTime": after(ts(day, hour), second),
                    "LoginHistoryId": login_id,
                    "EventGroup": group,
                    "Policy": "TwoFactorAuthentication"
                    if method != "Email"
                    else "IdentityVerification",
                    "SourceIp": "203.0.113.25",
                }
            )

    add_user(
        "Alice",
        "Moreno",
        "System Administrator",
        role="CEO",
        methods=("HasU2F", "HasSalesforceAuthenticator"),
        sets=("Encryption_Admin",),
    )
    add_user("Bob", "Ng", "System Administrator", methods=(), login_style="native")
    add_user(
        "Dana",
        "Ruiz",
        "System Administrator",
        methods=("HasUserVerifiedEmailAddress",),
        login_style="native",
        last_login=6,
    )
    add_user(
        "Carol", "Diaz", "System Administrator", last_login=150, created=900, methods=("HasTotp",)
    )
    add_user(
        "",
        "Integration",
        "Acme Integration",
        login_style="api",
        methods=(),
        username="integration@acme-outfitters.example",
    )
    add_user(
        "Reporting",
        "API",
        "Acme Reporting API",
        login_style="api",
        methods=(),
        username="reporting-api@acme-outfitters.example",
    )
    first_names = [
        "Ava",
        "Ben",
        "Chloe",
        "Dev",
        "Elena",
        "Farah",
        "Gus",
        "Hana",
        "Ivan",
        "Jade",
        "Kofi",
        "Lena",
        "Mateo",
        "Nia",
        "Omar",
        "Priya",
        "Quinn",
        "Rosa",
        "Sam",
        "Tara",
        "Uma",
        "Victor",
        "Wen",
        "Xavi",
        "Yara",
        "Zane",
        "Aiko",
        "Bruno",
        "Cora",
        "Dmitri",
        "Esme",
        "Felix",
        "Gita",
        "Hugo",
        "Ines",
        "Jonas",
        "Kira",
        "Luis",
        "Mei",
        "Nils",
        "Olga",
    ]
    last_names = ["Lee", "Patel", "Kim", "Okafor", "Rossi", "Silva", "Novak", "Haddad"]
    for i, first in enumerate(first_names):
        last = last_names[i % len(last_names)]
        if i < 22:
            sets = ("Sales_Ops",) if i % 5 == 0 else (("Sales_Leadership",) if i == 1 else ())
            if i == 3:
                sets = ("Data_Export_Approved",)
            add_user(
                first,
                last,
                "Acme Sales",
                role="Sales Rep",
                last_login=rnd.randint(0, 20),
                methods=("HasSalesforceAuthenticator",) if i % 2 else ("HasTotp",),
                sets=sets,
                # a few sign in with their Salesforce password and Salesforce's MFA
                login_style="native" if i % 4 in (1, 2) else "sso",
            )
        elif i < 32:
            add_user(
                first,
                last,
                "Acme Support",
                role="Support Agent",
                last_login=rnd.randint(0, 15),
                methods=("HasSalesforceAuthenticator",),
                sets=("Support_Escalations",) if i % 3 == 0 else (),
            )
        elif i == 32:
            add_user(first, last, "Standard User", last_login=4, methods=("HasTotp",))
        elif i > 35:
            add_user(
                first,
                last,
                "Acme Support" if i % 2 else "Acme Sales",
                role="Support Agent" if i % 2 else "Sales Rep",
                last_login=rnd.randint(0, 25),
                methods=("HasBuiltInAuthenticator",),
            )
        elif i == 33:
            add_user(first, last, "Acme Sales", active=False, last_login=300, created=800)
        else:
            add_user(
                first,
                last,
                "Acme Support",
                last_login=None,
                created=10,
                methods=(),
                login_style="none",
            )
    add_user(
        "Marta",
        "Klein",
        "Acme Customer Community",
        user_type="PowerCustomerSuccess",
        contact=sfid("003", 1),
        methods=("HasUserVerifiedEmailAddress",),
        login_style="none",
    )
    add_user(
        "Site",
        "Guest User",
        "Acme Site Guest",
        user_type="Guest",
        last_login=None,
        methods=(),
        login_style="none",
        username="acme_site@acme-outfitters.example",
    )
    add_user(
        "Automated",
        "Process",
        "Read Only",
        user_type="AutomatedProcess",
        last_login=None,
        methods=(),
        login_style="none",
        username="autoproc@00d5g000004acmeea2",
    )
    # A burst of failed logins against one sales user.
    burst_user = users[8]["Id"]
    for k in range(12):
        logins.append(
            {
                "Id": sfid("0Ya", len(logins) + 1),
                "UserId": burst_user,
                "LoginTime": ts(3, 2).replace(":12:", f":{10 + k * 4:02d}:"),
                "LoginType": "Application",
                "Status": "Invalid Password",
                "SourceIp": "198.51.100.77",
                "Application": "Browser",
                "AuthMethodReference": None,
            }
        )

    sensitive = ["Contact", "Lead", "Account", "Opportunity", "Case"]
    obj_rows = []

    def obj_perm(parent: str, obj: str, read: bool, edit: bool, all_: bool = False) -> None:
        obj_rows.append(
            {
                "Id": sfid("110", len(obj_rows) + 1),
                "ParentId": parent,
                "SobjectType": obj,
                "PermissionsRead": read,
                "PermissionsCreate": edit,
                "PermissionsEdit": edit,
                "PermissionsDelete": edit and all_,
                "PermissionsViewAllRecords": all_,
                "PermissionsModifyAllRecords": all_,
            }
        )

    for obj in sensitive:
        obj_perm(owned["System Administrator"], obj, True, True, True)
        obj_perm(owned["Acme Integration"], obj, True, True, True)
        obj_perm(owned["Acme Sales"], obj, True, obj != "Case")
        obj_perm(owned["Acme Support"], obj, obj != "Opportunity", obj == "Case")
        obj_perm(owned["Standard User"], obj, True, True)
    obj_perm(owned["Acme Site Guest"], "Account", True, False)
    obj_perm(owned["Acme Customer Community"], "Case", True, True)
    fields = ["Contact.SSN__c", "Contact.Birthdate", "Account.BankAccount__c"]
    field_rows = []
    for parent, readable, editable in [
        (owned["System Administrator"], fields, fields),
        (owned["Acme Support"], ["Contact.SSN__c", "Contact.Birthdate"], []),
        (owned["Acme Sales"], ["Contact.Birthdate"], ["Contact.Birthdate"]),
        (owned["Acme Integration"], fields, fields),
    ]:
        for name in readable:
            field_rows.append(
                {
                    "Id": sfid("01k", len(field_rows) + 1),
                    "ParentId": parent,
                    "SobjectType": name.split(".")[0],
                    "Field": name,
                    "PermissionsRead": True,
                    "PermissionsEdit": name in editable,
                }
            )
    return {
        "anchor": ts(0, 9),
        "permission_fields": sorted(PERMISSIONS),
        "sobjects": {
            "Organization": [
                {
                    "Id": "00D5g000004ACMEEA2",
                    "Name": "Acme Outfitters",
                    "OrganizationType": "Enterprise Edition",
                    "IsSandbox": False,
                    "InstanceName": "NA212",
                    "CreatedDate": ts(2400),
                }
            ],
            "UserLicense": [{"Id": v, "Name": k, "Status": "Active"} for k, v in lic.items()],
            "Profile": profiles,
            "PermissionSet": permsets,
            "PermissionSetGroup": groups,
            "PermissionSetGroupComponent": components,
            "PermissionSetAssignment": assignments,
            "UserRole": user_roles,
            "User": users,
            "TwoFactorMethodsInfo": mfa,
            "LoginHistory": logins,
            "VerificationHistory": verifications,
            "ObjectPermissions": obj_rows,
            "FieldPermissions": field_rows,
            "LoginIpRange": [
                {
                    "Id": sfid("0Iq", 1),
                    "ProfileId": pid["System Administrator"],
                    "StartAddress": "203.0.113.0",
                    "EndAddress": "203.0.113.255",
                    "Description": "HQ office",
                },
                {
                    "Id": sfid("0Iq", 2),
                    "ProfileId": pid["Acme Integration"],
                    "StartAddress": "198.51.100.10",
                    "EndAddress": "198.51.100.10",
                    "Description": "ERP integration host",
                },
            ],
            "TenantSecret": [
                {
                    "Id": sfid("02G", 1),
                    "Type": "Data",
                    "Status": "ARCHIVED",
                    "Version": 1,
                    "Source": "HSM",
                    "CreatedDate": ts(560),
                },
                {
                    "Id": sfid("02G", 2),
                    "Type": "Data",
                    "Status": "ACTIVE",
                    "Version": 2,
                    "Source": "HSM",
                    "CreatedDate": ts(190),
                },
                {
                    "Id": sfid("02G", 3),
                    "Type": "DeterministicData",
                    "Status": "ACTIVE",
                    "Version": 1,
                    "Source": "HSM",
                    "CreatedDate": ts(190),
                },
            ],
            "ConnectedApplication": [
                {
                    "Id": sfid("0H4", 1),
                    "Name": "Acme Mobile",
                    "CreatedDate": ts(700),
                    "OptionsAllowAdminApprovedUsersOnly": True,
                    "RefreshTokenValidityPeriod": 90,
                    "OptionsRefreshTokenValidityMetric": False,
                },
                {
                    "Id": sfid("0H4", 2),
                    "Name": "Acme ERP Sync",
                    "CreatedDate": ts(500),
                    "OptionsAllowAdminApprovedUsersOnly": True,
                    "RefreshTokenValidityPeriod": 30,
                    "OptionsRefreshTokenValidityMetric": True,
                },
                {
                    "Id": sfid("0H4", 3),
                    "Name": "Marketing Sync",
                    "CreatedDate": ts(260),
                    "OptionsAllowAdminApprovedUsersOnly": False,
                    "RefreshTokenValidityPeriod": None,
                    "OptionsRefreshTokenValidityMetric": False,
                },
            ],
            "OauthToken": [
                {
                    "Id": sfid("0CQ", 1),
                    "AppName": "Acme ERP Sync",
                    "UserId": users[4]["Id"],
                    "CreatedDate": ts(400),
                    "LastUsedDate": ts(0.2),
                    "UseCount": 48211,
                },
                {
                    "Id": sfid("0CQ", 2),
                    "AppName": "Acme Mobile",
                    "UserId": users[7]["Id"],
                    "CreatedDate": ts(90),
                    "LastUsedDate": ts(1),
                    "UseCount": 310,
                },
                {
                    "Id": sfid("0CQ", 3),
                    "AppName": "Marketing Sync",
                    "UserId": users[2]["Id"],
                    "CreatedDate": ts(250),
                    "LastUsedDate": ts(200),
                    "UseCount": 12,
                },
            ],
            # One sales rep is frozen (left, account kept for records): not active.
            "UserLogin": [
                {
                    "Id": sfid("060", i + 1),
                    "UserId": u["Id"],
                    "IsFrozen": i == 30,
                    "IsPasswordLocked": False,
                }
                for i, u in enumerate(users)
            ],
            "SetupAuditTrail": [
                {
                    "Id": sfid("0Ym", i + 1),
                    "Action": action,
                    "Section": section,
                    "Display": display,
                    "CreatedDate": ts(days),
                    "CreatedById": users[0]["Id"],
                    "DelegateUser": None,
                    "CreatedByContext": None,
                    "CreatedByIssuer": None,
                }
                for i, (days, action, section, display) in enumerate(
                    [
                        (
                            179,
                            "PermSetCreate",
                            "Manage Users",
                            "Created permission set Login_Troubleshooting",
                        ),
                        (
                            90,
                            "changedPasswordPolicy",
                            "Password Policies",
                            "Changed password expiration",
                        ),
                        (12, "sessionTimeout", "Session Settings", "Changed timeout to 12 hours"),
                    ]
                )
            ],
            "SamlSsoConfig": [
                {
                    "Id": SAML_CONFIG_ID,
                    "DeveloperName": "Okta",
                    "MasterLabel": "Okta",
                    "Issuer": "http://www.okta.com/exk1acme",
                    "LoginUrl": "https://acme-outfitters.my.salesforce.com?so=00D5g000004ACME",
                    "OptionsRequireMfaSaml": True,
                    "OptionsUserProvisioning": False,
                }
            ],
            "AuthProvider": [],
            "NamedCredential": [
                {
                    "Id": sfid("0XA", 1),
                    "DeveloperName": "ERP_API",
                    "MasterLabel": "ERP API",
                    "Endpoint": "https://erp.acme-outfitters.example/api",
                    "PrincipalType": "NamedUser",
                    "CreatedDate": ts(500),
                },
            ],
            # DATA: duplicate management. Planted: Lead's duplicate rule is inactive and its
            # matching rule too, so Lead has no active duplicate rule (DATA-002 FAIL).
            "DuplicateRule": [
                {
                    "Id": sfid("0Bm", 1),
                    "DeveloperName": "Standard_Account_Duplicate_Rule",
                    "MasterLabel": "Standard Account Duplicate Rule",
                    "IsActive": True,
                    "SobjectType": "Account",
                },
                {
                    "Id": sfid("0Bm", 2),
                    "DeveloperName": "Standard_Contact_Duplicate_Rule",
                    "MasterLabel": "Standard Contact Duplicate Rule",
                    "IsActive": True,
                    "SobjectType": "Contact",
                },
                {
                    "Id": sfid("0Bm", 3),
                    "DeveloperName": "Standard_Lead_Duplicate_Rule",
                    "MasterLabel": "Standard Lead Duplicate Rule",
                    "IsActive": False,
                    "SobjectType": "Lead",
                },
            ],
            "MatchingRule": [
                {
                    "Id": sfid("0JD", 1),
                    "DeveloperName": "Standard_Account_Match_Rule_v1_0",
                    "MasterLabel": "Standard Account Matching Rule",
                    "RuleStatus": "Active",
                    "SobjectType": "Account",
                },
                {
                    "Id": sfid("0JD", 2),
                    "DeveloperName": "Standard_Contact_Match_Rule_v1_1",
                    "MasterLabel": "Standard Contact Matching Rule",
                    "RuleStatus": "Active",
                    "SobjectType": "Contact",
                },
                {
                    "Id": sfid("0JD", 3),
                    "DeveloperName": "Standard_Lead_Match_Rule_v1_0",
                    "MasterLabel": "Standard Lead Matching Rule",
                    "RuleStatus": "Inactive",
                    "SobjectType": "Lead",
                },
            ],
            # Data Protection and Privacy is on: Individual records exist.
            "Individual": [
                {"Id": sfid("0PK", n), "LastModifiedDate": ts(30 * n)} for n in range(1, 5)
            ],
            # Counted, never read (DATA-007). Planted: two leads untouched for over 3 years.
            "Contact": [
                {"Id": sfid("003", n), "LastModifiedDate": ts(days)}
                for n, days in enumerate((3, 40, 200, 700, 1000), start=1)
            ],
            "Lead": [
                {"Id": sfid("00Q", n), "LastModifiedDate": ts(days)}
                for n, days in enumerate((10, 90, 1200, 1500), start=1)
            ],
            "Account": [
                {"Id": sfid("001", n), "LastModifiedDate": ts(days)}
                for n, days in enumerate((5, 2000), start=1)
            ],
        },
        "tooling": {
            # DATA: the objects, their validation rules and field history tracking.
            "EntityDefinition": [
                {
                    "Id": sfid("000", n),
                    "DurableId": name,
                    "QualifiedApiName": name,
                    "IsCustomizable": True,
                }
                for n, name in enumerate(
                    ("Account", "Contact", "Lead", "Opportunity", "Case", "Individual"), start=1
                )
            ],
            "ValidationRule": [
                {
                    "Id": sfid("03d", 1),
                    "ValidationName": "Billing_Country_Required",
                    "Active": True,
                    "EntityDefinitionId": "Account",
                    "ErrorMessage": "Billing country is required",
                },
                {
                    "Id": sfid("03d", 2),
                    "ValidationName": "Email_Format",
                    "Active": True,
                    "EntityDefinitionId": "Contact",
                    "ErrorMessage": "Enter a valid e-mail address",
                },
                {
                    "Id": sfid("03d", 3),
                    "ValidationName": "Company_Required",
                    "Active": True,
                    "EntityDefinitionId": "Lead",
                    "ErrorMessage": "Company is required",
                },
                {
                    "Id": sfid("03d", 4),
                    "ValidationName": "Old_Phone_Format",
                    "Active": False,
                    "EntityDefinitionId": "Lead",
                    "ErrorMessage": "Use +country format",
                },
            ],
            # Planted: Contact.Birthdate is sensitive but its history is not tracked.
            "FieldDefinition": [
                {
                    "Id": sfid("00N", n),
                    "DurableId": f"{obj}.{field}",
                    "EntityDefinitionId": obj,
                    "QualifiedApiName": field,
                    "IsFieldHistoryTracked": tracked,
                    "DataType": kind,
                }
                for n, (obj, field, tracked, kind) in enumerate(
                    (
                        ("Contact", "SSN__c", True, "Text(11)"),
                        ("Contact", "Birthdate", False, "Date"),
                        ("Contact", "Email", True, "Email"),
                        ("Contact", "IndividualId", False, "Lookup(Individual)"),
                        ("Contact", "HasOptedOutOfEmail", True, "Checkbox"),
                        ("Lead", "IndividualId", False, "Lookup(Individual)"),
                        ("Lead", "HasOptedOutOfEmail", True, "Checkbox"),
                        ("Lead", "Email", False, "Email"),
                        ("Account", "BankAccount__c", True, "Text(34)"),
                    ),
                    start=1,
                )
            ],
            "SecurityHealthCheck": [
                {
                    "Id": sfid("0Hc", 1),
                    "DurableId": "0Hc000000000001",
                    "Score": "71",
                    "CustomBaselineId": None,
                }
            ],
            "SecurityHealthCheckRisks": [
                {
                    "Id": sfid("0Hr", i),
                    "DurableId": d,
                    "Setting": s,
                    "SettingGroup": g,
                    "RiskType": r,
                    "SettingRiskCategory": c,
                    "OrgValue": o,
                    "StandardValue": v,
                }
                for i, (d, s, g, r, c, o, v) in enumerate(
                    [
                        (
                            "SessionSettingsSessionTimeout",
                            "Timeout value",
                            "Session Settings",
                            "HIGH_RISK",
                            "HIGH_RISK",
                            "12 hours",
                            "2 hours",
                        ),
                        (
                            "SessionSettingsLockSessionsToIp",
                            "Lock sessions to the IP address from which they originated",
                            "Session Settings",
                            "MEDIUM_RISK",
                            "MEDIUM_RISK",
                            "Disabled",
                            "Enabled",
                        ),
                        (
                            "PasswordPoliciesMinPasswordLength",
                            "Minimum password length",
                            "Password Policies",
                            "MEETS_STANDARD",
                            "HIGH_RISK",
                            "10",
                            "8",
                        ),
                        (
                            "PasswordPoliciesComplexity",
                            "Password complexity requirement",
                            "Password Policies",
                            "MEETS_STANDARD",
                            "MEDIUM_RISK",
                            "Must include alpha and numeric characters",
                            "Must include alpha and numeric characters",
                        ),
                        (
                            "PasswordPoliciesMaxLoginAttempts",
                            "Maximum invalid login attempts",
                            "Password Policies",
                            "MEETS_STANDARD",
                            "HIGH_RISK",
                            "5",
                            "5",
                        ),
                        (
                            "RemoteSiteSettingsProtocolSecurity",
                            "Remote site settings with protocol security disabled",
                            "Remote Site Settings",
                            "MEDIUM_RISK",
                            "MEDIUM_RISK",
                            "1",
                            "0",
                        ),
                    ],
                    1,
                )
            ],
            "RemoteProxy": [
                {
                    "Id": sfid("0rp", 1),
                    "SiteName": "Acme_ERP",
                    "EndpointUrl": "https://erp.acme-outfitters.example",
                    "IsActive": True,
                    "DisableProtocolSecurity": False,
                    "CreatedDate": ts(500),
                },
                {
                    "Id": sfid("0rp", 2),
                    "SiteName": "Legacy_Shipping",
                    "EndpointUrl": "http://shipping.legacy.example",
                    "IsActive": True,
                    "DisableProtocolSecurity": True,
                    "CreatedDate": ts(1200),
                },
            ],
        },
        "metadata": {
            "SecuritySettings": {
                "Security": {
                    "networkAccess": {
                        "ipRanges": [
                            {
                                "description": "HQ office",
                                "end": "203.0.113.255",
                                "start": "203.0.113.0",
                            }
                        ]
                    },
                    "passwordPolicies": {
                        "complexity": "AlphaNumeric",
                        "expiration": "NinetyDays",
                        "historyRestriction": "3",
                        "lockoutInterval": "FifteenMinutes",
                        "maxLoginAttempts": "FiveAttempts",
                        "minimumPasswordLength": "10",
                        "minimumPasswordLifetime": False,
                        "obscureSecretAnswer": True,
                        "questionRestriction": "DoesNotContainPassword",
                    },
                    "singleSignOnSettings": {
                        "enableCaseInsensitiveFederationID": False,
                        "enableForceDelegatedCallout": False,
                        "enableMultipleSamlConfigs": True,
                        "enableSamlJitProvisioning": False,
                        "enableSamlLogin": True,
                        "isLoginWithSalesforceCredentialsDisabled": False,
                    },
                    "sessionSettings": {
                        "disableTimeoutWarning": False,
                        "enableCSRFOnGet": True,
                        "enableCSRFOnPost": True,
                        "enableClickjackNonsetupSFDC": True,
                        "enableClickjackNonsetupUser": True,
                        "enableClickjackSetup": True,
                        "enableMFADirectUILoginOptIn": True,
                        "enforceIpRangesEveryRequest": False,
                        "forceLogoutOnSessionTimeout": True,
                        "forceRelogin": True,
                        "lockSessionsToDomain": True,
                        "lockSessionsToIp": False,
                        "requireHttpOnly": True,
                        "sessionTimeout": "TwelveHours",
                    },
                }
            },
            "PlatformEncryptionSettings": {
                "PlatformEncryption": {
                    "enableDeterministicEncryption": True,
                    "enableEncryptFieldHistory": True,
                }
            },
            "ProfilePasswordPolicy": {
                "acme_integration_profilePasswordPolicy": {
                    "lockoutInterval": 0,
                    "maxLoginAttempts": 10,
                    "minimumPasswordLength": 20,
                    "minimumPasswordLifetime": False,
                    "obscure": True,
                    "passwordComplexity": 4,
                    "passwordExpiration": 0,
                    "passwordHistory": 5,
                    "passwordQuestion": 1,
                    "profile": "Acme Integration",  # the Metadata API name of the profile
                }
            },
            # Field Audit Trail keeps Contact's field history 18 months + 5 years in the
            # archive; Account has no policy (the 18-month default).
            "CustomObject": {
                "Contact": {
                    "historyRetentionPolicy": {
                        "archiveAfterMonths": 18,
                        "archiveRetentionYears": 5,
                        "description": "Contact history for audits",
                    }
                },
                "Account": {"enableHistory": True},
            },
            "CustomField": {
                "Contact.SSN__c": {
                    "label": "SSN",
                    "type": "Text",
                    "length": 11,
                    "encryptionScheme": "None",
                },
                "Contact.Birthdate": {"encryptionScheme": "ProbabilisticEncryption"},
                "Contact.Email": {"encryptionScheme": "CaseInsensitiveDeterministicEncryption"},
                "Account.BankAccount__c": {
                    "label": "Bank Account",
                    "type": "Text",
                    "length": 34,
                    "encryptionScheme": "ProbabilisticEncryption",
                },
            },
        },
        "schemas": {
            "Account": [
                _f("Id", "id"),
                _f("Name"),
                _f("BankAccount__c", encrypted=True),
                _f("LastModifiedDate", "datetime"),
            ],
            "Lead": [
                _f("Id", "id"),
                _f("Name"),
                _f("Email", "email"),
                _f("LastModifiedDate", "datetime"),
                _f("IndividualId", "reference"),
                _f("HasOptedOutOfEmail", "boolean"),
            ],
            "Individual": [_f("Id", "id"), _f("LastModifiedDate", "datetime")],
            "Opportunity": [_f("Id", "id"), _f("Name"), _f("Amount", "currency")],
            "Contact": [
                _f("Id", "id"),
                _f("Name"),
                _f("Email", "email", True),
                _f("Birthdate", "date", True),
                _f("SSN__c"),
                _f("LastModifiedDate", "datetime"),
                _f("IndividualId", "reference"),
                _f("HasOptedOutOfEmail", "boolean"),
            ],
            "Case": [_f("Id", "id"), _f("Subject")],
        },
        "demo_scope": {
            "sensitive_objects": sensitive,
            "sensitive_fields": fields,
            "login_history_days": 30,
            "key_objects": ["Account", "Contact", "Lead"],
            "personal_data_objects": ["Contact", "Lead"],
            "retention_days": 1095,
        },
    }


def _f(name: str, kind: str = "string", encrypted: bool = False) -> dict[str, Any]:
    return {"name": name, "type": kind, "label": name, "encrypted": encrypted, "nillable": True}


if __name__ == "__main__":
    OUT.write_text(json.dumps(build(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
