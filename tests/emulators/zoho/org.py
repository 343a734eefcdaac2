"""The data a Zoho CRM emulator serves, and builders for Zoho-shaped records.

Records have the shapes of Zoho CRM's v8 answers as documented (docs/api/zoho.md): the
``GET /org`` record, ``GET /users`` records, ``GET /settings/roles`` records, profiles
with their ``permissions_details``, and ``GET /settings/fields`` records. Written from
the documentation; nothing here imports the adapter.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

#: The org id prefix Zoho ids share (19-digit ids, as in Zoho's samples).
ID_PREFIX = "5725767000000"
_ids = itertools.count(500001)

#: Modules whose permissions a profile lists (a subset of Zoho's standard modules).
MODULES = ("Leads", "Contacts", "Accounts", "Deals")
#: Module-level permission actions, named ``Crm_Implied_<Action>_<Module>``; the labels
#: are Zoho's ("View", "Create", ... in the get-profiles sample, "Export", "Mass Update",
#: "Mass Delete" in its profile-permissions help).
MODULE_ACTIONS = {
    "View": "View",
    "Create": "Create",
    "Edit": "Edit",
    "Delete": "Delete",
    "Export": "Export",
    "Mass_Update": "Mass Update",
    "Mass_Delete": "Mass Delete",
}
#: Org-level permissions: (name, label). Names are those Zoho's NO_PERMISSION errors
#: report; "Manage Profiles" has no documented API name, so its name here is a
#: placeholder (the adapter must recognise it by its label).
SETUP_PERMISSIONS = {
    "customize": ("Crm_Implied_Customize_Zoho_CRM", "Customize Zoho CRM"),
    "manage_users": ("Crm_Implied_Manage_Users", "Manage Users"),
    "manage_profiles": ("Zoho_Emulator_Undocumented_Manage_Profiles", "Manage Profiles"),
    "data_sharing": ("Crm_Implied_Manage_Data_Sharing", "Manage Data Sharing"),
    "api": ("Crm_Implied_Api_Access", "Zoho CRM API"),
}
#: Concurrent calls Zoho allows one app, by edition (Kaizen #203 / API limits).
CONCURRENCY_BY_EDITION = {
    "free": 5,
    "standard": 10,
    "starter": 10,
    "professional": 15,
    "enterprise": 20,
    "zohoone": 20,
    "ultimate": 25,
    "crmplus": 25,
}


def new_id() -> str:
    """A fresh Zoho-style 19-digit id."""
    return f"{ID_PREFIX}{next(_ids):06d}"


def zoho_time(moment: datetime) -> str:
    """A timestamp as Zoho writes them: ISO 8601 with the org's offset (here -08:00)."""
    offset = timezone(timedelta(hours=-8))
    return moment.astimezone(offset).replace(microsecond=0).isoformat()


def permissions_details(
    grants: set[str], *, modules: tuple[str, ...] = MODULES, prefix: str = ID_PREFIX
) -> list[dict[str, Any]]:
    """A profile's ``permissions_details``: every permission listed, ``grants`` enabled.

    ``grants`` holds ``"<Action>_<Module>"`` (``"Export_Leads"``) or a `SETUP_PERMISSIONS`
    key (``"api"``).
    """
    counter = itertools.count(26100)
    details: list[dict[str, Any]] = []
    for module in modules:
        view_id = None
        for action, label in MODULE_ACTIONS.items():
            ident = f"{prefix}{next(counter):06d}"
            entry: dict[str, Any] = {
                "display_label": label,
                "module": module,
                "name": f"Crm_Implied_{action}_{module}",
                "id": ident,
                "enabled": f"{action}_{module}" in grants,
                "customizable": True,
                "parent_permissions": [view_id] if view_id and action != "View" else [],
            }
            if action == "View":
                view_id = ident
            details.append(entry)
    for key, (name, label) in SETUP_PERMISSIONS.items():
        details.append(
            {
                "display_label": label,
                "module": None,
                "name": name,
                "id": f"{prefix}{next(counter):06d}",
                "enabled": key in grants,
                "customizable": True,
                "parent_permissions": [],
            }
        )
    return details


