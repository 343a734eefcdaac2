"""Profiles, permission sets and groups, assignments, and what each user can do.

Salesforce stores a profile's permissions on a PermissionSet with ``IsOwnedByProfile``
and a permission set group's computed permissions (after muting) on a PermissionSet of
``Type = 'Group'``. Every boolean ``Permissions*`` field the org's describe lists is read,
so new permissions show up in ``raw_permissions`` without a code change.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from adapters.salesforce.client import SfClient
from adapters.salesforce.permission_map import normalize, permission_fields
from scanner.model.inventory import FieldPermission, Grant, ObjectAccess, PermissionSet

PERMSET_FIELDS = ["Id", "Name", "Label", "IsOwnedByProfile", "ProfileId", "IsCustom"]
PERMSET_OPTIONAL = ("Type", "PermissionSetGroupId", "LicenseId")


@dataclass
class Source:
    """Something that grants permissions: a profile, permission set or group."""

    kind: str  # profile | permission_set | permission_set_group
    id: str
    name: str
    raw: frozenset[str]
    normalized: tuple[str, ...]
    permset_ids: tuple[str, ...]  # PermissionSet ids whose object permissions apply
    grants: tuple[Grant, ...] = ()

    def __post_init__(self) -> None:
        # Built once per source and shared by every user it applies to.
        self.grants = tuple(
            Grant.model_construct(
                permission=p,
                source_kind=self.kind,  # type: ignore[arg-type]
                source_id=self.id,
                source_name=self.name,
            )
            for p in self.normalized
        )


@dataclass
class PermissionData:
    """What the org returned, indexed."""

    profiles: dict[str, dict[str, Any]]
    licenses: dict[str, str]
    permsets: dict[str, dict[str, Any]]
    raw: dict[str, frozenset[str]]
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    components: dict[str, list[str]] = field(default_factory=dict)


def fetch_profiles(client: SfClient) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Profiles by id and license names by id."""
    profiles = {
        p["Id"]: p
        for p in client.query(
            "Profile",
            ["Id", "Name", "UserLicenseId"],
            optional=("UserType",),
            required=("Id", "Name"),
        )
    }
    licenses = {
        lic["Id"]: lic["Name"]
        for lic in client.query("UserLicense", ["Id", "Name"], required=("Id", "Name"))
    }
    return profiles, licenses


def fetch_permission_sets(
    client: SfClient,
) -> tuple[dict[str, dict[str, Any]], dict[str, frozenset[str]]]:
    """PermissionSet records by id, and each one's granted raw permission names."""
    fields = permission_fields(f["name"] for f in client.describe("PermissionSet")["fields"])
    rows = client.query(
        "PermissionSet", PERMSET_FIELDS + fields, optional=PERMSET_OPTIONAL, required=("Id", "Name")
    )
    permsets, raw = {}, {}
    for row in rows:
        raw[row["Id"]] = frozenset(f[len("Permissions") :] for f in fields if row.pop(f, False))
        permsets[row["Id"]] = row
    return permsets, raw


def fetch_groups(client: SfClient) -> tuple[dict[str, dict[str, Any]], dict[str, list[str]]]:
    """Permission set groups by id and the permission sets each one contains."""
    groups = {
        g["Id"]: g
        for g in client.query(
            "PermissionSetGroup",
            ["Id", "DeveloperName", "MasterLabel"],
            optional=("Status",),
            required=("Id", "DeveloperName"),
        )
    }
    components: dict[str, list[str]] = defaultdict(list)
    for row in client.query(
        "PermissionSetGroupComponent",
        ["PermissionSetGroupId", "PermissionSetId"],
        required=("PermissionSetGroupId", "PermissionSetId"),
    ):
        components[row["PermissionSetGroupId"]].append(row["PermissionSetId"])
    return groups, dict(components)


def fetch_assignments(client: SfClient) -> list[tuple[str, str, str | None]]:
    """Current assignments as ``(user id, permission set id, group id)``."""
    now = datetime.now(timezone.utc).date().isoformat()
    out = []
    for row in client.query(
        "PermissionSetAssignment",
        ["AssigneeId", "PermissionSetId"],
        optional=("PermissionSetGroupId", "ExpirationDate", "IsActive"),
        required=("AssigneeId", "PermissionSetId"),
    ):
        if row.get("IsActive") is False:
            continue
        if row.get("ExpirationDate") and str(row["ExpirationDate"])[:10] < now:
            continue
        out.append((row["AssigneeId"], row["PermissionSetId"], row.get("PermissionSetGroupId")))
    return out


