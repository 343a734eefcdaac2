"""Turn HubSpot's answers into the normalized inventory. Pure functions, no I/O.

What HubSpot does and does not tell us decides every ``None`` here:

* Super admin is a per-user flag; a super admin holds every permission, so they get
  `SUPER_ADMIN_PERMISSIONS`. For everyone else the API says which roles they have but not
  what those roles (or per-user permission grants) allow, so ``permissions`` stays
  ``None``: unknown, never "none".
* There is no user creation date in the users API. An ``ADD_USER`` security event gives
  one for users added within the security log HubSpot returns.
* The users API has no status either. A user is active when the CRM owners API lists
  them as an active owner, inactive when only as an archived (deactivated or removed)
  owner, and otherwise only what a security event proves (``DEACTIVATE_USER`` …);
  a user none of these classify has ``active = None``: a gap, never "active".
* 2FA has no read API; an ``ADD_/REMOVE_TWO_FACTOR_AUTHENTICATION`` or passkey event
  sets ``mfa`` for that user (`adapters.hubspot.evidence`); others keep ``mfa = None``.
* A login event that cannot be read (no time, no outcome) leaves its user's login
  summary ``None``; one that names no user makes the whole login history unusable.
* Login activity covers the last 90 days only. A success in it gives ``last_login_at``
  and ``never_logged_in = False``. No success says "never logged in" only for a user we
  know was added inside the window; for anyone else it says "no login in 90 days"
  (``login.successes == 0``) and ``never_logged_in`` stays ``None``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from adapters.hubspot.evidence import Evidence
from adapters.hubspot.sdk import HsRole, HsTeam, HsUser
from adapters.hubspot.timestamps import parse_time
from scanner.model.inventory import Grant, LoginSummary, Mfa, PermissionSet, Tenant, User

__all__ = [
    "LOGIN_WINDOW_DAYS",
    "SUPER_ADMIN_PERMISSIONS",
    "UnattributedLogin",
    "max_per_hour",
    "parse_time",
    "permission_sets",
    "tenant",
    "user_status",
    "users",
]

LOGIN_WINDOW_DAYS = 90

#: What a HubSpot super admin can do, in the normalized vocabulary.
SUPER_ADMIN_PERMISSIONS: tuple[str, ...] = (
    "account.super_admin",
    "users.manage",
    "setup.customize",
    "data.view_all",
    "data.modify_all",
    "data.export",
    "apps.manage",
    "billing.manage",
)
SUPER_ADMIN_GRANT = "Super Admin"
SANDBOX_ACCOUNT_TYPES = frozenset({"SANDBOX", "DEVELOPER_TEST"})


def tenant(details: Mapping[str, Any] | None, base_url: str, now: datetime) -> Tenant:
    """The tenant from ``/account-info/v3/details`` (``None``: only what we know).

    The account's name is in no documented response a private-app token or service key
    can read (account details has no name field), so ``name`` stays ``None``.
    """
    if details is None:
        return Tenant(platform="hubspot", instance_url=base_url, collected_at=now)
    account_type = details.get("accountType")
    portal_id = details.get("portalId")
    return Tenant(
        platform="hubspot",
        id=str(portal_id) if portal_id is not None else None,
        name=None,
        edition=str(account_type) if account_type else None,
        is_sandbox=(str(account_type).upper() in SANDBOX_ACCOUNT_TYPES) if account_type else None,
        instance_url=base_url,
        api_version="v3",
        collected_at=now,
    )


@dataclass
class _Logins:
    successes: list[datetime] = field(default_factory=list)
    last_success: datetime | None = None
    failures: list[datetime] = field(default_factory=list)
    ips: set[str] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)
    #: An event of this user could not be read: the summary would be a guess.
    unreadable: bool = False


class UnattributedLogin(ValueError):
    """A login event names no user (neither ``userId`` nor a known ``email``)."""


def _login_index(
    events: Iterable[Mapping[str, Any]], by_email: Mapping[str, str], window_start: datetime
) -> dict[str, _Logins]:
    index: dict[str, _Logins] = defaultdict(_Logins)
    for event in events:
        user_id = event.get("userId")
        key = str(user_id) if user_id is not None and not isinstance(user_id, bool) else None
        if key is None:
            email = str(event.get("email") or "").lower()
            key = by_email.get(email) if email else None
        if key is None:
            raise UnattributedLogin(
                f"login event {event.get('id')!r} names no user (no userId and no known email)"
            )
        entry = index[key]
        at = parse_time(event.get("loginAt"))
        succeeded = event.get("loginSucceeded")
        if at is None or not isinstance(succeeded, bool):
            entry.unreadable = True
            continue
        if succeeded:
            entry.last_success = max(at, entry.last_success or at)
        if at < window_start:
            continue  # outside the summary's window; still counts for last_success
        if succeeded:
            entry.successes.append(at)
            if event.get("ipAddress"):
                entry.ips.add(str(event["ipAddress"]))
            if event.get("countryCode"):
                entry.countries.add(str(event["countryCode"]).upper())
        else:
            entry.failures.append(at)
    return index


def max_per_hour(times: list[datetime]) -> int:
    """The most events inside any 60-minute sliding window."""
    ordered = sorted(times)
    best = start = 0
    for end, at in enumerate(ordered):
        while at - ordered[start] >= timedelta(hours=1):
            start += 1
        best = max(best, end - start + 1)
    return best


def user_status(
    hs_users: Iterable[HsUser],
    *,
    active_owners: Iterable[Mapping[str, Any]] | None,
    archived_owners: Iterable[Mapping[str, Any]] | None,
    evidence: Evidence | None,
) -> dict[str, bool | None]:
    """Whether each user may sign in: True, False, or None (cannot be classified).

    The CRM owners API decides when it was read (``None`` lists: not read): an active
    ``PERSON`` owner names its user in ``userId``; an archived owner (a deactivated or
    removed user) only in ``userIdIncludingInactive``. A user on neither list, or whose
    owner record could not be read, falls back on the latest status event
    (``DEACTIVATE_USER`` / ``REMOVE_USER`` / ``REACTIVATE_USER``); without one, None.
    """
    active: set[str] = set()
    archived: set[str] = set()
    unreadable: set[str] = set()
    for owners, listed_as_archived in ((active_owners, False), (archived_owners, True)):
        for owner in owners or ():
            user = owner.get("userId") if not listed_as_archived else None
            user = user if user is not None else owner.get("userIdIncludingInactive")
            if user is None or isinstance(user, bool):
                continue  # a queue, or an owner that is no user
            key = str(user)
            flag = owner.get("archived")
            if not isinstance(flag, bool) or flag is not listed_as_archived:
                unreadable.add(key)
            elif flag:
                archived.add(key)
            elif owner.get("type") == "PERSON" and owner.get("userId") is not None:
                active.add(key)
            else:
                unreadable.add(key)
    status: dict[str, bool | None] = {}
    for hs in hs_users:
        if hs.id in active and hs.id not in unreadable:
            status[hs.id] = True
        elif hs.id in archived and hs.id not in active and hs.id not in unreadable:
            status[hs.id] = False
        else:
            change = evidence.status.get(hs.id) if evidence is not None else None
            status[hs.id] = change.value if change is not None else None
    return status


def permission_sets(
    roles: list[HsRole], users: list[HsUser], status: Mapping[str, bool | None]
) -> list[PermissionSet]:
    """Roles as permission sets of kind ``role``; their permissions are not in the API.

    Counts are ``None`` when a user's roles are unknown (no ``roleIds``); the active count
    also when an assignee's status is unknown.
    """
    counts: dict[str, int] = defaultdict(int)
    active_counts: dict[str, int] = defaultdict(int)
    roles_unknown = any(user.role_ids is None for user in users)
    status_unknown: set[str] = set()
    for user in users:
        for role_id in user.role_ids or ():
            counts[role_id] += 1
            state = status.get(user.id)
            if state is None:
                status_unknown.add(role_id)
            elif state:
                active_counts[role_id] += 1
    return [
        PermissionSet(
            id=role.id,
            name=role.name,
            kind="role",
            permissions=None,
            raw_permissions=None,
            assignee_count=None if roles_unknown else counts.get(role.id, 0),
            active_assignee_count=(
                None
                if roles_unknown or role.id in status_unknown
                else active_counts.get(role.id, 0)
            ),
        )
        for role in roles
    ]


def users(
    hs_users: list[HsUser],
    *,
    roles: list[HsRole] | None,
    teams: list[HsTeam] | None,
    logins: list[dict[str, Any]] | None,
    evidence: Evidence | None,
    status: Mapping[str, bool | None],
    now: datetime,
) -> list[User]:
    """Normalized users. ``None`` for roles / teams / logins / evidence = not collected.

    Raises `UnattributedLogin` when the login history names a user nobody can identify
    (the caller records the login history as a gap).
    """
    role_names = {r.id: r.name for r in roles} if roles is not None else None
    team_names = {t.id: t.name for t in teams} if teams is not None else None
    by_email = {u.email.lower(): u.id for u in hs_users if u.email}
    window_start = now - timedelta(days=LOGIN_WINDOW_DAYS)
    login_index = _login_index(logins, by_email, window_start) if logins is not None else None
    created = evidence.added if evidence is not None else {}
    result = []
    for hs in hs_users:
        created_at = created.get(hs.id)
        user = User(
            id=hs.id,
            username=hs.email,
            email=hs.email,
            active=status.get(hs.id),
            kind="human",  # HubSpot users are people; apps authenticate with tokens
            created_at=created_at,
            permission_sets=(
                [role_names.get(r, r) for r in hs.role_ids]
                if role_names is not None and hs.role_ids is not None
                else None
            ),
            teams=_teams(hs, team_names),
            mfa=_mfa(evidence, hs.id),
        )
        _apply_permissions(user, hs)
        if login_index is not None:
            entry = login_index.get(hs.id, _Logins())
            if not entry.unreadable:
                _apply_logins(user, entry, created_at, window_start)
        result.append(user)
    return result


def _mfa(evidence: Evidence | None, user_id: str) -> Mfa | None:
    """The user's second factors as the security log shows them (None: no evidence)."""
    factors = evidence.factors.get(user_id) if evidence is not None else None
    if not factors:
        return None
    methods = sorted(method for method, change in factors.items() if change.value)
    passkey = factors.get("passkey")
    return Mfa(
        status="enrolled" if methods else "not_enrolled",
        methods=methods,
        # A passkey is phishing resistant; HubSpot's 2FA methods may or may not be.
        phishing_resistant=True if passkey is not None and passkey.value else None,
    )