def module_grants(actions: tuple[str, ...], modules: tuple[str, ...] = MODULES) -> set[str]:
    """``{"<Action>_<Module>"}`` for every action on every module."""
    return {f"{a}_{m}" for a in actions for m in modules}


def profile(
    name: str,
    grants: set[str],
    *,
    custom: bool = True,
    ident: str | None = None,
    created: datetime | None = None,
    kind: str = "normal_profile",
) -> dict[str, Any]:
    """A profile record as ``GET /settings/profiles/{id}`` returns it."""
    when = zoho_time(created) if created else None
    return {
        "display_label": name,
        "name": name,
        "id": ident or new_id(),
        "custom": custom,
        "default": not custom,
        "description": f"{name} profile",
        "type": kind,
        "permission_type": "crm_profile",
        "category": False,
        "created_time": when,
        "modified_time": when,
        "created_by": None,
        "modified_by": None,
        "_default_view": {"name": "Module Permissions", "id": new_id(), "type": "module"},
        "permissions_details": permissions_details(grants),
        "sections": [],
    }


def role(name: str, parent: dict[str, Any] | None = None, *, admin: bool = False) -> dict[str, Any]:
    """A role record as ``GET /settings/roles`` returns it."""
    return {
        "display_label": name,
        "name": name,
        "id": new_id(),
        "reporting_to": {"name": parent["name"], "id": parent["id"]} if parent else None,
        "forecast_manager": None,
        "share_with_peers": True,
        "description": None,
        "admin_user": admin,
        "created_by__s": None,
        "modified_by__s": None,
        "created_time__s": None,
        "modified_time__s": None,
    }


def user(
    first: str,
    last: str,
    email: str,
    *,
    profile_record: dict[str, Any],
    role_record: dict[str, Any],
    created: datetime,
    status: str = "active",
    confirm: bool = True,
    zuid: str | None = None,
    online: bool = False,
) -> dict[str, Any]:
    """A user record as ``GET /users`` returns it (v8 keys, Zoho's sample values)."""
    return {
        "country": "US",
        "name_format__s": "Salutation,First Name,Last Name",
        "language": "en_US",
        "microsoft": False,
        "$shift_effective_from": None,
        "id": new_id(),
        "state": None,
        "fax": None,
        "country_locale": "en_US",
        "sandboxDeveloper": False,
        "zip": None,
        "decimal_separator": "Period",
        "created_time": zoho_time(created),
        "time_format": "hh:mm a",
        "offset": -28800000,
        "profile": {"name": profile_record["name"], "id": profile_record["id"]},
        "created_by": None,
        "zuid": zuid or str(800000000 + next(_ids)),
        "full_name": f"{first} {last}",
        "phone": None,
        "dob": None,
        "sort_order_preference__s": "First Name,Last Name",
        "status": status,
        "category": "regular_user",
        "role": {"name": role_record["name"], "id": role_record["id"]},
        "customize_info": {"notes_desc": None, "show_right_panel": None, "bc_view": None},
        "city": None,
        "signature": None,
        "locale": "en_US",
        "personal_account": False,
        "Isonline": online,
        "default_tab_group": "0",
        "Modified_By": None,
        "street": None,
        "alias": None,
        "Currency": "USD",
        "theme": None,
        "first_name": first,
        "email": email,
        "status_reason__s": None,
        "website": None,
        "Modified_Time": zoho_time(created),
        "mobile": None,
        "last_name": last,
        "time_zone": "America/Los_Angeles",
        "confirm": confirm,
        "Reporting_To": None,
        "$current_shift": None,
        "$next_shift": None,
        "sort_order_preference": "First Name,Last Name",
    }


