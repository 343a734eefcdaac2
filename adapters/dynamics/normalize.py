"""Dataverse and Graph records -> the normalized inventory. Pure functions.

Security model (docs/api/dynamics.md): a user holds the roles assigned to them
(``systemuserroles``) and the roles of every team they belong to (``teammembership``,
``teamroles``). Each business unit has its own copy of a role; the privileges belong to
the root role (``parentrootroleid``), so every copy is resolved to its root first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from adapters.dynamics.permission_map import (
    Depth,
    Holding,
    depth_of_mask,
    interpret,
    raw_name,
    raw_names,
)
from adapters.dynamics.records import (
    BusinessUnit,
    ConditionalAccessPolicy,
    FieldSecurityProfile,
    Organization,
    Privilege,
    Registration,
    Role,
    RolePrivilege,
    SignIn,
    SystemUser,
    Team,
)
from scanner.model.inventory import (
    FieldPermission,
    Grant,
    Mfa,
    Monitoring,
    PermissionSet,
    Tenant,
    User,
    UserKind,
)

#: ``systemuser.accessmode`` choices (docs/api/dynamics.md).
ACCESS_MODES: dict[int, str] = {
    0: "read_write",
    1: "administrative",
    2: "read",
    3: "support",
    4: "non_interactive",
    5: "delegated_admin",
}
SUPPORT_ACCESS_MODE = 3
NON_INTERACTIVE_ACCESS_MODE = 4

#: ``team.teamtype`` choices.
TEAM_TYPES: dict[int, str] = {
    0: "owner",
    1: "access",
    2: "entra_security_group",
    3: "entra_office_group",
}

#: ``methodsRegistered`` values that resist phishing (FIDO2 security keys and passkeys,
#: Windows Hello for Business).
PHISHING_RESISTANT_METHODS = frozenset({"fido2", "windowsHelloForBusiness"})

#: ``auditretentionperiodv2 = -1`` keeps audit records forever; the largest valid value
#: (365,000 days) stands for it in day counts.
FOREVER_DAYS = 365_000


def tenant(org: Organization | None, environment_url: str, collected_at: datetime) -> Tenant:
    """The scanned environment."""
    return Tenant(
        platform="dynamics",
        id=org.id if org else None,
        name=org.name if org else None,
        instance_url=environment_url,
        api_version="9.2",
        collected_at=collected_at,
    )


def monitoring(org: Organization) -> Monitoring:
    """Audit and user-access-audit retention in days (0 when the log is switched off).

    Dataverse keeps audit records, user access records included, for
    ``auditretentionperiodv2`` days while ``isauditenabled`` is on; user access is only
    logged when ``isuseraccessauditenabled`` is on as well.
    """
    retention = org.audit_retention_days
    kept: int | None
    if retention is None:
        kept = None
    elif retention == -1:
        kept = FOREVER_DAYS
    else:
        kept = max(retention, 0)
    audit: int | None
    if org.audit_enabled is None:
        audit = None
    elif org.audit_enabled:
        audit = kept
    else:
        audit = 0
    logins: int | None
    if audit == 0 or org.user_access_audit_enabled is False:
        logins = 0
    elif org.user_access_audit_enabled is None:
        logins = None
    else:
        logins = audit
    return Monitoring(login_history_days=logins, audit_log_days=audit)


def user_kind(user: SystemUser) -> UserKind:
    """Application and non-interactive users are integrations; support users, system."""
    if user.application_id is not None or user.integration_user:
        return "integration"
    if user.access_mode == NON_INTERACTIVE_ACCESS_MODE:
        return "integration"
    if user.access_mode == SUPPORT_ACCESS_MODE:
        return "system"
    return "human"


def access_mode(user: SystemUser) -> str | None:
    """The access mode's name; ``application`` for application users."""
    if user.application_id is not None:
        return "application"
    return ACCESS_MODES.get(user.access_mode) if user.access_mode is not None else None


