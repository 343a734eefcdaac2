"""Turn Zoho CRM's answers into the normalized inventory. Pure functions, no I/O.

What Zoho does and does not say decides every ``None`` here (docs/api/zoho.md):

* A user's ``status`` is ``active`` or not (``inactive``, ``disabled``, ``deleted``);
  any other value leaves ``active`` unknown.
* There is no last-sign-in time anywhere in the CRM API. ``confirm`` is the only sign-in
  evidence: a user who never confirmed the invitation has never signed in
  (``never_logged_in``); a confirmed user has, at an unknown time (``last_login_at``
  stays None and the checks say so).
* A user's permissions are those of their one profile. A profile whose permissions could
  not be read, or were not understood (`permission_map.ESSENTIAL`), leaves its users'
  permissions unknown, never empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from adapters.zoho import permission_map
from adapters.zoho.permission_map import MappedProfile
from scanner.errors import PermissionMissingError
from scanner.model.inventory import (
    FieldEncryption,
    FieldPermission,
    Grant,
    PermissionSet,
    Role,
    Tenant,
    User,
    UserKind,
)

API_VERSION = "v8"

ACTIVE_STATUSES = frozenset({"active"})
INACTIVE_STATUSES = frozenset({"inactive", "disabled", "deleted"})
#: ``type__s`` (Users API) → kind.
KIND_BY_TYPE: dict[str, UserKind] = {
    "regular user": "human",
    "sandbox developer user": "human",
    "team user": "human",
    "support user": "system",
    "client portal user": "portal",
}
#: ``category`` (Users API v8) → kind.
KIND_BY_CATEGORY: dict[str, UserKind] = {"regular_user": "human"}
#: Field ``profiles[].permission_type`` → (read, edit).
FIELD_ACCESS: dict[str, tuple[bool, bool]] = {
    "read_write": (True, True),
    "read_write_delete": (True, True),
    "read_only": (True, False),
    "hidden": (False, False),
}
#: Org ``type`` → is the org a sandbox / developer org rather than production.
SANDBOX_TYPES = {"sandbox": True, "developer": True, "production": False, "bigin": False}


class UnmappedRecordError(ValueError):
    """A record the adapter cannot map (the collector turns it into a gap)."""


def parse_time(value: Any) -> datetime | None:
    """A Zoho ISO 8601 timestamp (``2023-04-12T02:08:05-07:00``) as aware UTC, or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _ref(value: Any) -> tuple[str | None, str | None]:
    """``(id, name)`` of a ``{"id": ..., "name": ...}`` reference (or Nones)."""
    if not isinstance(value, Mapping):
        return None, None
    ident, name = value.get("id"), value.get("name")
    return (str(ident) if ident is not None else None, str(name) if name is not None else None)


# -- org ---------------------------------------------------------------------------------


def edition(org: Mapping[str, Any]) -> str | None:
    """The org's edition: the paid plan, else the trial plan, else ``free`` when unpaid."""
    details = org.get("license_details")
    if not isinstance(details, Mapping):
        return None
    if details.get("paid") is True and details.get("paid_type"):
        return str(details["paid_type"]).lower()
    if details.get("trial_type"):
        return f"trial:{str(details['trial_type']).lower()}"
    if details.get("paid") is False:
        return "free"
    return None


def tenant(
    org: Mapping[str, Any] | None, api_domain: str, data_centre: str, now: datetime
) -> Tenant:
    """The tenant from ``GET /org`` (None: only what the sign-in told)."""
    if org is None:
        return Tenant(
            platform="zoho", instance_url=api_domain, api_version=API_VERSION, collected_at=now
        )
    kind = str(org.get("type") or "").lower()
    ident = org.get("id")
    return Tenant(
        platform="zoho",
        id=str(ident) if ident is not None else None,
        name=org.get("company_name") or org.get("domain_name"),
        edition=edition(org),
        is_sandbox=SANDBOX_TYPES.get(kind),
        instance_url=api_domain,
        api_version=API_VERSION,
        collected_at=now,
    )


# -- profiles ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileInfo:
    """One profile: its listing record and, when read and understood, its permissions."""

    id: str
    name: str
    record: Mapping[str, Any]
    mapped: MappedProfile | None  #: None: not read, or not understood
    problem: str | None = None  #: why ``mapped`` is None

    @property
    def administrator(self) -> bool:
        """True for Zoho's built-in Administrator profile."""
        return is_builtin_administrator(self.record)


def is_builtin_administrator(record: Mapping[str, Any]) -> bool:
    """Zoho's own Administrator profile (not a custom profile of that name)."""
    return (
        str(record.get("name") or "") == permission_map.ADMINISTRATOR_PROFILE
        and record.get("custom") is False
    )


