"""Dataverse and Microsoft Graph records, parsed from their OData JSON.

Each ``parse_*`` function reads one record of a documented shape (docs/api/dynamics.md)
into a small frozen dataclass, or raises `MalformedResponseError`. Nothing here knows
about HTTP; `adapters.dynamics.normalize` turns these records into the inventory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adapters.dynamics.fields import (
    bad,
    boolean,
    expanded,
    guid,
    integer,
    record,
    required_guid,
    strings,
    text,
    timestamp,
)

# -- Dataverse ----------------------------------------------------------------------


@dataclass(frozen=True)
class Organization:
    """The environment's single ``organization`` row (auditing settings)."""

    id: str
    name: str | None
    audit_enabled: bool | None
    user_access_audit_enabled: bool | None
    audit_retention_days: int | None  #: -1 = forever
    user_access_audit_interval_hours: int | None


def parse_organization(raw: Any) -> Organization:
    """An ``organizations`` record."""
    what = "organization"
    rec = record(raw, what)
    return Organization(
        id=required_guid(rec, "organizationid", what),
        name=text(rec, "name", what),
        audit_enabled=boolean(rec, "isauditenabled", what),
        user_access_audit_enabled=boolean(rec, "isuseraccessauditenabled", what),
        audit_retention_days=integer(rec, "auditretentionperiodv2", what),
        user_access_audit_interval_hours=integer(rec, "useraccessauditinginterval", what),
    )


@dataclass(frozen=True)
class BusinessUnit:
    """A ``businessunit``."""

    id: str
    name: str | None
    parent_id: str | None
    disabled: bool | None


def parse_business_unit(raw: Any) -> BusinessUnit:
    """A ``businessunits`` record."""
    what = "business unit"
    rec = record(raw, what)
    return BusinessUnit(
        id=required_guid(rec, "businessunitid", what),
        name=text(rec, "name", what),
        parent_id=guid(rec, "_parentbusinessunitid_value", what),
        disabled=boolean(rec, "isdisabled", what),
    )


@dataclass(frozen=True)
class SystemUser:
    """A ``systemuser`` with the roles, teams and field security profiles expanded."""

    id: str
    full_name: str | None
    domain_name: str | None
    email: str | None
    disabled: bool | None
    access_mode: int | None
    application_id: str | None
    entra_object_id: str | None
    business_unit_id: str | None
    licensed: bool | None
    license_type: int | None
    integration_user: bool | None
    created_on: datetime | None
    role_ids: tuple[str, ...]
    team_ids: tuple[str, ...]
    profile_ids: tuple[str, ...]


def parse_system_user(raw: Any) -> SystemUser:
    """A ``systemusers`` record with ``systemuserroles_association``,
    ``teammembership_association`` and ``systemuserprofiles_association`` expanded."""
    what = "system user"
    rec = record(raw, what)
    return SystemUser(
        id=required_guid(rec, "systemuserid", what),
        full_name=text(rec, "fullname", what),
        domain_name=text(rec, "domainname", what),
        email=text(rec, "internalemailaddress", what),
        disabled=boolean(rec, "isdisabled", what),
        access_mode=integer(rec, "accessmode", what),
        application_id=guid(rec, "applicationid", what),
        entra_object_id=guid(rec, "azureactivedirectoryobjectid", what),
        business_unit_id=guid(rec, "_businessunitid_value", what),
        licensed=boolean(rec, "islicensed", what),
        license_type=integer(rec, "userlicensetype", what),
        integration_user=boolean(rec, "isintegrationuser", what),
        created_on=timestamp(rec, "createdon", what),
        role_ids=expanded(rec, "systemuserroles_association", "roleid", what),
        team_ids=expanded(rec, "teammembership_association", "teamid", what),
        profile_ids=expanded(rec, "systemuserprofiles_association", "fieldsecurityprofileid", what),
    )


@dataclass(frozen=True)
class Team:
    """A ``team`` with its roles and field security profiles expanded."""

    id: str
    name: str | None
    team_type: int | None
    business_unit_id: str | None
    entra_object_id: str | None
    is_default: bool | None
    role_ids: tuple[str, ...]
    profile_ids: tuple[str, ...]


