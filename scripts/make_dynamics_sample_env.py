"""Generate the fictional Dynamics 365 tenant "Fabrikam Outdoors" for the demo and tests.

Writes ``adapters/dynamics/demo/sample_environment.json``: one Dataverse environment
(organization, business units, privileges, security roles with their privileges and
depths, teams, users, field security profiles) and the Microsoft Graph side of its
tenant (users with sign-in activity, MFA registration, Conditional Access policies,
security defaults), in the services' own JSON shapes. Identifiers are stable (uuid5),
so the file only changes when this script does. Planted problems, each failing under
its catalogue id:

- PRIV-009: the "Fabrikam ERP Connector" application user holds System Administrator;
- AUTH-002: Dana Lee, a System Administrator, has no registered MFA method;
- PRIV-001: eight active users hold System Administrator (the baseline allows five);
- MON-003: auditing (and user access auditing) is switched off.

Run it after changing the sample, then record the demo::

    python scripts/make_dynamics_sample_env.py && python scripts/record_dynamics_demo.py
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "adapters/dynamics/demo/sample_environment.json"
ANCHOR = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
NS = uuid.UUID("8a0f4c1e-6a39-4a0e-9c53-3e2f3b9d7a10")
DOMAIN = "fabrikam-outdoors.example"

#: privilege.accessright values (Read 1, Write 2, Append 4, AppendTo 16, Create 32,
#: Delete 65536, Share 262144, Assign 524288).
ACCESS = {
    "Read": 1,
    "Write": 2,
    "Append": 4,
    "AppendTo": 16,
    "Create": 32,
    "Delete": 65536,
    "Share": 262144,
    "Assign": 524288,
}
BASIC, LOCAL, DEEP, GLOBAL = 1, 2, 4, 8

BUSINESS_TABLES = ("Account", "Contact", "Lead", "Opportunity", "Incident")
ORG_TABLES: dict[str, tuple[str, ...]] = {
    "User": ("Create", "Read", "Write", "Append", "AppendTo"),
    "Role": ("Create", "Read", "Write", "Delete", "Append", "AppendTo", "Assign"),
    "Team": ("Create", "Read", "Write", "Delete", "Append", "AppendTo"),
    "BusinessUnit": ("Create", "Read", "Write", "Delete", "Append", "AppendTo"),
    "Organization": ("Read", "Write"),
    "FieldSecurityProfile": ("Create", "Read", "Write", "Delete"),
    "Entity": ("Create", "Read", "Write", "Delete"),
    "Attribute": ("Create", "Read", "Write", "Delete"),
    "PluginAssembly": ("Create", "Read", "Write", "Delete"),
    "SdkMessageProcessingStep": ("Create", "Read", "Write", "Delete"),
}
MISC: dict[str, int] = {
    "prvExportToExcel": 0,
    "prvBulkDelete": ACCESS["Read"],
    "prvActOnBehalfOfAnotherUser": ACCESS["Create"],
    "prvReadAuditSummary": ACCESS["Read"],
    "prvReadRecordAuditHistory": ACCESS["Read"],
    "prvGoMobile": 0,
    "prvMailMerge": 0,
}


def gid(*parts: str) -> str:
    """A stable GUID for ``parts``."""
    return str(uuid.uuid5(NS, "/".join(parts)))


def ts(days_ago: float, hour: int = 9) -> str:
    """An ISO timestamp ``days_ago`` before the anchor."""
    moment = (ANCHOR - timedelta(days=days_ago)).replace(hour=hour, minute=12, second=0)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def privileges() -> list[dict[str, Any]]:
    rows = []
    for table in BUSINESS_TABLES:
        for verb, right in ACCESS.items():
            rows.append(_privilege(f"prv{verb}{table}", right, business=True))
    for table, verbs in ORG_TABLES.items():
        for verb in verbs:
            rows.append(
                _privilege(f"prv{verb}{table}", ACCESS[verb], business=table in ("User", "Team"))
            )
    for name, right in MISC.items():
        rows.append(_privilege(name, right, business=False))
    return rows


def _privilege(name: str, right: int, *, business: bool) -> dict[str, Any]:
    return {
        "privilegeid": gid("privilege", name),
        "name": name,
        "accessright": right,
        "canbebasic": business,
        "canbelocal": business,
        "canbedeep": business,
        "canbeglobal": True,
        "ismanaged": True,
        "versionnumber": 1000,
    }


def all_of(verbs: tuple[str, ...], tables: tuple[str, ...], depth: int) -> dict[str, int]:
    return {f"prv{v}{t}": depth for t in tables for v in verbs}


CRUD = ("Create", "Read", "Write", "Delete", "Append", "AppendTo", "Assign", "Share")
USE = ("Create", "Read", "Write", "Append", "AppendTo")


def role_privileges() -> dict[str, dict[str, int]]:
    """Root role name -> {privilege name: depth mask}."""
    everything = {p["name"]: GLOBAL for p in privileges()}
    reading = {
        "prvReadUser": GLOBAL,
        "prvReadRole": GLOBAL,
        "prvReadTeam": GLOBAL,
        "prvReadBusinessUnit": GLOBAL,
        "prvReadOrganization": GLOBAL,
        "prvReadFieldSecurityProfile": GLOBAL,
    }
    return {
        "System Administrator": everything,
        "System Customizer": {
            **all_of(("Read",), BUSINESS_TABLES, BASIC),
            **all_of(("Create", "Read", "Write", "Delete"), ("Entity", "Attribute"), GLOBAL),
            **all_of(
                ("Create", "Read", "Write"), ("PluginAssembly", "SdkMessageProcessingStep"), GLOBAL
            ),
            "prvReadUser": GLOBAL,
            "prvReadOrganization": GLOBAL,
        },
        "Basic User": {
            **all_of(("Read",), ("Account", "Contact"), LOCAL),
            **all_of(USE, ("Account", "Contact"), BASIC),
            "prvReadUser": GLOBAL,
            "prvWriteUser": BASIC,
            "prvReadOrganization": GLOBAL,
            "prvReadBusinessUnit": GLOBAL,
            "prvReadTeam": GLOBAL,
            "prvGoMobile": GLOBAL,
        },
        "Salesperson": {
            **all_of(USE, ("Account", "Contact", "Lead", "Opportunity"), BASIC),
            **all_of(("Read",), ("Account", "Contact", "Lead", "Opportunity"), LOCAL),
            "prvExportToExcel": GLOBAL,
            "prvMailMerge": GLOBAL,
        },
        "Sales Manager": {
            **all_of(CRUD, ("Account", "Contact", "Lead", "Opportunity"), DEEP),
            "prvExportToExcel": GLOBAL,
            "prvReadAuditSummary": GLOBAL,
        },
        "Customer Service Representative": {
            **all_of(USE, ("Incident",), LOCAL),
            **all_of(("Read",), ("Account", "Contact", "Incident"), LOCAL),
        },
        "Delegate": {"prvActOnBehalfOfAnotherUser": GLOBAL},
        "crmscan Reader": reading,
        "Integration Writer": {
            **all_of(
                ("Create", "Read", "Write", "Append", "AppendTo"), ("Account", "Contact"), GLOBAL
            ),
        },
        "Data Steward": {
            "prvBulkDelete": GLOBAL,
            **all_of(("Read", "Delete"), ("Lead",), GLOBAL),
            "prvExportToExcel": GLOBAL,
        },
    }


CUSTOM_ROLES = {"crmscan Reader", "Integration Writer", "Data Steward"}
UNITS = {"fabrikam": None, "Sales": "fabrikam", "Service": "fabrikam", "EMEA Sales": "Sales"}

# name, business unit, roles, extras
HUMANS: list[tuple[str, str, str, tuple[str, ...], dict[str, Any]]] = [
    (
        "Alice Admin",
        "alice.admin",
        "fabrikam",
        ("System Administrator",),
        {"methods": ["fido2", "microsoftAuthenticatorPush"]},
    ),
    (
        "Ben Okafor",
        "ben.okafor",
        "fabrikam",
        ("System Administrator",),
        {"methods": ["microsoftAuthenticatorPush", "softwareOneTimePasscode"]},
    ),
    (
        "Carla Mendes",
        "carla.mendes",
        "fabrikam",
        ("System Administrator",),
        {"methods": ["windowsHelloForBusiness", "microsoftAuthenticatorPush"]},
    ),
    (
        "Dev Patel",
        "dev.patel",
        "fabrikam",
        ("System Administrator",),
        {"methods": ["microsoftAuthenticatorPush"], "last": 131},
    ),
    ("Dana Lee", "dana.lee", "fabrikam", ("System Administrator",), {"methods": []}),
    (
        "Erik Larsen",
        "erik.larsen",
        "Sales",
        ("System Administrator", "Sales Manager"),
        {"methods": ["softwareOneTimePasscode"]},
    ),
    (
        "Fatima Zahra",
        "fatima.zahra",
        "Service",
        ("System Administrator",),
        {"methods": ["mobilePhone", "microsoftAuthenticatorPush"]},
    ),
    (
        "Gustav Berg",
        "gustav.berg",
        "fabrikam",
        ("System Customizer", "Basic User"),
        {"methods": ["microsoftAuthenticatorPush"]},
    ),
    (
        "Hana Kim",
        "hana.kim",
        "Sales",
        ("Sales Manager", "Basic User"),
        {"methods": ["microsoftAuthenticatorPush"], "teams": ("Sales Managers",)},
    ),
    (
        "Ivan Petrov",
        "ivan.petrov",
        "EMEA Sales",
        ("Sales Manager", "Basic User"),
        {"methods": ["mobilePhone"], "teams": ("Sales Managers",)},
    ),
    (
        "Jade Wong",
        "jade.wong",
        "fabrikam",
        ("Delegate", "Basic User"),
        {"methods": ["microsoftAuthenticatorPush"]},
    ),
    (
        "Kofi Mensah",
        "kofi.mensah",
        "Service",
        ("Customer Service Representative", "Basic User"),
        {"methods": ["microsoftAuthenticatorPush"], "teams": ("Data Stewards",)},
    ),
    (
        "Lena Vogel",
        "lena.vogel",
        "Service",
        ("Customer Service Representative", "Basic User"),
        {"methods": [], "teams": ("Data Stewards",)},
    ),
]
SALES = [
    "Maya Cohen",
    "Noah Smith",
    "Olga Ivanova",
    "Pedro Alves",
    "Quinn Taylor",
    "Rosa Diaz",
    "Sam Nguyen",
    "Tara Singh",
    "Umar Farooq",
    "Vera Novak",
    "Will Turner",
    "Xena Park",
]
SERVICE = ["Yusuf Demir", "Zoe Martin", "Arjun Rao", "Bea Costa", "Cem Yilmaz", "Dora Nagy"]
DISABLED = [
    ("Frank Former", "System Administrator"),
    ("Greta Gone", "Salesperson"),
    ("Hugo Left", "Customer Service Representative"),
]


def build() -> dict[str, Any]:
    """The whole sample as fixture JSON."""
    tenant_id = gid("tenant")
    client_id = gid("app", "crmscan")
    units = [
        {
            "businessunitid": gid("bu", name),
            "name": name,
            "_parentbusinessunitid_value": gid("bu", parent) if parent else None,
            "isdisabled": False,
            "createdon": ts(900),
            "versionnumber": 2000,
        }
        for name, parent in UNITS.items()
    ]
    privs = privileges()
    by_name = {p["name"]: p["privilegeid"] for p in privs}
    roles: list[dict[str, Any]] = []
    role_rows: list[dict[str, Any]] = []
    for name, granted in role_privileges().items():
        root = gid("role", name, "fabrikam")
        for unit in UNITS:
            roles.append(
                {
                    "roleid": gid("role", name, unit),
                    "name": name,
                    "_businessunitid_value": gid("bu", unit),
                    "_parentrootroleid_value": root,
                    "_parentroleid_value": None if unit == "fabrikam" else root,
                    "ismanaged": name not in CUSTOM_ROLES,
                    "isinherited": 1,
                    "createdon": ts(800),
                    "versionnumber": 3000,
                }
            )
        for privilege, mask in sorted(granted.items()):
            role_rows.append(
                {
                    "roleprivilegeid": gid("roleprivilege", name, privilege),
                    "roleid": root,
                    "privilegeid": by_name[privilege],
                    "privilegedepthmask": mask,
                    "ismanaged": name not in CUSTOM_ROLES,
                    "versionnumber": 4000,
                }
            )

    def role_in(name: str, unit: str) -> str:
        return gid("role", name, unit)

    teams = [
        {
            "teamid": gid("team", unit),
            "name": unit,
            "teamtype": 0,
            "_businessunitid_value": gid("bu", unit),
            "_administratorid_value": gid("user", "alice.admin"),
            "azureactivedirectoryobjectid": None,
            "createdon": ts(900),
            "versionnumber": 5000,
        }
        for unit in UNITS
    ]
    teams.append(
        {
            "teamid": gid("team", "Sales Managers"),
            "name": "Sales Managers",
            "teamtype": 0,
            "_businessunitid_value": gid("bu", "Sales"),
            "_administratorid_value": gid("user", "hana.kim"),
            "azureactivedirectoryobjectid": None,
            "createdon": ts(400),
            "versionnumber": 5001,
        }
    )
    teams.append(
        {
            "teamid": gid("team", "Data Stewards"),
            "name": "Data Stewards",
            "teamtype": 2,
            "_businessunitid_value": gid("bu", "Service"),
            "_administratorid_value": gid("user", "fatima.zahra"),
            "azureactivedirectoryobjectid": gid("entra-group", "data-stewards"),
            "createdon": ts(200),
            "versionnumber": 5002,
        }
    )
    team_roles = [
        (gid("team", "Sales Managers"), role_in("Sales Manager", "Sales")),
        (gid("team", "Data Stewards"), role_in("Data Steward", "Service")),
    ]

    users: list[dict[str, Any]] = []
    user_roles: list[tuple[str, str]] = []
    membership: list[tuple[str, str]] = []
    graph_users: list[dict[str, Any]] = []
    registrations: list[dict[str, Any]] = []

    def add_human(
        full: str,
        alias: str,
        unit: str,
        role_names: tuple[str, ...],
        extra: dict[str, Any],
        *,
        disabled: bool = False,
        index: int = 0,
    ) -> None:
        user_id = gid("user", alias)
        object_id = gid("entra-user", alias)
        upn = f"{alias}@{DOMAIN}"
        users.append(
            {
                "systemuserid": user_id,
                "fullname": full,
                "firstname": full.split()[0],
                "lastname": full.split()[-1],
                "domainname": upn,
                "internalemailaddress": upn,
                "isdisabled": disabled,
                "accessmode": 0,
                "applicationid": None,
                "azureactivedirectoryobjectid": object_id,
                "_businessunitid_value": gid("bu", unit),
                "islicensed": not disabled,
                "userlicensetype": 6,
                "caltype": 0,
                "isintegrationuser": False,
                "issyncwithdirectory": True,
                "setupuser": False,
                "invitestatuscode": 4,
                "createdon": ts(700 - index * 11),
                "versionnumber": 6000 + index,
            }
        )
        for name in role_names:
            user_roles.append((user_id, role_in(name, unit)))
        membership.append((user_id, gid("team", unit)))
        for team in extra.get("teams", ()):
            membership.append((user_id, gid("team", team)))
        last = extra.get("last", 1 + index % 9)
        graph_users.append(
            {
                "id": object_id,
                "userPrincipalName": upn,
                "displayName": full,
                "accountEnabled": not disabled,
                "mail": upn,
                "userType": "Member",
                "signInActivity": None
                if extra.get("never")
                else {
                    "lastSignInDateTime": ts(last, 8),
                    "lastSignInRequestId": gid("req", alias, "i"),
                    "lastNonInteractiveSignInDateTime": ts(last, 10),
                    "lastNonInteractiveSignInRequestId": gid("req", alias, "n"),
                    "lastSuccessfulSignInDateTime": ts(last, 8),
                    "lastSuccessfulSignInRequestId": gid("req", alias, "s"),
                },
            }
        )
        methods = extra.get("methods", ["microsoftAuthenticatorPush"])
        registered = bool(methods)
        registrations.append(
            {
                "id": object_id,
                "userPrincipalName": upn,
                "userDisplayName": full,
                "userType": "member",
                "isAdmin": "System Administrator" in role_names and alias == "alice.admin",
                "isSsprRegistered": registered,
                "isSsprEnabled": True,
                "isSsprCapable": registered,
                "isMfaRegistered": registered,
                "isMfaCapable": registered,
                "isPasswordlessCapable": bool({"fido2", "windowsHelloForBusiness"} & set(methods)),
                "lastUpdatedDateTime": ts(2, 3),
                "methodsRegistered": methods,
                "isSystemPreferredAuthenticationMethodEnabled": True,
                "systemPreferredAuthenticationMethods": ["push"] if registered else [],
                "userPreferredMethodForSecondaryAuthentication": "push" if registered else "none",
            }
        )

    for index, (full, alias, unit, role_names, extra) in enumerate(HUMANS):
        add_human(full, alias, unit, role_names, extra, index=index)
    for index, full in enumerate(SALES):
        alias = full.lower().replace(" ", ".")
        unit = "EMEA Sales" if index % 3 == 2 else "Sales"
        extra: dict[str, Any] = {}
        if full == "Will Turner":
            extra = {"never": True, "methods": []}
        if full == "Xena Park":
            extra = {"last": 160}
        add_human(full, alias, unit, ("Salesperson", "Basic User"), extra, index=20 + index)
    for index, full in enumerate(SERVICE):
        alias = full.lower().replace(" ", ".")
        add_human(
            full,
            alias,
            "Service",
            ("Customer Service Representative", "Basic User"),
            {},
            index=40 + index,
        )
    for index, (full, role) in enumerate(DISABLED):
        alias = full.lower().replace(" ", ".")
        add_human(
            full,
            alias,
            "fabrikam",
            (role,),
            {"last": 300 + index * 20},
            disabled=True,
            index=50 + index,
        )

    # Break-glass account: excluded from the MFA policy, holds no Dataverse role.
    breakglass = gid("entra-user", "breakglass")
    graph_users.append(
        {
            "id": breakglass,
            "userPrincipalName": f"breakglass@{DOMAIN}",
            "displayName": "Break Glass",
            "accountEnabled": True,
            "mail": None,
            "userType": "Member",
            "signInActivity": None,
        }
    )

    def add_app(full: str, key: str, app_id: str, role_names: tuple[str, ...], index: int) -> str:
        user_id = gid("user", key)
        users.append(
            {
                "systemuserid": user_id,
                "fullname": full,
                "firstname": None,
                "lastname": full,
                "domainname": f"{key}@{DOMAIN}",
                "internalemailaddress": f"{key}@{DOMAIN}",
                "isdisabled": False,
                "accessmode": 4,
                "applicationid": app_id,
                "azureactivedirectoryobjectid": gid("entra-sp", key),
                "_businessunitid_value": gid("bu", "fabrikam"),
                "islicensed": False,
                "userlicensetype": -1,
                "caltype": 0,
                "isintegrationuser": False,
                "issyncwithdirectory": False,
                "setupuser": False,
                "invitestatuscode": 0,
                "createdon": ts(300 - index * 30),
                "versionnumber": 7000 + index,
            }
        )
        for name in role_names:
            user_roles.append((user_id, role_in(name, "fabrikam")))
        return user_id

    scanner_user = add_app("crmscan", "crmscan", client_id, ("crmscan Reader",), 0)
    add_app(
        "Fabrikam ERP Connector", "erp-connector", gid("app", "erp"), ("System Administrator",), 1
    )
    add_app("Marketing Sync", "marketing-sync", gid("app", "marketing"), ("Integration Writer",), 2)
    users.append(
        {
            "systemuserid": gid("user", "svc-reporting"),
            "fullname": "Reporting Service",
            "firstname": None,
            "lastname": "Reporting Service",
            "domainname": f"svc-reporting@{DOMAIN}",
            "internalemailaddress": f"svc-reporting@{DOMAIN}",
            "isdisabled": False,
            "accessmode": 4,
            "applicationid": None,
            "azureactivedirectoryobjectid": gid("entra-user", "svc-reporting"),
            "_businessunitid_value": gid("bu", "fabrikam"),
            "islicensed": False,
            "userlicensetype": 6,
            "caltype": 0,
            "isintegrationuser": False,
            "issyncwithdirectory": True,
            "setupuser": False,
            "invitestatuscode": 4,
            "createdon": ts(500),
            "versionnumber": 7100,
        }
    )
    user_roles.append((gid("user", "svc-reporting"), role_in("Basic User", "fabrikam")))

    profiles = [
        {
            "fieldsecurityprofileid": gid("fsp", "System Administrator"),
            "name": "System Administrator",
            "description": "Full access to all secured columns.",
            "createdon": ts(900),
            "versionnumber": 8000,
        },
        {
            "fieldsecurityprofileid": gid("fsp", "Sensitive Contact Data"),
            "name": "Sensitive Contact Data",
            "description": "Birthdays and government ids of contacts.",
            "createdon": ts(250),
            "versionnumber": 8001,
        },
    ]
    field_rows = []
    for profile, column, read, update in (
        ("System Administrator", "birthdate", 4, 4),
        ("System Administrator", "governmentid", 4, 4),
        ("Sensitive Contact Data", "birthdate", 4, 0),
        ("Sensitive Contact Data", "governmentid", 4, 4),
    ):
        field_rows.append(
            {
                "fieldpermissionid": gid("fieldpermission", profile, column),
                "entityname": "contact",
                "attributelogicalname": column,
                "canread": read,
                "canupdate": update,
                "cancreate": update,
                "canreadunmasked": 0,
                "_fieldsecurityprofileid_value": gid("fsp", profile),
                "versionnumber": 8100,
            }
        )
    user_profiles = [(gid("user", "gustav.berg"), gid("fsp", "Sensitive Contact Data"))]
    team_profiles = [(gid("team", "Sales Managers"), gid("fsp", "Sensitive Contact Data"))]

    conditional_access = [
        {
            "id": gid("ca", "mfa-all"),
            "templateId": None,
            "displayName": "Require MFA for all users",
            "createdDateTime": ts(365),
            "modifiedDateTime": ts(40),
            "state": "enabled",
            "sessionControls": None,
            "conditions": {
                "userRiskLevels": [],
                "signInRiskLevels": [],
                "clientAppTypes": ["all"],
                "platforms": None,
                "locations": None,
                "devices": None,
                "applications": {
                    "includeApplications": ["All"],
                    "excludeApplications": [],
                    "includeUserActions": [],
                },
                "users": {
                    "includeUsers": ["All"],
                    "excludeUsers": [breakglass],
                    "includeGroups": [],
                    "excludeGroups": [],
                    "includeRoles": [],
                    "excludeRoles": [],
                },
            },
            "grantControls": {
                "operator": "OR",
                "builtInControls": ["mfa"],
                "customAuthenticationFactors": [],
                "termsOfUse": [],
                "authenticationStrength": None,
            },
        },
        {
            "id": gid("ca", "legacy"),
            "templateId": None,
            "displayName": "Block legacy authentication",
            "createdDateTime": ts(365),
            "modifiedDateTime": ts(365),
            "state": "enabled",
            "sessionControls": None,
            "conditions": {
                "userRiskLevels": [],
                "signInRiskLevels": [],
                "clientAppTypes": ["exchangeActiveSync", "other"],
                "platforms": None,
                "locations": None,
                "devices": None,
                "applications": {
                    "includeApplications": ["All"],
                    "excludeApplications": [],
                    "includeUserActions": [],
                },
                "users": {
                    "includeUsers": ["All"],
                    "excludeUsers": [],
                    "includeGroups": [],
                    "excludeGroups": [],
                    "includeRoles": [],
                    "excludeRoles": [],
                },
            },
            "grantControls": {
                "operator": "OR",
                "builtInControls": ["block"],
                "customAuthenticationFactors": [],
                "termsOfUse": [],
                "authenticationStrength": None,
            },
        },
    ]

    return {
        "anchor": ANCHOR.isoformat(),
        "environment_url": "https://fabrikam.crm.dynamics.com",
        "tenant": {"id": tenant_id, "name": "fabrikamoutdoors", "premium": True},
        "app": {
            "client_id": client_id,
            "client_secret": "fab-demo~fictional-client-secret-0001",
            "graph_roles": ["AuditLog.Read.All", "Policy.Read.All", "User.Read.All"],
            "systemuserid": scanner_user,
        },
        "dataverse": {
            "organization": {
                "organizationid": gid("organization"),
                "name": "Fabrikam Outdoors",
                "isauditenabled": False,
                "isuseraccessauditenabled": False,
                "auditretentionperiod": 30,
                "auditretentionperiodv2": 30,
                "useraccessauditinginterval": 4,
                "auditsettings": None,
                "createdon": ts(900),
                "versionnumber": 1000,
            },
            "businessunits": units,
            "privileges": privs,
            "roles": roles,
            "roleprivilegescollection": role_rows,
            "teams": teams,
            "systemusers": users,
            "fieldsecurityprofiles": profiles,
            "fieldpermissions": field_rows,
            "systemuserroles": sorted(set(user_roles)),
            "teammembership": sorted(set(membership)),
            "teamroles": team_roles,
            "systemuserprofiles": user_profiles,
            "teamprofiles": team_profiles,
        },
        "graph": {
            "users": graph_users,
            "registrations": registrations,
            "conditional_access": conditional_access,
            "security_defaults": False,
        },
    }


def main() -> None:
    """Write the sample."""
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(build(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