@dataclass
class SecurityModel:
    """Roles resolved to their roots and the privileges each root holds."""

    roles: dict[str, Role]
    teams: dict[str, Team]
    privileges: dict[str, Privilege]
    by_root: dict[str, dict[str, Depth]] = field(default_factory=dict)
    #: What a combination of grant sources amounts to: users sharing roles and teams
    #: share the result (a large environment has few distinct combinations).
    resolved: dict[tuple[str, ...], _Resolved] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        roles: Iterable[Role],
        teams: Iterable[Team],
        privileges: Iterable[Privilege],
        role_privileges: Iterable[RolePrivilege],
    ) -> SecurityModel:
        """Index the records; privilege rows of a copy count for its root."""
        model = cls(
            {r.id: r for r in roles}, {t.id: t for t in teams}, {p.id: p for p in privileges}
        )
        for row in role_privileges:
            privilege = model.privileges.get(row.privilege_id)
            depth = depth_of_mask(row.mask)
            if privilege is None or depth is None:
                continue
            held = model.by_root.setdefault(model.root_of(row.role_id), {})
            current = held.get(privilege.name)
            if current is None or depth > current:
                held[privilege.name] = depth
        return model

    def root_of(self, role_id: str) -> str:
        """The root role of ``role_id`` (itself when it is a root or unknown)."""
        role = self.roles.get(role_id)
        return role.root_id if role is not None and role.root_id else role_id

    def role_name(self, role_id: str) -> str:
        """A role's name, falling back to its root's, then to its id."""
        for candidate in (role_id, self.root_of(role_id)):
            role = self.roles.get(candidate)
            if role is not None and role.name:
                return role.name
        return role_id

    @property
    def available_privileges(self) -> list[str]:
        """Every privilege name the environment defines."""
        return [p.name for p in self.privileges.values()]

    def root_privileges(self, root_id: str) -> dict[str, Depth]:
        """What a root role grants."""
        return self.by_root.get(root_id, {})


@dataclass(frozen=True)
class _Source:
    key: str
    role_id: str
    role_name: str
    team_name: str | None

    @property
    def display(self) -> str:
        return f"{self.role_name} (team {self.team_name})" if self.team_name else self.role_name


def _sources(user: SystemUser, model: SecurityModel) -> list[_Source]:
    found: dict[str, _Source] = {}
    for role_id in user.role_ids:
        root = model.root_of(role_id)
        found.setdefault(f"role:{root}", _Source(f"role:{root}", root, model.role_name(root), None))
    for team_id in user.team_ids:
        team = model.teams.get(team_id)
        if team is None:
            continue
        for role_id in team.role_ids:
            root = model.root_of(role_id)
            key = f"team:{team_id}:role:{root}"
            found.setdefault(key, _Source(key, root, model.role_name(root), team.name or team_id))
    return list(found.values())


def _holding(sources: Sequence[_Source], model: SecurityModel) -> Holding:
    holding = Holding()
    for source in sources:
        for privilege, depth in model.root_privileges(source.role_id).items():
            holding.add(privilege, depth, source.key)
    return holding


def users(
    system_users: Iterable[SystemUser],
    model: SecurityModel | None,
    business_units: Mapping[str, BusinessUnit],
) -> list[User]:
    """Every system user; permissions only when the security model was collected."""
    out: list[User] = []
    for su in system_users:
        bu = business_units.get(su.business_unit_id or "")
        user = User(
            id=su.id,
            username=su.domain_name or su.email or su.full_name or su.id,
            name=su.full_name,
            email=su.email,
            active=None if su.disabled is None else not su.disabled,
            kind=user_kind(su),
            created_at=su.created_on,
            access_mode=access_mode(su),
            department=bu.name if bu else None,
            license=None if su.licensed is None else ("licensed" if su.licensed else "unlicensed"),
        )
        if model is not None:
            _apply_permissions(user, su, model)
        out.append(user)
    return out


@dataclass(frozen=True)
class _Resolved:
    permissions: tuple[str, ...]
    raw_permissions: tuple[str, ...]
    grants: tuple[Grant, ...]
    permission_sets: tuple[str, ...]