def profile_info(record: Mapping[str, Any], detail: Mapping[str, Any] | None) -> ProfileInfo:
    """Map a listed profile with its single-profile answer (``None``: not read)."""
    ident, name = str(record.get("id")), str(record.get("name") or record.get("id"))
    if detail is None:
        return ProfileInfo(ident, name, record, None, "its permissions were not read")
    details = detail.get("permissions_details")
    if not isinstance(details, list) or not all(isinstance(d, Mapping) for d in details):
        return ProfileInfo(ident, name, record, None, "permissions_details is missing")
    mapped = permission_map.map_profile(details, administrator=is_builtin_administrator(record))
    missing = mapped.missing_essentials()
    if missing:
        problem = (
            f"its permissions_details has no entry this scanner recognises as "
            f"{', '.join(missing)} (see docs/api/zoho.md)"
        )
        return ProfileInfo(ident, name, record, None, problem)
    return ProfileInfo(ident, name, record, mapped)


def permission_sets(profiles: Sequence[ProfileInfo], users: Sequence[User]) -> list[PermissionSet]:
    """Profiles as permission sets of kind ``profile``, with assignee counts."""
    assigned: dict[str, int] = {}
    active: dict[str, int] = {}
    for user in users:
        if user.profile_id is None:
            continue
        assigned[user.profile_id] = assigned.get(user.profile_id, 0) + 1
        if user.active is True:
            active[user.profile_id] = active.get(user.profile_id, 0) + 1
    result = []
    for info in profiles:
        rec = info.record
        result.append(
            PermissionSet(
                id=info.id,
                name=info.name,
                label=rec.get("display_label") or None,
                kind="profile",
                custom=rec.get("custom") if isinstance(rec.get("custom"), bool) else None,
                license=str(rec["type"]) if rec.get("type") else None,
                permissions=list(info.mapped.permissions) if info.mapped else None,
                raw_permissions=list(info.mapped.raw_permissions) if info.mapped else None,
                assignee_count=assigned.get(info.id, 0),
                active_assignee_count=active.get(info.id, 0),
            )
        )
    return result


# -- users ---------------------------------------------------------------------------------


def is_active(record: Mapping[str, Any]) -> bool | None:
    """``status`` as active / not active; None for a value Zoho does not document."""
    status = str(record.get("status") or "").strip().lower()
    if status in ACTIVE_STATUSES:
        return True
    if status in INACTIVE_STATUSES:
        return False
    return None


def user_kind(record: Mapping[str, Any]) -> UserKind | None:
    """The kind of user from ``type__s`` or ``category``; None when neither is known."""
    kind = str(record.get("type__s") or "").strip().lower()
    if kind in KIND_BY_TYPE:
        return KIND_BY_TYPE[kind]
    category = str(record.get("category") or "").strip().lower()
    return KIND_BY_CATEGORY.get(category)


def users(
    records: Iterable[Mapping[str, Any]],
    *,
    profiles: Mapping[str, ProfileInfo] | None,
    primary_zuid: str | None,
) -> list[User]:
    """Normalized users; ``profiles`` None: profiles were not collected."""
    result = []
    for rec in records:
        ident = rec.get("id")
        if ident is None:
            raise UnmappedRecordError("a user record has no id")
        profile_id, profile_name = _ref(rec.get("profile"))
        _, role_name = _ref(rec.get("role"))
        confirm = rec.get("confirm")
        email = rec.get("email")
        user = User(
            id=str(ident),
            username=str(email) if email else None,
            name=rec.get("full_name") or None,
            email=str(email) if email else None,
            active=is_active(rec),
            kind=user_kind(rec),
            created_at=parse_time(rec.get("created_time")),
            never_logged_in=(not confirm) if isinstance(confirm, bool) else None,
            profile=profile_name,
            profile_id=profile_id,
            role=role_name,
        )
        _apply_permissions(user, rec, profiles, primary_zuid)
        result.append(user)
    return result


def _apply_permissions(
    user: User,
    rec: Mapping[str, Any],
    profiles: Mapping[str, ProfileInfo] | None,
    primary_zuid: str | None,
) -> None:
    info = profiles.get(user.profile_id or "") if profiles is not None else None
    if info is None or info.mapped is None:
        return  # unknown: never "no permissions"
    grants = [
        Grant(permission=p, source_kind="profile", source_id=info.id, source_name=info.name)
        for p in info.mapped.permissions
    ]
    granted = set(info.mapped.permissions)
    raw = list(info.mapped.raw_permissions)
    zuid = rec.get("zuid")
    if primary_zuid and zuid is not None and str(zuid) == primary_zuid:
        for name in permission_map.SUPER_ADMIN_PERMISSIONS:
            granted.add(name)
            grants.append(
                Grant(
                    permission=name,
                    source_kind="user",
                    source_id=user.id,
                    source_name=permission_map.SUPER_ADMIN_GRANT,
                )
            )
        raw.append("primary_zuid")
    user.permissions = sorted(granted)
    user.raw_permissions = sorted(raw)
    user.grants = grants