def field_record(
    api_name: str,
    access: dict[str, str],
    profiles: list[dict[str, Any]],
    *,
    encrypted: bool = False,
) -> dict[str, Any]:
    """A field as ``GET /settings/fields`` returns it, with per-profile access.

    ``access`` maps profile name → ``permission_type`` (``read_write``, ``read_only``,
    ``hidden``); profiles not named get ``read_write``.
    """
    return {
        "api_name": api_name,
        "field_label": api_name.replace("_", " "),
        "display_label": api_name.replace("_", " "),
        "id": new_id(),
        "data_type": "text",
        "custom_field": api_name.endswith("__c") or "_" in api_name,
        "visible": True,
        "read_only": False,
        "field_read_only": False,
        "crypt": {"mode": "encryption", "status": 1} if encrypted else None,
        "profiles": [
            {
                "permission_type": access.get(p["name"], "read_write"),
                "name": p["name"],
                "id": p["id"],
            }
            for p in profiles
        ],
    }


def org_record(
    name: str, *, edition: str, users_licensed: int, primary_zuid: str, created: datetime
) -> dict[str, Any]:
    """The ``GET /org`` record (Zoho's sample keys)."""
    return {
        "country": "US",
        "hierarchy_preferences": {"type": "Role_Hierarchy"},
        "photo_id": None,
        "city": None,
        "description": None,
        "type": "production",
        "mc_status": False,
        "gapps_enabled": False,
        "lite_users_enabled": False,
        "domain_name": "org" + primary_zuid,
        "translation_enabled": False,
        "street": None,
        "alias": None,
        "currency": "US Dollar - USD",
        "deletable_org_account": False,
        "id": new_id(),
        "state": None,
        "fax": None,
        "employee_count": str(users_licensed),
        "zip": None,
        "created_time": zoho_time(created),
        "website": None,
        "currency_symbol": "$",
        "mobile": None,
        "currency_locale": "USD",
        "primary_zuid": primary_zuid,
        "zia_portal_id": None,
        "time_zone": "America/Los_Angeles",
        "zgid": primary_zuid,
        "country_code": "US",
        "license_details": {
            "paid_expiry": None,
            "users_license_purchased": users_licensed,
            "trial_type": None,
            "trial_expiry": None,
            "paid": edition != "free",
            "paid_type": None if edition == "free" else edition,
            "portal_users_license_purchased": 0,
        },
        "phone": None,
        "company_name": name,
        "privacy_settings": False,
        "primary_email": None,
        "hipaa_compliance_enabled": False,
        "iso_code": "USD",
    }


@dataclass
class ZohoOrg:
    """Everything one emulated org serves."""

    org: dict[str, Any]
    users: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    profiles: list[dict[str, Any]] = field(default_factory=list)
    fields: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    audit_jobs: list[dict[str, Any]] = field(default_factory=list)
    #: The scanning user's profile may not see field permissions (``profiles: null``).
    hide_field_permissions: bool = False

    @property
    def edition(self) -> str:
        """The edition name, lower case (``free`` when unpaid)."""
        details = self.org.get("license_details") or {}
        return str(details.get("paid_type") or "free").lower().replace(" ", "")

    @property
    def concurrency_limit(self) -> int:
        """Concurrent calls allowed per app for this edition."""
        return CONCURRENCY_BY_EDITION.get(self.edition, 5)

    @classmethod
    def from_fixture(cls, data: dict[str, Any]) -> ZohoOrg:
        """An org from a sample-org document (adapters/zoho/demo/sample_org.json)."""
        return cls(
            org=copy.deepcopy(data["org"]),
            users=copy.deepcopy(data["users"]),
            roles=copy.deepcopy(data["roles"]),
            profiles=copy.deepcopy(data["profiles"]),
            fields=copy.deepcopy(data.get("fields", {})),
        )

    def profile_listing(self) -> list[dict[str, Any]]:
        """``GET /settings/profiles``: profiles without ``permissions_details``."""
        return [
            {k: v for k, v in p.items() if k not in ("permissions_details", "sections")}
            if isinstance(p, dict)
            else p  # a hostile test's planted non-object is served as it is
            for p in self.profiles
        ]