def _resolve(sources: Sequence[_Source], model: SecurityModel) -> _Resolved:
    by_key = {s.key: s for s in sources}
    holding = _holding(sources, model)
    role_sources: dict[str, list[str]] = {}
    for source in sources:
        role_sources.setdefault(source.role_name, []).append(source.key)
    meanings = interpret(holding, model.available_privileges, role_sources)
    depths = holding.depths
    return _Resolved(
        permissions=tuple(m.permission for m in meanings),
        raw_permissions=tuple(
            sorted({raw_name(p, depths[p]) for m in meanings for p in m.privileges})
        ),
        grants=tuple(
            Grant(
                permission=m.permission,
                source_kind="role",
                source_id=by_key[key].role_id,
                source_name=by_key[key].display,
            )
            for m in meanings
            for key in m.sources
        ),
        permission_sets=tuple(sorted({s.display for s in sources})),
    )


def _apply_permissions(user: User, su: SystemUser, model: SecurityModel) -> None:
    sources = _sources(su, model)
    key = tuple(sorted(s.key for s in sources))
    resolved = model.resolved.get(key)
    if resolved is None:
        resolved = model.resolved[key] = _resolve(sources, model)
    user.permissions = list(resolved.permissions)
    user.raw_permissions = list(resolved.raw_permissions)
    user.grants = [g.model_copy() for g in resolved.grants]
    user.permission_sets = list(resolved.permission_sets)
    user.teams = sorted({(model.teams[t].name or t) for t in su.team_ids if t in model.teams})


def permission_sets(
    model: SecurityModel, system_users: Iterable[SystemUser]
) -> list[PermissionSet]:
    """One entry per root security role, with who holds it directly or through a team."""
    holders: dict[str, set[str]] = {}
    active: dict[str, set[str]] = {}
    for su in system_users:
        for source in _sources(su, model):
            holders.setdefault(source.role_id, set()).add(su.id)
            if su.disabled is False:
                active.setdefault(source.role_id, set()).add(su.id)
    roots = sorted({model.root_of(r) for r in model.roles}, key=model.role_name)
    out = []
    for root in roots:
        role = model.roles.get(root)
        depths = model.root_privileges(root)
        holding = Holding()
        for privilege, depth in depths.items():
            holding.add(privilege, depth, root)
        name = model.role_name(root)
        meanings = interpret(holding, model.available_privileges, {name: [root]})
        out.append(
            PermissionSet(
                id=root,
                name=name,
                kind="role",
                custom=None if role is None or role.managed is None else not role.managed,
                permissions=[m.permission for m in meanings],
                raw_permissions=raw_names(depths),
                assignee_count=len(holders.get(root, ())),
                active_assignee_count=len(active.get(root, ())),
            )
        )
    return out


def field_permissions(
    profiles: Iterable[FieldSecurityProfile],
    system_users: Iterable[SystemUser],
    teams: Mapping[str, Team],
    sensitive_fields: Iterable[str],
) -> list[FieldPermission]:
    """What each field security profile allows on the policy's sensitive columns.

    ``sensitive_fields`` are ``Table.column`` names, matched to Dataverse logical names
    case-insensitively (``Contact.Birthdate`` is ``contact.birthdate``).
    """
    wanted = {f.lower(): f for f in sensitive_fields}
    covered: dict[str, set[str]] = {}
    for su in system_users:
        if su.disabled is not False:
            continue
        ids = set(su.profile_ids)
        for team_id in su.team_ids:
            team = teams.get(team_id)
            if team is not None:
                ids.update(team.profile_ids)
        for profile_id in ids:
            covered.setdefault(profile_id, set()).add(su.id)
    out = []
    for profile in profiles:
        for row in profile.permissions:
            name = wanted.get(f"{row.table}.{row.column}".lower())
            if name is None:
                continue
            out.append(
                FieldPermission(
                    field=name,
                    permission_set=profile.name or profile.id,
                    permission_set_kind="field_security_profile",
                    read=row.can_read,
                    edit=row.can_update,
                    active_assignee_count=len(covered.get(profile.id, ())),
                )
            )
    return out