# -- roles ---------------------------------------------------------------------------------


def active_role_counts(records: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """How many active users hold each role (by role id), from raw user records."""
    counts: dict[str, int] = {}
    for rec in records:
        role_id, _ = _ref(rec.get("role"))
        if role_id is not None and is_active(rec) is True:
            counts[role_id] = counts.get(role_id, 0) + 1
    return counts


def roles(records: Iterable[Mapping[str, Any]], counts: Mapping[str, int] | None) -> list[Role]:
    """The role hierarchy (``reporting_to`` is the parent); ``counts``: active users."""
    result = []
    for rec in records:
        ident = rec.get("id")
        if ident is None:
            raise UnmappedRecordError("a role record has no id")
        parent_id, _ = _ref(rec.get("reporting_to"))
        result.append(
            Role(
                id=str(ident),
                name=str(rec.get("name") or rec.get("display_label") or ident),
                parent_id=parent_id,
                user_count=counts.get(str(ident), 0) if counts is not None else None,
            )
        )
    return result


# -- fields --------------------------------------------------------------------------------


def _find_field(
    name: str, fields_by_module: Mapping[str, Sequence[Mapping[str, Any]] | None]
) -> Mapping[str, Any] | None:
    module, _, api_name = name.partition(".")
    return next(
        (f for f in fields_by_module.get(module) or [] if f.get("api_name") == api_name), None
    )


def field_encryption(
    sensitive: Sequence[str], fields_by_module: Mapping[str, Sequence[Mapping[str, Any]] | None]
) -> list[FieldEncryption]:
    """Encryption state of each sensitive field (``Module.api_name``) whose module was read.

    A module mapped to None is one Zoho says does not exist: its fields do not exist.
    """
    result = []
    for name in sensitive:
        if name.partition(".")[0] not in fields_by_module:
            continue
        found = _find_field(name, fields_by_module)
        if found is None:
            result.append(FieldEncryption(name=name, exists=False))
        else:
            result.append(
                FieldEncryption(name=name, exists=True, encrypted=_encrypted(found.get("crypt")))
            )
    return result


def field_permissions(
    sensitive: Sequence[str],
    fields_by_module: Mapping[str, Sequence[Mapping[str, Any]] | None],
    profiles: Sequence[PermissionSet] | None,
) -> list[FieldPermission]:
    """Field-level access per profile for each sensitive field that exists.

    A field whose ``profiles`` is null means the scanning user may not see field
    permissions (Zoho: no module customization permission): `PermissionMissingError`.
    """
    active = {p.id: p.active_assignee_count for p in profiles or []}
    result: list[FieldPermission] = []
    for name in sensitive:
        found = _find_field(name, fields_by_module)
        if found is None:
            continue
        access = found.get("profiles")
        if access is None:
            raise PermissionMissingError(
                f"field permissions of {name}: Zoho answered profiles: null (the scanning "
                "user's profile lacks the Customize Zoho CRM / module customization permission)"
            )
        if not isinstance(access, list):
            raise UnmappedRecordError(f"{name}: the field's profiles is not a list")
        for entry in access:
            if not isinstance(entry, Mapping):
                raise UnmappedRecordError(f"{name}: a field permission is not an object")
            kind = str(entry.get("permission_type") or "")
            if kind not in FIELD_ACCESS:
                raise UnmappedRecordError(f"{name}: unknown field permission_type {kind!r}")
            read, edit = FIELD_ACCESS[kind]
            profile_id, profile_name = _ref(entry)
            result.append(
                FieldPermission(
                    field=name,
                    permission_set=profile_name or str(profile_id),
                    permission_set_kind="profile",
                    read=read,
                    edit=edit,
                    active_assignee_count=active.get(profile_id or ""),
                )
            )
    return result


def _encrypted(crypt: Any) -> bool | None:
    """``crypt``: null = not encrypted; status 1 = encrypted; 2 = (de)encryption running."""
    if crypt is None:
        return False
    if not isinstance(crypt, Mapping):
        return None
    if crypt.get("status") == 1 and crypt.get("mode") in (None, "encryption"):
        return True
    return None
