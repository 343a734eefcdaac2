"""Users, roles and teams through hubspot-api-client (``settings/v3/users``).

The SDK does the HTTP (urllib3) and the model decoding; this module adds what it does not
do: rate-limit and 5xx retries with `adapters.hubspot.wire.decide`, error → gap mapping,
paging over every page of users, and plain typed records for `normalize`.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import urllib3
from hubspot import Client
from hubspot.settings.users.exceptions import ApiException

from adapters.hubspot.wire import (
    CallLog,
    ErrorResponse,
    Sleep,
    TransportFailure,
    send_with_retries,
)
from scanner.errors import ApiError, MalformedResponseError
from scanner.redact import redact

#: ``settings/v3/users`` returns at most 100 users per page.
USERS_PAGE_LIMIT = 100
USERS_SCOPE = "settings.users.read"
TEAMS_SCOPE = "settings.users.teams.read"

T = TypeVar("T")


@dataclass(frozen=True)
class HsUser:
    """A HubSpot user as the settings API returns it."""

    id: str
    email: str | None
    role_ids: tuple[str, ...]
    primary_team_id: str | None
    secondary_team_ids: tuple[str, ...]
    super_admin: bool | None


@dataclass(frozen=True)
class HsRole:
    """A HubSpot role (``PublicPermissionSet``)."""

    id: str
    name: str
    requires_billing_write: bool | None


@dataclass(frozen=True)
class HsTeam:
    """A HubSpot team with its primary and secondary members."""

    id: str
    name: str
    user_ids: tuple[str, ...]
    secondary_user_ids: tuple[str, ...]


class SettingsReader:
    """Reads users, roles and teams with the SDK, pointed at ``base_url``."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        calls: CallLog,
        sleep: Sleep = time.sleep,
        timeout: float = 30.0,
    ) -> None:
        # Retries are ours (they must honour HubSpot's 429 policy), so urllib3 makes none.
        client = Client.create(
            access_token=token,
            host=base_url.rstrip("/"),
            retry=urllib3.Retry(total=0, redirect=0, raise_on_status=False),
        )
        users = client.settings.users
        self._users_api = users.users_api
        self._roles_api = users.roles_api
        self._teams_api = users.teams_api
        self._calls = calls
        self._sleep = sleep
        self._timeout = timeout

    def user_pages(self) -> Iterator[list[HsUser]]:
        """Yield every page of users, following ``paging.next.after``."""
        after: str | None = None
        seen: set[str] = set()
        while True:
            page = self._call(
                functools.partial(
                    self._users_api.get_page,
                    limit=USERS_PAGE_LIMIT,
                    after=after,
                    _request_timeout=self._timeout,
                ),
                what="users",
                scope=USERS_SCOPE,
            )
            self._calls.page("users")
            yield [_user(u) for u in _results(page, "users")]
            nxt = page.paging.next if page.paging is not None else None
            if nxt is None:
                return
            if not nxt.after or nxt.after in seen:
                raise MalformedResponseError(f"users: malformed paging cursor {nxt.after!r}")
            seen.add(nxt.after)
            after = nxt.after

    def roles(self) -> list[HsRole]:
        """Every role in the account."""
        page = self._call(
            lambda: self._roles_api.get_all(_request_timeout=self._timeout),
            what="roles",
            scope=USERS_SCOPE,
        )
        self._calls.page("roles")
        return [
            HsRole(id=str(r.id), name=str(r.name), requires_billing_write=r.requires_billing_write)
            for r in _results(page, "roles", required=("id", "name"))
        ]

    def teams(self) -> list[HsTeam]:
        """Every team in the account."""
        page = self._call(
            lambda: self._teams_api.get_all(_request_timeout=self._timeout),
            what="teams",
            scope=TEAMS_SCOPE,
        )
        self._calls.page("teams")
        return [
            HsTeam(
                id=str(t.id),
                name=str(t.name),
                user_ids=_ids(t.user_ids),
                secondary_user_ids=_ids(t.secondary_user_ids),
            )
            for t in _results(page, "teams", required=("id", "name"))
        ]

    def _call(self, send: Callable[[], T], *, what: str, scope: str) -> T:
        def send_once() -> T | ErrorResponse:
            try:
                return send()
            except ApiException as exc:
                if not exc.status:  # status 0: TLS or request-building failure
                    raise ApiError(f"{what}: {redact(str(exc.reason))}") from None
                return ErrorResponse(int(exc.status), dict(exc.headers or {}), exc.body)
            except urllib3.exceptions.HTTPError as exc:
                raise TransportFailure(type(exc).__name__, redact(str(exc))) from None
            except (ValueError, TypeError, AttributeError) as exc:
                # The SDK could not decode the body into its model (not JSON, or a
                # required field missing).
                raise MalformedResponseError(
                    f"{what}: malformed response: {redact(str(exc))[:200]}"
                ) from None

        return send_with_retries(self._calls, self._sleep, send_once, what=what, scope=scope)


def _results(page: Any, what: str, required: tuple[str, ...] = ("id",)) -> list[Any]:
    """``page.results``, checked: the SDK does not reject a body missing required fields."""
    results = getattr(page, "results", None)
    if not isinstance(results, list):
        raise MalformedResponseError(f"{what}: malformed response: no 'results' array")
    for item in results:
        missing = [name for name in required if getattr(item, name, None) in (None, "")]
        if missing:
            raise MalformedResponseError(
                f"{what}: malformed response: an entry has no {', '.join(missing)}"
            )
    return results


def _ids(values: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in values or ())


def _user(u: Any) -> HsUser:
    role_ids = list(_ids(u.role_ids))
    if u.role_id and str(u.role_id) not in role_ids:  # older single-role field
        role_ids.append(str(u.role_id))
    return HsUser(
        id=str(u.id),
        email=u.email,
        role_ids=tuple(role_ids),
        primary_team_id=str(u.primary_team_id) if u.primary_team_id else None,
        secondary_team_ids=_ids(u.secondary_team_ids),
        super_admin=u.super_admin,
    )