def apply_mfa(
    inventory_users: Iterable[User],
    system_users: Mapping[str, SystemUser],
    registrations: Iterable[Registration],
) -> int:
    """Set ``mfa`` (and ``sso = False``) of each human user found in Entra ID.

    Users signing in through Entra ID have no separate SSO that could enforce MFA: their
    MFA is Entra's, which is what is read here. A human user with no registration
    record keeps ``mfa = None`` (not collected: the checks say ERROR for them). Returns
    how many users were matched.
    """
    by_id = {r.id: r for r in registrations}
    matched = 0
    for user in inventory_users:
        su = system_users.get(user.id)
        if su is None or user.kind != "human" or su.entra_object_id is None:
            continue
        registration = by_id.get(su.entra_object_id)
        user.sso = False
        if registration is None or registration.mfa_registered is None:
            continue
        matched += 1
        methods = list(registration.methods) if registration.methods is not None else None
        user.mfa = Mfa(
            status="enrolled" if registration.mfa_registered else "not_enrolled",
            methods=methods,
            phishing_resistant=(
                bool(PHISHING_RESISTANT_METHODS & set(methods)) if methods is not None else None
            ),
        )
    return matched


def apply_sign_ins(
    inventory_users: Iterable[User],
    system_users: Mapping[str, SystemUser],
    sign_ins: Iterable[SignIn],
) -> int:
    """Set ``last_login_at`` / ``never_logged_in`` from Entra's last successful sign-in.

    Only a successful sign-in counts (``lastSignInDateTime`` includes failed attempts);
    ``never_logged_in`` is set only when the user object has no sign-in of any kind.
    Returns how many users were matched.
    """
    by_id = {s.id: s for s in sign_ins}
    matched = 0
    for user in inventory_users:
        su = system_users.get(user.id)
        if su is None or su.entra_object_id is None:
            continue
        sign_in = by_id.get(su.entra_object_id)
        if sign_in is None:
            continue
        matched += 1
        user.last_login_at = sign_in.last_successful
        nothing = (
            sign_in.last_successful is None
            and sign_in.last_interactive is None
            and sign_in.last_non_interactive is None
        )
        user.never_logged_in = True if nothing else (False if sign_in.last_successful else None)
    return matched


#: Dataverse's first-party application id (Dynamics CRM) in Microsoft Entra ID.
DATAVERSE_APP_ID = "00000007-0000-0000-c000-000000000000"


@dataclass(frozen=True)
class MfaEnforcement:
    """Whether Entra ID makes every sign-in to Dataverse use MFA, and why."""

    enforced: bool | None
    because: str
    policies: tuple[str, ...] = ()
    exclusions: tuple[str, ...] = ()


def mfa_enforcement(
    policies: Sequence[ConditionalAccessPolicy] | None, security_defaults: bool | None
) -> MfaEnforcement:
    """MFA is enforced when security defaults are on, or an enabled Conditional Access
    policy requires MFA (or an MFA authentication strength) for all users on all cloud
    apps or on Dataverse. Report-only and disabled policies do not count. Exclusions are
    listed; they do not undo the enforcement for everyone else.
    """
    if security_defaults:
        return MfaEnforcement(True, "security defaults are enabled (MFA for every user)")
    if policies is None:
        return MfaEnforcement(None, "Conditional Access policies were not read")
    covering = [
        p
        for p in policies
        if p.state == "enabled"
        and p.requires_mfa
        and "All" in p.include_users
        and ("All" in p.include_applications or DATAVERSE_APP_ID in p.include_applications)
        and DATAVERSE_APP_ID not in p.exclude_applications
    ]
    if covering:
        exclusions = tuple(
            sorted(
                {f"user {u}" for p in covering for u in p.exclude_users}
                | {f"group {g}" for p in covering for g in p.exclude_groups}
                | {f"role {r}" for p in covering for r in p.exclude_roles}
            )
        )
        names = tuple(p.name or p.id for p in covering)
        return MfaEnforcement(
            True, f"Conditional Access requires MFA: {', '.join(names)}", names, exclusions
        )
    if security_defaults is None:
        return MfaEnforcement(
            None, "no Conditional Access policy requires MFA, and security defaults were not read"
        )
    return MfaEnforcement(
        False,
        "security defaults are off and no enabled Conditional Access policy requires MFA "
        "for all users on all cloud apps (or Dataverse)",
    )