def parse_team(raw: Any) -> Team:
    """A ``teams`` record with ``teamroles_association`` and ``teamprofiles_association``."""
    what = "team"
    rec = record(raw, what)
    return Team(
        id=required_guid(rec, "teamid", what),
        name=text(rec, "name", what),
        team_type=integer(rec, "teamtype", what),
        business_unit_id=guid(rec, "_businessunitid_value", what),
        entra_object_id=guid(rec, "azureactivedirectoryobjectid", what),
        is_default=boolean(rec, "isdefault", what),
        role_ids=expanded(rec, "teamroles_association", "roleid", what),
        profile_ids=expanded(rec, "teamprofiles_association", "fieldsecurityprofileid", what),
    )


@dataclass(frozen=True)
class Role:
    """A security ``role`` (one copy per business unit; privileges live on the root)."""

    id: str
    name: str | None
    business_unit_id: str | None
    root_id: str | None  #: ``parentrootroleid``: the role whose privileges this copy has
    managed: bool | None
    inherited: int | None  #: 0 team privileges only, 1 direct user access and team


def parse_role(raw: Any) -> Role:
    """A ``roles`` record."""
    what = "security role"
    rec = record(raw, what)
    return Role(
        id=required_guid(rec, "roleid", what),
        name=text(rec, "name", what),
        business_unit_id=guid(rec, "_businessunitid_value", what),
        root_id=guid(rec, "_parentrootroleid_value", what),
        managed=boolean(rec, "ismanaged", what),
        inherited=integer(rec, "isinherited", what),
    )


@dataclass(frozen=True)
class Privilege:
    """A ``privilege``: its name says which access to which table."""

    id: str
    name: str
    access_right: int | None


def parse_privilege(raw: Any) -> Privilege:
    """A ``privileges`` record."""
    what = "privilege"
    rec = record(raw, what)
    name = text(rec, "name", what)
    if not name:
        raise bad(what, "name is missing")
    return Privilege(
        required_guid(rec, "privilegeid", what), name, integer(rec, "accessright", what)
    )


@dataclass(frozen=True)
class RolePrivilege:
    """One ``roleprivileges`` row: a role holds a privilege at the depths of ``mask``."""

    role_id: str
    privilege_id: str
    mask: int


def parse_role_privilege(raw: Any) -> RolePrivilege:
    """A ``roleprivilegescollection`` record."""
    what = "role privilege"
    rec = record(raw, what)
    mask = integer(rec, "privilegedepthmask", what)
    if mask is None:
        raise bad(what, "privilegedepthmask is missing")
    return RolePrivilege(
        required_guid(rec, "roleid", what), required_guid(rec, "privilegeid", what), mask
    )


#: ``fieldpermission`` choice value for "Allowed" (0 is "Not Allowed").
FIELD_ALLOWED = 4


@dataclass(frozen=True)
class FieldPermissionRow:
    """What a field security profile allows on one secured column."""

    table: str
    column: str
    can_read: bool
    can_update: bool
    can_create: bool


@dataclass(frozen=True)
class FieldSecurityProfile:
    """A ``fieldsecurityprofile`` with its ``fieldpermission`` rows expanded."""

    id: str
    name: str | None
    permissions: tuple[FieldPermissionRow, ...]


def parse_field_security_profile(raw: Any) -> FieldSecurityProfile:
    """A ``fieldsecurityprofiles`` record with ``lk_fieldpermission_fieldsecurityprofileid``."""
    what = "field security profile"
    rec = record(raw, what)
    rows = rec.get("lk_fieldpermission_fieldsecurityprofileid")
    if not isinstance(rows, list):
        raise bad(what, "lk_fieldpermission_fieldsecurityprofileid was not expanded into a list")
    permissions = []
    for item in rows:
        row = record(item, "field permission")
        table = text(row, "entityname", "field permission")
        column = text(row, "attributelogicalname", "field permission")
        if not table or not column:
            raise bad("field permission", "entityname or attributelogicalname is missing")
        permissions.append(
            FieldPermissionRow(
                table,
                column,
                integer(row, "canread", "field permission") == FIELD_ALLOWED,
                integer(row, "canupdate", "field permission") == FIELD_ALLOWED,
                integer(row, "cancreate", "field permission") == FIELD_ALLOWED,
            )
        )
    return FieldSecurityProfile(
        required_guid(rec, "fieldsecurityprofileid", what),
        text(rec, "name", what),
        tuple(permissions),
    )