def fetch_object_permissions(
    client: SfClient, objects: tuple[str, ...]
) -> dict[str, dict[str, tuple[bool, bool]]]:
    """``{permset id: {object: (read, edit)}}`` for the sensitive objects."""
    out: dict[str, dict[str, tuple[bool, bool]]] = defaultdict(dict)
    if not objects:
        return out
    names = ", ".join(f"'{o}'" for o in objects)
    for row in client.query(
        "ObjectPermissions",
        ["ParentId", "SobjectType", "PermissionsRead", "PermissionsEdit"],
        f"SobjectType IN ({names})",
        optional=("PermissionsViewAllRecords", "PermissionsModifyAllRecords"),
        required=("ParentId", "SobjectType"),
    ):
        read = bool(row.get("PermissionsRead") or row.get("PermissionsViewAllRecords"))
        edit = bool(row.get("PermissionsEdit") or row.get("PermissionsModifyAllRecords"))
        out[row["ParentId"]][row["SobjectType"]] = (read, edit)
    return out


def fetch_field_permissions(client: SfClient, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """FieldPermissions rows for the sensitive fields."""
    if not fields:
        return []
    names = ", ".join(f"'{f}'" for f in fields)
    return client.query(
        "FieldPermissions",
        ["ParentId", "SobjectType", "Field", "PermissionsRead", "PermissionsEdit"],
        f"Field IN ({names})",
        required=("ParentId", "Field"),
    )


class Resolver:
    """Turns the fetched data into sources, per-user grants and the PermissionSet list."""

    def __init__(self, data: PermissionData) -> None:
        self.data = data
        self.sources: dict[str, Source] = {}  # by PermissionSet id (or group id)
        self.profile_sources: dict[str, Source] = {}  # by Profile id
        group_aggregates = {}
        for ps_id, ps in data.permsets.items():
            raw = data.raw.get(ps_id, frozenset())
            if ps.get("IsOwnedByProfile"):
                profile = data.profiles.get(ps.get("ProfileId") or "")
                name = profile["Name"] if profile else ps.get("Label") or ps["Name"]
                source = Source(
                    "profile",
                    ps.get("ProfileId") or ps_id,
                    name,
                    raw,
                    tuple(normalize(raw)),
                    (ps_id,),
                )
                self.profile_sources[source.id] = source
                self.sources[ps_id] = source
            elif ps.get("Type") == "Group" or (
                ps.get("PermissionSetGroupId") and ps.get("Type") is None
            ):
                group_aggregates[ps.get("PermissionSetGroupId")] = ps_id
            else:
                self.sources[ps_id] = Source(
                    "permission_set", ps_id, ps["Name"], raw, tuple(normalize(raw)), (ps_id,)
                )
        self.group_sources: dict[str, Source] = {}
        for group_id, group in data.groups.items():
            aggregate = group_aggregates.get(group_id)
            ids: tuple[str, ...]
            if aggregate:
                raw, ids = data.raw.get(aggregate, frozenset()), (aggregate,)
            else:
                ids = tuple(data.components.get(group_id, []))
                raw = frozenset().union(*(data.raw.get(i, frozenset()) for i in ids))
            self.group_sources[group_id] = Source(
                "permission_set_group",
                group_id,
                group["DeveloperName"],
                raw,
                tuple(normalize(raw)),
                ids,
            )

    def user_sources(
        self, profile_id: str | None, assignments: list[tuple[str, str | None]]
    ) -> list[Source]:
        """The profile, permission sets and groups that apply to one user."""
        out = []
        if profile_id and profile_id in self.profile_sources:
            out.append(self.profile_sources[profile_id])
        seen = set()
        for ps_id, group_id in assignments:
            if group_id:
                source = self.group_sources.get(group_id)
            else:
                source = self.sources.get(ps_id)
                if source is not None and source.kind == "profile":
                    continue  # every user also has an assignment row for the profile
            if source is not None and source.id not in seen:
                seen.add(source.id)
                out.append(source)
        return out

    @staticmethod
    def grants(sources: list[Source]) -> tuple[list[str], list[str], list[Grant]]:
        """Normalized permissions, raw permissions and grants of a set of sources."""
        raw: set[str] = set()
        normalized: set[str] = set()
        grants: list[Grant] = []
        for source in sources:
            raw |= source.raw
            normalized.update(source.normalized)
            grants.extend(source.grants)
        return sorted(normalized), sorted(raw), grants

    @staticmethod
    def object_access(
        sources: list[Source],
        raw: list[str],
        objects: tuple[str, ...],
        object_perms: dict[str, dict[str, tuple[bool, bool]]],
    ) -> ObjectAccess:
        """Which sensitive objects these sources let a user read and edit."""
        readable: set[str] = set()
        editable: set[str] = set()
        if "ModifyAllData" in raw:
            readable.update(objects)
            editable.update(objects)
        elif "ViewAllData" in raw:
            readable.update(objects)
        for source in sources:
            for ps_id in source.permset_ids:
                for obj, (read, edit) in object_perms.get(ps_id, {}).items():
                    if read:
                        readable.add(obj)
                    if edit:
                        editable.add(obj)
        return ObjectAccess(readable=sorted(readable), editable=sorted(editable))

    def permission_sets(
        self,
        users: list[dict[str, Any]] | None,
        assignments: list[tuple[str, str, str | None]] | None,
    ) -> list[PermissionSet]:
        """Every profile, permission set and group with its assignee counts."""
        active = {u["Id"] for u in users or [] if u.get("IsActive")}
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for user in users or []:
            if user.get("ProfileId"):
                counts[user["ProfileId"]][0] += 1
                counts[user["ProfileId"]][1] += user["Id"] in active
        for user_id, ps_id, group_id in assignments or []:
            key = group_id or ps_id
            counts[key][0] += 1
            counts[key][1] += user_id in active
        out = []
        for profile_id, profile in self.data.profiles.items():
            source = self.profile_sources.get(profile_id)
            out.append(
                self._entry(
                    profile_id,
                    profile["Name"],
                    None,
                    "profile",
                    source,
                    self.data.licenses.get(profile.get("UserLicenseId") or ""),
                    counts.get(profile_id),
                    users is not None,
                )
            )
        for ps_id, source in self.sources.items():
            if source.kind == "permission_set":
                ps = self.data.permsets[ps_id]
                out.append(
                    self._entry(
                        ps_id,
                        ps["Name"],
                        ps.get("Label"),
                        "permission_set",
                        source,
                        None,
                        counts.get(ps_id),
                        assignments is not None,
                        custom=ps.get("IsCustom"),
                    )
                )
        for group_id, source in self.group_sources.items():
            group = self.data.groups[group_id]
            out.append(
                self._entry(
                    group_id,
                    group["DeveloperName"],
                    group.get("MasterLabel"),
                    "permission_set_group",
                    source,
                    None,
                    counts.get(group_id),
                    assignments is not None,
                    custom=True,
                )
            )
        return out

    def _entry(
        self,
        id_: str,
        name: str,
        label: str | None,
        kind: str,
        source: Source | None,
        license_name: str | None,
        count: list[int] | None,
        counted: bool,
        custom: bool | None = None,
    ) -> PermissionSet:
        if kind == "profile" and source is not None:
            custom = self.data.permsets[source.permset_ids[0]].get("IsCustom")
        return PermissionSet(
            id=id_,
            name=name,
            label=label,
            kind=kind,
            custom=custom,
            license=license_name,
            permissions=list(source.normalized) if source else None,
            raw_permissions=sorted(source.raw) if source else None,
            assignee_count=(count or [0, 0])[0] if counted else None,
            active_assignee_count=(count or [0, 0])[1] if counted else None,
        )

    def field_permissions(
        self, rows: list[dict[str, Any]], permission_sets: list[PermissionSet]
    ) -> list[FieldPermission]:
        """FieldPermission entries, named after the profile / set / group they belong to."""
        by_id = {ps.id: ps for ps in permission_sets}
        group_of_aggregate = {
            ps_id: gid for gid, s in self.group_sources.items() for ps_id in s.permset_ids
        }
        out = []
        for row in rows:
            parent = row["ParentId"]
            source = self.sources.get(parent)
            key = source.id if source else group_of_aggregate.get(parent, parent)
            entry = by_id.get(key)
            out.append(
                FieldPermission(
                    field=row["Field"],
                    permission_set=entry.name if entry else parent,
                    permission_set_kind=entry.kind if entry else None,
                    read=bool(row.get("PermissionsRead")),
                    edit=bool(row.get("PermissionsEdit")),
                    active_assignee_count=entry.active_assignee_count if entry else None,
                )
            )
        return out