def _teams(hs: HsUser, team_names: Mapping[str, str] | None) -> list[str] | None:
    if team_names is None:
        return None
    ids = ([hs.primary_team_id] if hs.primary_team_id else []) + list(hs.secondary_team_ids)
    return [team_names.get(t, t) for t in ids]


def _apply_permissions(user: User, hs: HsUser) -> None:
    if hs.super_admin is True:
        user.permissions = list(SUPER_ADMIN_PERMISSIONS)
        user.raw_permissions = ["superAdmin"]
        user.grants = [
            Grant(permission=p, source_kind="user", source_id=hs.id, source_name=SUPER_ADMIN_GRANT)
            for p in SUPER_ADMIN_PERMISSIONS
        ]
    # Otherwise unknown: roles and per-user grants are opaque to the API.


def _apply_logins(
    user: User, logins: _Logins, created_at: datetime | None, window_start: datetime
) -> None:
    user.login = LoginSummary(
        window_days=LOGIN_WINDOW_DAYS,
        successes=len(logins.successes),
        failures=len(logins.failures),
        max_failures_per_hour=max_per_hour(logins.failures),
        last_failure_at=max(logins.failures) if logins.failures else None,
        ip_addresses=sorted(logins.ips),
        countries=sorted(logins.countries),
    )
    if logins.last_success is not None:
        user.last_login_at = logins.last_success
        user.never_logged_in = False
    elif created_at is not None and created_at >= window_start:
        # Added inside the window and the whole window shows no success.
        user.never_logged_in = True
