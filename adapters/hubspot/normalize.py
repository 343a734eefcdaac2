"""Turn HubSpot's answers into the normalized inventory. Pure functions, no I/O.

What HubSpot does and does not tell us decides every ``None`` here:

* Super admin is a per-user flag; a super admin holds every permission, so they get
  `SUPER_ADMIN_PERMISSIONS`. For everyone else the API says which roles they have but not
  what those roles (or per-user permission grants) allow, so ``permissions`` stays
  ``None``: unknown, never "none".
* There is no user creation date in the users API. An ``ADD_USER`` security event gives
  one for users added inside the 90-day activity window.
* Login activity covers the last 90 days only. A success in it gives ``last_login_at``
  and ``never_logged_in = False``. No success says "never logged in" only for a user we
  know was added inside the window; for anyone else it says "no login in 90 days"
  (``login.successes == 0``) and ``never_logged_in`` stays ``None``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from pydantic import ValidationError

from adapters.hubspot.sdk import HsRole, HsTeam, HsUser
from scanner.errors import MalformedResponseError
from scanner.model.inventory import Grant, LoginSummary, PermissionSet, Tenant, User

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


def parse_time(value: Any) -> datetime | None:
    """A HubSpot timestamp (ISO 8601 or epoch milliseconds) as aware UTC, or None."""
    if value is None or isinstance(value, bool):
        return None
    try:  # a server can send any number or text: out of range is "unknown", never a crash
        if isinstance(value, (int, float)):
            return datetime.fromtimestamp(value / 1000.0, tz=timezone.utc)
        if not isinstance(value, str) or not value:
            return None
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        return parsed.astimezone(timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None


def tenant(details: Mapping[str, Any] | None, base_url: str, now: datetime) -> Tenant:
    """The tenant from ``/account-info/v3/details`` (``None``: only what we know)."""
    if details is None:
        return Tenant(platform="hubspot", instance_url=base_url, collected_at=now)
    account_type = details.get("accountType")
    portal_id = details.get("portalId")
    try:
        return _tenant(details, account_type, portal_id, base_url, now)
    except ValidationError as exc:  # a field of the wrong type: the answer is malformed
        field = ".".join(str(p) for p in exc.errors()[0]["loc"])
        raise MalformedResponseError(f"account details: unexpected value for {field}") from None


def _tenant(
    details: Mapping[str, Any], account_type: Any, portal_id: Any, base_url: str, now: datetime
) -> Tenant:
    return Tenant(
        platform="hubspot",
        id=str(portal_id) if portal_id is not None else None,
        name=details.get("portalName"),
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


def _login_index(
    events: Iterable[Mapping[str, Any]], by_email: Mapping[str, str], window_start: datetime
) -> dict[str, _Logins]:
    index: dict[str, _Logins] = defaultdict(_Logins)
    for event in events:
        user_id = event.get("userId")
        key = str(user_id) if user_id is not None else None
        if key is None:
            email = str(event.get("email") or "").lower()
            key = by_email.get(email)
        at = parse_time(event.get("loginAt"))
        if key is None or at is None:
            continue
        entry = index[key]
        if event.get("loginSucceeded") is True:
            entry.last_success = max(at, entry.last_success or at)
        if at < window_start:
            continue  # outside the summary's window; still counts for last_success
        if event.get("loginSucceeded") is True:
            entry.successes.append(at)
            if event.get("ipAddress"):
                entry.ips.add(str(event["ipAddress"]))
            if event.get("countryCode"):
                entry.countries.add(str(event["countryCode"]).upper())
        elif event.get("loginSucceeded") is False:
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


def added_at(events: Iterable[Mapping[str, Any]]) -> dict[str, datetime]:
    """When each user was last added, from ``ADD_USER`` security events (``objectId``)."""
    found: dict[str, datetime] = {}
    for event in events:
        if str(event.get("type") or "").upper() != "ADD_USER":
            continue
        target = event.get("objectId")
        at = parse_time(event.get("createdAt"))
        if target is None or at is None:
            continue
        key = str(target)
        if key not in found or at > found[key]:
            found[key] = at
    return found


def permission_sets(roles: list[HsRole], users: list[HsUser]) -> list[PermissionSet]:
    """Roles as permission sets of kind ``role``; their permissions are not in the API."""
    counts: dict[str, int] = defaultdict(int)
    for user in users:
        for role_id in user.role_ids:
            counts[role_id] += 1
    return [
        PermissionSet(
            id=role.id,
            name=role.name,
            kind="role",
            permissions=None,
            raw_permissions=None,
            assignee_count=counts.get(role.id, 0),
            active_assignee_count=counts.get(role.id, 0),
        )
        for role in roles
    ]


def users(
    hs_users: list[HsUser],
    *,
    roles: list[HsRole] | None,
    teams: list[HsTeam] | None,
    logins: list[dict[str, Any]] | None,
    security: list[dict[str, Any]] | None,
    now: datetime,
) -> list[User]:
    """Normalized users. ``None`` for roles / teams / logins / security = not collected."""
    role_names = {r.id: r.name for r in roles} if roles is not None else None
    team_names = {t.id: t.name for t in teams} if teams is not None else None
    by_email = {u.email.lower(): u.id for u in hs_users if u.email}
    window_start = now - timedelta(days=LOGIN_WINDOW_DAYS)
    login_index = _login_index(logins, by_email, window_start) if logins is not None else None
    created = added_at(security) if security is not None else {}
    result = []
    for hs in hs_users:
        created_at = created.get(hs.id)
        user = User(
            id=hs.id,
            username=hs.email,
            email=hs.email,
            active=True,  # the API lists the account's users; it has no deactivated flag
            kind="human",  # HubSpot users are people; apps authenticate with tokens
            created_at=created_at,
            permission_sets=(
                [role_names.get(r, r) for r in hs.role_ids] if role_names is not None else None
            ),
            teams=_teams(hs, team_names),
        )
        _apply_permissions(user, hs)
        if login_index is not None:
            _apply_logins(user, login_index.get(hs.id, _Logins()), created_at, window_start)
        result.append(user)
    return result


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