# -- Microsoft Graph ----------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    """A ``userRegistrationDetails`` record: which authentication methods a user has."""

    id: str
    user_principal_name: str | None
    mfa_registered: bool | None
    mfa_capable: bool | None
    methods: tuple[str, ...] | None
    is_admin: bool | None


def parse_registration(raw: Any) -> Registration:
    """A ``/reports/authenticationMethods/userRegistrationDetails`` record."""
    what = "user registration details"
    rec = record(raw, what)
    return Registration(
        id=required_guid(rec, "id", what),
        user_principal_name=text(rec, "userPrincipalName", what),
        mfa_registered=boolean(rec, "isMfaRegistered", what),
        mfa_capable=boolean(rec, "isMfaCapable", what),
        methods=strings(rec, "methodsRegistered", what),
        is_admin=boolean(rec, "isAdmin", what),
    )


@dataclass(frozen=True)
class SignIn:
    """A Graph ``user`` with ``signInActivity``."""

    id: str
    user_principal_name: str | None
    account_enabled: bool | None
    has_activity: bool  #: the user object carried a signInActivity at all
    last_successful: datetime | None
    last_interactive: datetime | None
    last_non_interactive: datetime | None


def parse_sign_in(raw: Any) -> SignIn:
    """A ``/users?$select=...,signInActivity`` record."""
    what = "user sign-in activity"
    rec = record(raw, what)
    activity = rec.get("signInActivity")
    act = record(activity, what) if activity is not None else {}
    return SignIn(
        id=required_guid(rec, "id", what),
        user_principal_name=text(rec, "userPrincipalName", what),
        account_enabled=boolean(rec, "accountEnabled", what),
        has_activity=activity is not None,
        last_successful=timestamp(act, "lastSuccessfulSignInDateTime", what),
        last_interactive=timestamp(act, "lastSignInDateTime", what),
        last_non_interactive=timestamp(act, "lastNonInteractiveSignInDateTime", what),
    )


@dataclass(frozen=True)
class ConditionalAccessPolicy:
    """The parts of a ``conditionalAccessPolicy`` that say whom it makes use MFA."""

    id: str
    name: str | None
    state: str | None
    include_users: tuple[str, ...]
    exclude_users: tuple[str, ...]
    exclude_groups: tuple[str, ...]
    exclude_roles: tuple[str, ...]
    include_applications: tuple[str, ...]
    exclude_applications: tuple[str, ...]
    requires_mfa: bool


def parse_conditional_access_policy(raw: Any) -> ConditionalAccessPolicy:
    """A ``/identity/conditionalAccess/policies`` record."""
    what = "conditional access policy"
    rec = record(raw, what)
    # Graph always sends a policy's id, state and conditions: without them the policy
    # cannot be told apart from one that enforces nothing.
    for key in ("id", "state", "conditions"):
        if rec.get(key) is None:
            raise bad(what, f"{key} is missing")
    conditions = record(rec["conditions"], what)
    users = record(conditions.get("users") or {}, what)
    apps = record(conditions.get("applications") or {}, what)
    grant = record(rec.get("grantControls") or {}, what)
    controls = strings(grant, "builtInControls", what) or ()
    strength = grant.get("authenticationStrength")
    strength_mfa = False
    if strength is not None:
        satisfied = text(record(strength, what), "requirementsSatisfied", what)
        strength_mfa = satisfied == "mfa"
    return ConditionalAccessPolicy(
        id=text(rec, "id", what) or "",
        name=text(rec, "displayName", what),
        state=text(rec, "state", what),
        include_users=strings(users, "includeUsers", what) or (),
        exclude_users=strings(users, "excludeUsers", what) or (),
        exclude_groups=strings(users, "excludeGroups", what) or (),
        exclude_roles=strings(users, "excludeRoles", what) or (),
        include_applications=strings(apps, "includeApplications", what) or (),
        exclude_applications=strings(apps, "excludeApplications", what) or (),
        requires_mfa="mfa" in controls or strength_mfa,
    )
