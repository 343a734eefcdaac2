"""Synthetic orgs of any size, for pagination tests and the benchmark."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from typing import Any

from tests.emulators.salesforce.org import Org
from tests.emulators.salesforce.soql import SF_DATETIME

PERMISSIONS = [
    "ApiEnabled", "ApiUserOnly", "AuthorApex", "CustomizeApplication", "DataExport",
    "EditTask", "ExportReport", "ManageUsers", "ModifyAllData", "RunReports", "ViewAllData",
    "ViewSetup", "ManageSharing", "ResetPasswords", "ViewEncryptedData", "MonitorLoginHistory",
]  # fmt: skip


def _id(prefix: str, n: int) -> str:
    return f"{prefix}{n:012d}AAA"


def synthetic_org(
    users: int, permission_sets: int, assignments: int, profiles: int = 20, seed: int = 7
) -> Org:
    """An org with the given numbers of users, permission sets and extra assignments.

    ``permission_sets`` counts every PermissionSet record, the ``profiles`` profile-owned
    ones included; ``assignments`` counts PermissionSetAssignment rows (each user's
    profile assignment included, as on a real org).
    """
    rnd = random.Random(seed)
    now = datetime.now(timezone.utc)

    def ts(days: float) -> str:
        return (now - timedelta(days=days)).strftime(SF_DATETIME)

    profile_rows, permsets = [], []
    for i in range(profiles):
        profile_id = _id("00e", i)
        profile_rows.append(
            {"Id": profile_id, "Name": f"Profile {i}", "UserLicenseId": _id("100", 1)}
        )
        permsets.append(
            {
                "Id": _id("0PS", i),
                "Name": f"X00e{i}",
                "Label": f"00e{i}",
                "IsOwnedByProfile": True,
                "ProfileId": profile_id,
                "IsCustom": i > 2,
                "Type": "Profile",
                "grants": rnd.sample(PERMISSIONS, 12 if i == 0 else 3),
            }
        )
    for i in range(profiles, permission_sets):
        permsets.append(
            {
                "Id": _id("0PS", i),
                "Name": f"Set_{i}",
                "Label": f"Set {i}",
                "IsOwnedByProfile": False,
                "ProfileId": None,
                "IsCustom": True,
                "Type": "Regular",
                "grants": rnd.sample(PERMISSIONS, 2),
            }
        )
    user_rows, mfa, assignment_rows = [], [], []
    for n in range(users):
        uid = _id("005", n)
        profile = n % profiles
        user_rows.append(
            {
                "Id": uid,
                "Username": f"user{n}@bench.example",
                "Name": f"User {n}",
                "Email": f"user{n}@bench.example",
                "IsActive": n % 10 != 0,
                "UserType": "Standard",
                "CreatedDate": ts(900),
                "LastLoginDate": ts(rnd.randint(0, 200)),
                "ProfileId": _id("00e", profile),
                "UserRoleId": None,
                "ContactId": None,
            }
        )
        mfa.append(
            {
                "Id": _id("0Tf", n),
                "UserId": uid,
                "HasTotp": n % 3 == 0,
                "HasSalesforceAuthenticator": n % 3 == 1,
            }
        )
        assignment_rows.append(
            {
                "Id": _id("0Pa", len(assignment_rows)),
                "AssigneeId": uid,
                "PermissionSetId": _id("0PS", profile),
            }
        )
    extra = max(0, assignments - len(assignment_rows))
    for k in range(extra):
        assignment_rows.append(
            {
                "Id": _id("0Pa", len(assignment_rows)),
                "AssigneeId": _id("005", k % users),
                "PermissionSetId": _id(
                    "0PS", profiles + (k * 7919) % max(1, permission_sets - profiles)
                ),
            }
        )
    data: dict[str, Any] = {
        "anchor": now.strftime(SF_DATETIME),
        "permission_fields": PERMISSIONS,
        "sobjects": {
            "Organization": [
                {
                    "Id": "00D000000000BENCH",
                    "Name": "Bench Org",
                    "OrganizationType": "Unlimited Edition",
                    "IsSandbox": False,
                }
            ],
            "UserLicense": [{"Id": _id("100", 1), "Name": "Salesforce"}],
            "Profile": profile_rows,
            "PermissionSet": permsets,
            "User": user_rows,
            "TwoFactorMethodsInfo": mfa,
            "PermissionSetAssignment": assignment_rows,
        },
        "metadata": {
            "SecuritySettings": {"Security": {"sessionSettings": {"sessionTimeout": "TwoHours"}}},
            "PlatformEncryptionSettings": {},
            "ProfilePasswordPolicy": {},
            "CustomField": {},
        },
    }
    return Org.from_fixture(data, now)
