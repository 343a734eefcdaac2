"""The documented shape of each HubSpot record the adapter reads.

Only the fields the mapping reads, with the JSON types HubSpot's API reference gives
them; a field the mapping already reads as "unknown on this one record" when it is null
or absent (a login event without ``loginAt``, an owner without ``archived``) stays
optional here. Each record is checked where it enters (`adapters.hubspot.client` pages,
`adapters.hubspot.sdk` raw bodies, `adapters.hubspot.adapter` single answers), strictly:
an array or object where a scalar is documented, a number where text is documented (or
text where a number or boolean is), or a required field that is absent, makes the
collection a ``malformed_response`` gap, never a crash and never a value made up by
``str()`` (an id ``"['a', 'b']"``).

Timestamps are ISO 8601 text or epoch milliseconds (`adapters.hubspot.timestamps`), and
ids the activity logs give as numbers or text are read as text, so both are allowed.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from adapters.http import as_shaped

Stamp = str | int | None
Ident = str | int


class _Shape(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Details(_Shape):
    """``GET /account-info/v3/details``."""

    portalId: int  # noqa: N815 - HubSpot's field name
    accountType: str | None = None  # noqa: N815
    timeZone: str | None = None  # noqa: N815
    dataHostingLocation: str | None = None  # noqa: N815
    uiDomain: str | None = None  # noqa: N815
    companyCurrency: str | None = None  # noqa: N815


class User(_Shape):
    """``GET /settings/v3/users`` (``PublicUser``)."""

    id: str
    email: str | None = None
    roleIds: list[str] | None = None  # noqa: N815
    roleId: str | None = None  # noqa: N815
    primaryTeamId: str | None = None  # noqa: N815
    secondaryTeamIds: list[str] | None = None  # noqa: N815
    superAdmin: bool | None = None  # noqa: N815


class Role(_Shape):
    """``GET /settings/v3/users/roles`` (``PublicPermissionSet``)."""

    id: str
    name: str
    requiresBillingWrite: bool | None = None  # noqa: N815


class Team(_Shape):
    """``GET /settings/v3/users/teams`` (``PublicTeam``)."""

    id: str
    name: str
    userIds: list[str] | None = None  # noqa: N815
    secondaryUserIds: list[str] | None = None  # noqa: N815


class Owner(_Shape):
    """``GET /crm/v3/owners`` (``PublicOwner``): ``userId`` is an integer."""

    id: str
    type: str | None = None
    email: str | None = None
    userId: int | None = None  # noqa: N815
    userIdIncludingInactive: int | None = None  # noqa: N815
    archived: bool | None = None
    createdAt: Stamp = None  # noqa: N815


class Login(_Shape):
    """``GET /account-info/v3/activity/login``."""

    id: Ident | None = None
    userId: int | None = None  # noqa: N815
    email: str | None = None
    loginAt: Stamp = None  # noqa: N815
    loginSucceeded: bool | None = None  # noqa: N815
    ipAddress: str | None = None  # noqa: N815
    countryCode: str | None = None  # noqa: N815


class SecurityEvent(_Shape):
    """``GET /account-info/v3/activity/security``."""

    id: Ident | None = None
    type: str | None = None
    createdAt: Stamp = None  # noqa: N815
    actingUser: str | None = None  # noqa: N815
    objectId: Ident | None = None  # noqa: N815
    userId: Ident | None = None  # noqa: N815


class Usage(_Shape):
    """One entry of ``GET /account-info/v3/api-usage/daily/private-apps``."""

    name: str
    usageLimit: int | None = None  # noqa: N815
    currentUsage: int | None = None  # noqa: N815


class TokenInfo(_Shape):
    """``POST /oauth/v2/private-apps/get/access-token-info``."""

    appId: int  # noqa: N815
    userId: int | None = None  # noqa: N815
    scopes: list[str]


def shaped(rows: list[Any], shape: type[BaseModel], what: str) -> list[dict[str, Any]]:
    """``rows``, each checked against ``shape``; the first misfit names its entry."""
    return [as_shaped(row, shape, f"{what} entry {index + 1}") for index, row in enumerate(rows)]
