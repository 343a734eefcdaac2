"""Users, roles and teams through hubspot-api-client (``settings/v3/users``).

The SDK does the HTTP (urllib3) and the model decoding; this module adds what it does not
do: every attempt goes through the shared retry core (`adapters.http.RetryCore`) with
HubSpot's decision table (rate-limit and 5xx retries, error → gap mapping, the scan
deadline, unreachable hosts), TLS trust from the environment, HTTPS only, paging over
every page of users with loop guards, and plain typed records for `normalize`.

The SDK's urllib3 plugs into the core as any transport does: `SettingsReader._call`
makes one SDK call and hands the core an `Answer` built from the raw response (the
SDK keeps it as ``api_client.last_response``, or in its `ApiException`), so the
observers see every body, or raises `TransportFailure` when nothing answered.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import urllib3
from hubspot import Client
from hubspot.settings.users.exceptions import ApiException

from adapters.http import (
    Answer,
    Deadline,
    Page,
    RetryCore,
    TransportFailure,
    ca_bundle,
    follow,
    require_https,
)
from adapters.http.tls import host_of
from adapters.hubspot.wire import CallLog, Sleep, decision_table, retry_core
from scanner.errors import MalformedResponseError
from scanner.redact import redact

#: ``settings/v3/users`` returns at most 100 users per page.
USERS_PAGE_LIMIT = 100
USERS_SCOPE = "settings.users.read"
TEAMS_SCOPE = "settings.users.teams.read"
#: The settings API's users endpoint (roles and teams are below it).
USERS_PATH = "/settings/v3/users"
#: Seconds to wait for a connection to HubSpot.
CONNECT_TIMEOUT = 10.0

T = TypeVar("T")


@dataclass(frozen=True)
class HsUser:
    """A HubSpot user as the settings API returns it."""

    id: str
    email: str | None
    #: None: the answer had no ``roleIds`` (and no ``roleId``): the roles are unknown.
    role_ids: tuple[str, ...] | None
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
    """Reads users, roles and teams with the SDK, pointed at ``base_url`` (HTTPS only).

    ``core`` is the retry core shared with the httpx path (request counts, the first-call
    rule for 401 and unreachable hosts, the deadline); without one, a core counting into
    ``calls`` is made.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        calls: CallLog,
        sleep: Sleep = time.sleep,
        timeout: float = 30.0,
        deadline: Deadline | None = None,
        core: RetryCore | None = None,
    ) -> None:
        base = require_https(base_url)
        self._host = host_of(base)
        # Retries are the core's (they must honour HubSpot's 429 policy), so urllib3 makes
        # none; trust is the same CA bundle every transport uses.
        client = Client.create(
            access_token=token,
            host=base,
            retry=urllib3.Retry(total=0, redirect=0, raise_on_status=False),
            ssl_ca_cert=ca_bundle(),
            # The SDK's own checks reject a whole page for one user without an email;
            # `_results` checks what the adapter needs (ids), and a null elsewhere stays
            # a null on that one record (its checks say ERROR).
            client_side_validation=False,
        )
        users = client.settings.users
        self._users_api = users.users_api
        self._roles_api = users.roles_api
        self._teams_api = users.teams_api
        self._calls = calls
        self._core = core or retry_core(calls, sleep, deadline)
        self._timeout = timeout

    def _timeouts(self) -> tuple[float, float]:
        """(connect, read) seconds for the next request, bounded by the scan deadline."""
        deadline = self._core.deadline
        connect = deadline.bound(CONNECT_TIMEOUT) or CONNECT_TIMEOUT
        return connect, deadline.bound(self._timeout) or self._timeout

    def user_pages(self) -> Iterator[list[HsUser]]:
        """Yield every page of users, following ``paging.next.after``."""

        def fetch(after: Any) -> Page[HsUser]:
            page = self._call(
                self._users_api,
                lambda: self._users_api.get_page(
                    limit=USERS_PAGE_LIMIT, after=after, _request_timeout=self._timeouts()
                ),
                what="users",
                scope=USERS_SCOPE,
                path=f"{USERS_PATH}?limit={USERS_PAGE_LIMIT}"
                + (f"&after={after}" if after else ""),
            )
            users = [_user(u) for u in _results(page, "users")]
            nxt = page.paging.next if page.paging is not None else None
            if nxt is not None and not nxt.after:
                raise MalformedResponseError("users: malformed response: paging.next has no cursor")
            return Page(users, nxt.after if nxt is not None else None)

        return follow(fetch, what="users", on_page=lambda: self._calls.page("users"))

    def roles(self) -> list[HsRole]:
        """Every role in the account."""
        page = self._call(
            self._roles_api,
            lambda: self._roles_api.get_all(_request_timeout=self._timeouts()),
            what="roles",
            scope=USERS_SCOPE,
            path=f"{USERS_PATH}/roles",
        )
        self._calls.page("roles")
        return [
            HsRole(id=str(r.id), name=str(r.name), requires_billing_write=r.requires_billing_write)
            for r in _results(page, "roles", required=("id", "name"))
        ]

    def teams(self) -> list[HsTeam]:
        """Every team in the account."""
        page = self._call(
            self._teams_api,
            lambda: self._teams_api.get_all(_request_timeout=self._timeouts()),
            what="teams",
            scope=TEAMS_SCOPE,
            path=f"{USERS_PATH}/teams",
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

    def _call(self, api: Any, fetch: Callable[[], T], *, what: str, scope: str, path: str) -> T:
        """One SDK call through the retry core; the decoded model of the accepted answer.

        ``path`` is the request the SDK sends, as the raw evidence names it.
        """
        decoded: list[T] = []

        def send_once() -> Answer:
            decoded.clear()
            try:
                decoded.append(fetch())
            except ApiException as exc:
                if not exc.status:  # status 0: the SDK's wrapper of a TLS failure
                    raise TransportFailure(
                        "TLS handshake failed", redact(str(exc.reason)), connect=True
                    ) from None
                return Answer(int(exc.status), dict(exc.headers or {}), exc.body)
            except urllib3.exceptions.HTTPError as exc:
                raise _transport_failure(exc) from None
            except (ValueError, TypeError, AttributeError) as exc:
                # The SDK could not decode the body into its model (not JSON, or a
                # required field missing).
                raise MalformedResponseError(
                    f"{what}: malformed response: {redact(str(exc))[:200]}"
                ) from None
            raw = getattr(api.api_client, "last_response", None)
            if raw is None:  # pragma: no cover - the SDK always keeps it
                return Answer(200, {}, b"")
            return Answer(int(raw.status), dict(raw.getheaders()), raw.data)

        self._core.send(
            send_once, decision_table(what, scope), what=what, host=self._host, url=path
        )
        return decoded[0]


def _transport_failure(exc: urllib3.exceptions.HTTPError) -> TransportFailure:
    """What urllib3 failed at: connecting (DNS, refused, TLS, connect timeout) or reading."""
    reason = getattr(exc, "reason", None) or exc
    detail = redact(str(reason))
    errors = urllib3.exceptions
    if isinstance(reason, errors.ConnectTimeoutError):
        return TransportFailure("ConnectTimeout", detail, connect=True)
    if isinstance(reason, errors.NameResolutionError):
        return TransportFailure("DNS lookup failed", detail, connect=True)
    if isinstance(reason, errors.NewConnectionError):
        return TransportFailure("connection failed", detail, connect=True)
    if isinstance(reason, errors.SSLError):
        return TransportFailure("TLS handshake failed", detail, connect=True)
    if isinstance(reason, (errors.ReadTimeoutError, errors.TimeoutError)):
        return TransportFailure("ReadTimeout", detail, timeout=True)
    return TransportFailure(type(reason).__name__, detail)


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
    known = u.role_ids is not None or bool(u.role_id)
    super_admin = u.super_admin if isinstance(u.super_admin, bool) else None
    return HsUser(
        id=str(u.id),
        email=u.email if isinstance(u.email, str) and u.email else None,
        role_ids=tuple(role_ids) if known else None,
        primary_team_id=str(u.primary_team_id) if u.primary_team_id else None,
        secondary_team_ids=_ids(u.secondary_team_ids),
        super_admin=super_admin,
    )
