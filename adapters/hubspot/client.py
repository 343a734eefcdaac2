"""The HubSpot endpoints hubspot-api-client has no client for, on the shared HTTP layer.

Account details, login / security activity, audit logs and private-app API usage live
under ``/account-info/v3``; the SDK does not wrap them. `HubSpotHttp` is an
`adapters.http.HttpClient` with HubSpot's decision table: it sends GETs only, plus the
one allowlisted read-only token introspection POST (see `token_info`), and raises the
`CollectionError` the table says to record otherwise.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
from pydantic import BaseModel

from adapters.http import Deadline, HttpClient, Page, RetryCore, Timeouts, follow
from adapters.hubspot.shapes import shaped
from adapters.hubspot.wire import (
    CallLog,
    Sleep,
    as_dict,
    as_list,
    decision_table,
    require,
    retry_core,
)
from scanner.errors import MalformedResponseError

DEFAULT_BASE_URL = "https://api.hubapi.com"
#: The one non-GET call: it reads the scanning token's own scopes and changes nothing.
TOKEN_INFO_PATH = "/oauth/v2/private-apps/get/access-token-info"
#: Stop following cursors after this many pages of one listing (a runaway cursor guard).
MAX_PAGES = 10_000
#: Seconds to wait for a connection to HubSpot.
CONNECT_TIMEOUT = 10.0


class HubSpotHttp:
    """GET JSON from HubSpot with retries, back-off and error → gap mapping.

    ``timeout`` is the read timeout per request; ``core`` (shared with the SDK path)
    carries the retry policy, request counts and the scan deadline.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        calls: CallLog,
        sleep: Sleep = time.sleep,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        deadline: Deadline | None = None,
        core: RetryCore | None = None,
    ) -> None:
        self._token = token
        self._calls = calls
        self._client = HttpClient(
            base_url,
            decide=decision_table("request", "(none)"),
            core=core or retry_core(calls, sleep, deadline),
            token=token,
            allow=[f"POST {TOKEN_INFO_PATH}"],
            timeouts=Timeouts(connect=CONNECT_TIMEOUT, read=timeout),
            transport=transport,
        )

    @property
    def core(self) -> RetryCore:
        """The retry core this client sends through."""
        return self._client.core

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def get(
        self, path: str, params: Mapping[str, str | int] | None = None, *, what: str, scope: str
    ) -> Any:
        """GET ``path`` and return its decoded JSON body."""
        return self._client.get_json(path, params, what=what, decide=decision_table(what, scope))

    def token_info(self) -> dict[str, Any]:
        """The scanning private app's own id, user and scopes (read-only introspection)."""
        what = "private-app token info"
        body = self._client.post_json(
            TOKEN_INFO_PATH,
            {"tokenKey": self._token},
            what=what,
            decide=decision_table(what, "(none: any private-app token may read its own info)"),
        )
        return as_dict(body, what)

    def pages(
        self,
        path: str,
        params: Mapping[str, str | int],
        *,
        collection: str,
        what: str,
        scope: str,
        shape: type[BaseModel] | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield each page's ``results`` of a cursor-paged listing (``paging.next.after``).

        ``shape``: the documented shape each result is checked against
        (`adapters.hubspot.shapes`); a result that does not fit is a malformed response.
        """

        def fetch(after: Any) -> Page[dict[str, Any]]:
            query: dict[str, str | int] = dict(params)
            if after is not None:
                query["after"] = after
            body = as_dict(self.get(path, query, what=what, scope=scope), what)
            results = as_list(body.get("results"), what)
            require(all(isinstance(r, dict) for r in results), what, "a result is not an object")
            if shape is not None:
                results = shaped(results, shape, what)
            return Page(results, _next_after(body, what))

        return follow(
            fetch, what=what, max_pages=MAX_PAGES, on_page=lambda: self._calls.page(collection)
        )


def _next_after(body: dict[str, Any], what: str) -> str | None:
    paging = body.get("paging")
    if paging is None:
        return None
    nxt = as_dict(paging, what).get("next")
    if nxt is None:
        return None
    after = as_dict(nxt, what).get("after")
    if not isinstance(after, str) or not after:
        raise MalformedResponseError(f"{what}: malformed response: paging.next has no cursor")
    return after
