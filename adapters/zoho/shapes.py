"""The documented shape of each Zoho CRM record the adapter reads (docs/api/zoho.md).

Only the fields the mapping reads, with the JSON types Zoho documents (null where Zoho
sends null). Every record is checked against its shape where it enters the adapter
(`adapters.zoho.collect_access`, `adapters.zoho.collect_settings`), strictly: a boolean
sent as ``"false"``, an id sent as a number, an array or object where text belongs, or
an absent required field makes the record's collection a ``malformed_response`` gap,
never a crash and never a guessed value.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from adapters.http import as_shaped


class _Shape(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Ref(_Shape):
    """A ``{"id": ..., "name": ...}`` reference (a user's profile or role)."""

    id: str
    name: str | None = None


class LicenseDetails(_Shape):
    """``org.license_details``: the edition and the licences bought."""

    paid: bool | None = None
    paid_type: str | None = None
    trial_type: str | None = None
    users_license_purchased: int | None = None


class Org(_Shape):
    """``GET /org``."""

    id: str
    company_name: str | None = None
    domain_name: str | None = None
    type: str | None = None
    primary_zuid: str | None = None
    license_details: LicenseDetails | None = None


class User(_Shape):
    """``GET /users``: every user has an id, a profile and a role."""

    id: str
    status: str | None = None
    profile: Ref
    role: Ref
    confirm: bool | None = None
    email: str | None = None
    full_name: str | None = None
    created_time: str | None = None
    category: str | None = None
    type__s: str | None = None
    zuid: str | None = None


class Profile(_Shape):
    """``GET /settings/profiles`` (one entry of the listing)."""

    id: str
    name: str
    display_label: str | None = None
    custom: bool | None = None
    type: str | None = None


class Permission(_Shape):
    """One entry of a profile's ``permissions_details``."""

    id: str | None = None
    name: str | None = None
    display_label: str | None = None
    module: str | None = None
    enabled: bool


class ProfileDetail(Profile):
    """``GET /settings/profiles/{id}``: the profile with its ``permissions_details``.

    Without ``permissions_details`` the profile is not understood (its users' permissions
    stay unknown, `adapters.zoho.normalize.profile_info`); with it, every entry must fit.
    """

    permissions_details: list[Permission] | None = None


class Role(_Shape):
    """``GET /settings/roles``."""

    id: str
    name: str | None = None
    display_label: str | None = None
    reporting_to: Ref | None = None
    admin_user: bool | None = None


class Crypt(_Shape):
    """A field's ``crypt``: the encryption mode and state."""

    mode: str | None = None
    status: int | None = None


class FieldAccess(_Shape):
    """One entry of a field's ``profiles``: a profile's access to the field."""

    id: str | None = None
    name: str | None = None
    permission_type: str


class Field(_Shape):
    """``GET /settings/fields``: ``profiles`` null when the caller may not see them."""

    api_name: str
    crypt: Crypt | None = None
    profiles: list[FieldAccess] | None = None


def shaped(rows: list[Any], shape: type[BaseModel], what: str) -> list[dict[str, Any]]:
    """``rows``, each checked against ``shape``; the first misfit names its entry."""
    return [as_shaped(row, shape, f"{what} entry {index + 1}") for index, row in enumerate(rows)]
