"""Zoho CRM profile permissions mapped onto crmscan's normalized vocabulary.

A profile's ``permissions_details`` (``GET /settings/profiles/{id}``) is a list of
``{id, name, display_label, module, enabled, parent_permissions}``. Zoho documents the
permission ``name`` only where its API reference shows it (the get-profiles sample and
the ``details.permissions`` of NO_PERMISSION errors); where it does not, Zoho's help
names the permission by its label in Setup > Users and Control > Profiles. So each
vocabulary entry is recognised by a documented name (exact, or a ``<name>_<Module>``
prefix for module-level permissions) or, failing that, by its documented label.
docs/api/zoho.md lists the source of each.

Permissions not listed here stay in ``raw_permissions`` only. A profile whose details
show *no entry at all* for one of `ESSENTIAL` (neither enabled nor disabled) cannot be
judged: the adapter leaves its permissions unknown instead of reading the absence as
"not granted".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from scanner.model.inventory import PERMISSIONS

#: Exact permission names (Zoho's NO_PERMISSION ``details.permissions`` values).
BY_NAME: dict[str, tuple[str, ...]] = {
    "Crm_Implied_Customize_Zoho_CRM": ("setup.customize",),
    "Crm_Implied_Manage_Users": ("users.manage",),
    "Crm_Implied_Manage_Data_Sharing": ("setup.manage_sharing",),
    "Crm_Implied_Api_Access": ("api.enabled",),
}
#: Module-level permissions: ``Crm_Implied_<Action>_<Module>`` (e.g. _Leads, _Contacts).
BY_NAME_PREFIX: dict[str, tuple[str, ...]] = {
    "Crm_Implied_Export_": ("data.export",),
    "Crm_Implied_Mass_Update_": ("data.mass_update",),
    "Crm_Implied_Mass_Delete_": ("data.mass_delete",),
}
#: Labels from Zoho CRM's help ("Managing profile permissions"), case-insensitive, for
#: permissions whose API name Zoho does not document.
BY_LABEL: dict[str, tuple[str, ...]] = {
    "export": ("data.export",),
    "export module": ("data.export",),
    "mass update": ("data.mass_update",),
    "mass delete": ("data.mass_delete",),
    "manage users": ("users.manage",),
    "manage profiles": ("setup.manage_profiles",),
    "manage roles": ("setup.manage_profiles",),
    "zoho crm api": ("api.enabled",),
    "crm api": ("api.enabled",),
}
#: What Zoho's built-in Administrator profile implies beyond its listed permissions:
#: "Users with Administrator profile will be able to view and manage all the data within
#: the organization account by default" (Zoho's get-profiles sample description), and
#: the audit log is for "Users with administrative profile" (Zoho CRM help, Audit Log).
ADMINISTRATOR_PROFILE = "Administrator"
ADMINISTRATOR_IMPLIES: tuple[str, ...] = ("data.view_all", "data.modify_all", "audit.view")
#: The org's primary user (``org.primary_zuid``) is its Super Administrator.
SUPER_ADMIN_PERMISSIONS: tuple[str, ...] = ("account.super_admin",)
SUPER_ADMIN_GRANT = "Super Administrator"

#: Permissions the checks read whose absence from a profile's details means the profile
#: was not understood (a changed API, or a name this table does not know), not "denied".
ESSENTIAL: tuple[str, ...] = ("data.export", "api.enabled")

assert all(
    n in PERMISSIONS
    for table in (BY_NAME, BY_NAME_PREFIX, BY_LABEL)
    for names in table.values()
    for n in names
)
assert all(n in PERMISSIONS for n in (*ADMINISTRATOR_IMPLIES, *SUPER_ADMIN_PERMISSIONS))


@dataclass(frozen=True)
class MappedProfile:
    """A profile's permissions: normalized, raw (enabled names), and what was recognised."""

    permissions: list[str]
    raw_permissions: list[str]
    recognised: frozenset[str]  #: vocabulary entries seen, enabled or not

    def missing_essentials(self) -> list[str]:
        """`ESSENTIAL` entries with no permission entry at all in the profile."""
        return [p for p in ESSENTIAL if p not in self.recognised]


def meaning(detail: Mapping[str, Any]) -> tuple[str, ...]:
    """The vocabulary entries one ``permissions_details`` entry stands for (maybe none)."""
    name = str(detail.get("name") or "")
    if name in BY_NAME:
        return BY_NAME[name]
    for prefix, names in BY_NAME_PREFIX.items():
        if name.startswith(prefix) and len(name) > len(prefix):
            return names
    label = str(detail.get("display_label") or "").strip().lower()
    return BY_LABEL.get(label, ())


def map_profile(details: Iterable[Mapping[str, Any]], *, administrator: bool) -> MappedProfile:
    """Map one profile's ``permissions_details``; ``administrator``: the built-in profile."""
    granted: set[str] = set()
    raw: set[str] = set()
    recognised: set[str] = set()
    for detail in details:
        names = meaning(detail)
        recognised.update(names)
        if detail.get("enabled") is True:
            raw.add(str(detail.get("name") or detail.get("display_label") or detail.get("id")))
            granted.update(names)
    if administrator:
        granted.update(ADMINISTRATOR_IMPLIES)
    return MappedProfile(sorted(granted), sorted(raw), frozenset(recognised))
