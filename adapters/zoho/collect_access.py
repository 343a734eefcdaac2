"""Fetch the org, users, profiles and roles, and check the shapes Zoho documents.

Each function raises a `CollectionError` (the adapter records it as a gap) or returns the
raw records; normalization is `adapters.zoho.normalize`'s job.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from adapters.zoho.client import ZohoApi
from scanner.errors import CollectionError, MalformedResponseError
from scanner.evidence.raw import in_context

#: ``type`` of ``GET /users`` that lists every user: active, deactivated, deleted,
#: confirmed or not (Zoho's sample answer for it shows all of these).
ALL_USERS = "AllUsers"


def org(api: ZohoApi) -> dict[str, Any]:
    """``GET /org``: the one org record."""
    what = "organization"
    body = api.get_object("/org", what=what, scope="ZohoCRM.org.READ")
    rows = api.records(body, "org", what)
    if len(rows) != 1:
        raise MalformedResponseError(
            f"{what}: malformed response: expected one org, got {len(rows)}"
        )
    return rows[0]


def users(api: ZohoApi, on_page: Callable[[], None] | None = None) -> list[dict[str, Any]]:
    """Every user of every status, all pages; duplicates across pages are refused."""
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    for page in api.user_pages(ALL_USERS, on_page=on_page):
        for record in page:
            ident = str(record.get("id"))
            if record.get("id") is None or ident in seen:
                raise MalformedResponseError(
                    f"users: malformed response: user id {ident!r} is missing or repeated"
                )
            seen.add(ident)
            found.append(record)
    return found


def profile_listing(api: ZohoApi) -> list[dict[str, Any]]:
    """``GET /settings/profiles``: every profile, without its permissions."""
    what = "profiles"
    body = api.get_object("/settings/profiles", what=what, scope="ZohoCRM.settings.profiles.READ")
    rows = api.records(body, "profiles", what)
    if any(r.get("id") is None for r in rows):
        raise MalformedResponseError(f"{what}: malformed response: a profile has no id")
    return rows


def profile_details(
    api: ZohoApi, listing: list[dict[str, Any]], workers: int
) -> dict[str, dict[str, Any] | CollectionError]:
    """``GET /settings/profiles/{id}`` for each profile (its ``permissions_details``).

    Zoho renders ``permissions_details`` only on the single-profile call, so this is
    one call per profile, ``workers`` at a time. A failure for one profile is kept as
    that profile's result (its users' permissions stay unknown); others go on.
    """

    def one(record: dict[str, Any]) -> tuple[str, dict[str, Any] | CollectionError]:
        ident = str(record["id"])
        what = f"profile {record.get('name') or ident}"
        try:
            body = api.get_object(
                f"/settings/profiles/{ident}", what=what, scope="ZohoCRM.settings.profiles.READ"
            )
            rows = api.records(body, "profiles", what)
            if len(rows) != 1 or str(rows[0].get("id")) != ident:
                raise MalformedResponseError(f"{what}: malformed response: not that profile")
            return ident, rows[0]
        except CollectionError as exc:
            return ident, exc

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return dict(pool.map(in_context(one), listing))


def roles(api: ZohoApi) -> list[dict[str, Any]]:
    """``GET /settings/roles``: every role with its ``reporting_to`` parent."""
    what = "roles"
    body = api.get_object("/settings/roles", what=what, scope="ZohoCRM.settings.roles.READ")
    return api.records(body, "roles", what)
