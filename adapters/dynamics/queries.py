"""Every request the adapter sends: entity sets, columns, expansions, Graph paths.

Kept in one place so the request count stays visible (one page per entity set for any
environment up to 5,000 rows of it) and so the documentation test can check each
entity set, column and path against docs/api/dynamics.md.

Dataverse: single-level ``$expand`` of the N:N relationships returns every related row
(up to 5,000 per row) without paging, so users come with their roles, teams and field
security profiles in the same pages; N:N and 1:N expansions are never combined in one
query (Dataverse refuses that).
"""

from __future__ import annotations

from dataclasses import dataclass

API_VERSION = "9.2"
API = f"/api/data/v{API_VERSION}"
#: The largest page Dataverse serves.
MAX_PAGE_SIZE = 5000
DATAVERSE_HEADERS = {
    "OData-MaxVersion": "4.0",
    "OData-Version": "4.0",
    "Prefer": f"odata.maxpagesize={MAX_PAGE_SIZE}",
    # Expanded collections may come from a cache otherwise (Microsoft's advice).
    "If-None-Match": "null",
}
WHO_AM_I = f"{API}/WhoAmI"


@dataclass(frozen=True)
class Query:
    """One Dataverse query: an entity set, its columns and N:N / 1:N expansions."""

    entity_set: str
    select: tuple[str, ...]
    expand: tuple[tuple[str, tuple[str, ...]], ...] = ()
    needs: str = ""  #: the read privilege the application user's role must hold
    what: str = ""

    @property
    def path(self) -> str:
        """The entity set's path."""
        return f"{API}/{self.entity_set}"

    @property
    def params(self) -> dict[str, str]:
        """``$select`` and ``$expand``."""
        params = {"$select": ",".join(self.select)}
        if self.expand:
            params["$expand"] = ",".join(
                f"{prop}($select={','.join(columns)})" for prop, columns in self.expand
            )
        return params


ORGANIZATION = Query(
    "organizations",
    (
        "organizationid",
        "name",
        "isauditenabled",
        "isuseraccessauditenabled",
        "auditretentionperiodv2",
        "useraccessauditinginterval",
    ),
    needs="prvReadOrganization",
    what="organization",
)
BUSINESS_UNITS = Query(
    "businessunits",
    ("businessunitid", "name", "_parentbusinessunitid_value", "isdisabled"),
    needs="prvReadBusinessUnit",
    what="business units",
)
SYSTEM_USERS = Query(
    "systemusers",
    (
        "systemuserid",
        "fullname",
        "domainname",
        "internalemailaddress",
        "isdisabled",
        "accessmode",
        "applicationid",
        "azureactivedirectoryobjectid",
        "_businessunitid_value",
        "islicensed",
        "userlicensetype",
        "isintegrationuser",
        "createdon",
    ),
    (
        ("systemuserroles_association", ("roleid",)),
        ("teammembership_association", ("teamid",)),
        ("systemuserprofiles_association", ("fieldsecurityprofileid",)),
    ),
    needs="prvReadUser, prvReadRole, prvReadTeam and prvReadFieldSecurityProfile",
    what="system users",
)
TEAMS = Query(
    "teams",
    ("teamid", "name", "teamtype", "_businessunitid_value", "azureactivedirectoryobjectid"),
    (
        ("teamroles_association", ("roleid",)),
        ("teamprofiles_association", ("fieldsecurityprofileid",)),
    ),
    needs="prvReadTeam, prvReadRole and prvReadFieldSecurityProfile",
    what="teams",
)
ROLES = Query(
    "roles",
    (
        "roleid",
        "name",
        "_businessunitid_value",
        "_parentrootroleid_value",
        "ismanaged",
        "isinherited",
    ),
    needs="prvReadRole",
    what="security roles",
)
PRIVILEGES = Query(
    "privileges", ("privilegeid", "name", "accessright"), needs="prvReadRole", what="privileges"
)
ROLE_PRIVILEGES = Query(
    "roleprivilegescollection",
    ("roleid", "privilegeid", "privilegedepthmask"),
    needs="prvReadRole",
    what="role privileges",
)
FIELD_SECURITY = Query(
    "fieldsecurityprofiles",
    ("fieldsecurityprofileid", "name"),
    (
        (
            "lk_fieldpermission_fieldsecurityprofileid",
            ("entityname", "attributelogicalname", "canread", "canupdate", "cancreate"),
        ),
    ),
    needs="prvReadFieldSecurityProfile",
    what="field security profiles",
)
DATAVERSE_QUERIES = (
    ORGANIZATION,
    BUSINESS_UNITS,
    SYSTEM_USERS,
    TEAMS,
    ROLES,
    PRIVILEGES,
    ROLE_PRIVILEGES,
    FIELD_SECURITY,
)


@dataclass(frozen=True)
class GraphRead:
    """One Microsoft Graph read and what it needs."""

    path: str
    params: tuple[tuple[str, str], ...]
    permission: str
    licence: str | None
    what: str


GRAPH_VERSION = "v1.0"
REGISTRATIONS = GraphRead(
    f"/{GRAPH_VERSION}/reports/authenticationMethods/userRegistrationDetails",
    (),  # only $filter and $orderby are supported here
    "AuditLog.Read.All",
    "a Microsoft Entra ID P1 or P2 licence",
    "MFA registration (userRegistrationDetails)",
)
SIGN_INS = GraphRead(
    f"/{GRAPH_VERSION}/users",
    (("$select", "id,userPrincipalName,accountEnabled,signInActivity"), ("$top", "120")),
    "User.Read.All and AuditLog.Read.All",
    "a Microsoft Entra ID P1 or P2 licence",
    "last sign-in (users signInActivity)",
)
CONDITIONAL_ACCESS = GraphRead(
    f"/{GRAPH_VERSION}/identity/conditionalAccess/policies",
    (),
    "Policy.Read.All",
    "a Microsoft Entra ID P1 or P2 licence",
    "Conditional Access policies",
)
SECURITY_DEFAULTS = GraphRead(
    f"/{GRAPH_VERSION}/policies/identitySecurityDefaultsEnforcementPolicy",
    (),
    "Policy.Read.All",
    None,
    "security defaults",
)
GRAPH_READS = (REGISTRATIONS, SIGN_INS, CONDITIONAL_ACCESS, SECURITY_DEFAULTS)
