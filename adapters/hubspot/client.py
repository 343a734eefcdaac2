"""An httpx client for the HubSpot endpoints hubspot-api-client has no client for.

Account details, login / security activity, audit logs and private-app API usage live
under ``/account-info/v3``; the SDK does not wrap them. `HubSpotHttp` sends GETs only
(plus one read-only token introspection POST, see `token_info`), retries what
`adapters.hubspot.wire.decide` says to retry, and raises the `CollectionError` it says
to record otherwise.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from adapters.hubspot.wire import (
    CallLog,
    ErrorResponse,
    Sleep,
    TransportFailure,
    as_dict,
    as_list,
    require,
    send_with_retries,
)
from scanner.errors import MalformedResponseError
from scanner.redact import redact

DEFAULT_BASE_URL = "https://api.hubapi.com"
#: The one non-GET call: it reads the scanning token's own scopes and changes nothing.
TOKEN_INFO_PATH = "/oauth/v2/private-apps/get/access-token-info"
#: Stop following cursors after this many pages of one listing (a runaway cursor guard).
MAX_PAGES = 10_000


class HubSpotHttp:
    """GET JSON from HubSpot with retries, back-off and error → gap mapping."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        calls: CallLog,
        sleep: Sleep = time.sleep,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._token = token
        self._calls = calls
        self._sleep = sleep
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def get(
        self, path: str, params: Mapping[str, str | int] | None = None, *, what: str, scope: str
    ) -> Any:
        """GET ``path`` and return its decoded JSON body."""
        return self._send("GET", path, params=params, json_body=None, what=what, scope=scope)

    def token_info(self) -> dict[str, Any]:
        """The scanning private app's own id, user and scopes (read-only introspection)."""
        body = self._send(
            "POST",
            TOKEN_INFO_PATH,
            params=None,
            json_body={"tokenKey": self._token},
            what="private-app token info",
            scope="(none: any private-app token may read its own info)",
        )
        return as_dict(body, "private-app token info")

    def pages(
        self,
        path: str,
        params: Mapping[str, str | int],
        *,
        collection: str,
        what: str,
        scope: str,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield each page's ``results`` of a cursor-paged listing (``paging.next.after``)."""
        query: dict[str, str | int] = dict(params)
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            body = as_dict(self.get(path, query, what=what, scope=scope), what)
            results = as_list(body.get("results"), what)
            require(all(isinstance(r, dict) for r in results), what, "a result is not an object")
            self._calls.page(collection)
            yield results
            after = _next_after(body, what)
            if after is None:
                return
            require(after not in seen, what, f"paging cursor {after!r} repeats")
            seen.add(after)
            query["after"] = after
        raise MalformedResponseError(f"{what}: more than {MAX_PAGES} pages; stopped")

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None,
        json_body: dict[str, Any] | None,
        what: str,
        scope: str,
    ) -> Any:
        def send_once() -> httpx.Response | ErrorResponse:
            try:
                response = self._client.request(method, path, params=params, json=json_body)
            except httpx.TransportError as exc:
                raise TransportFailure(type(exc).__name__, redact(str(exc))) from None
            if not response.is_success:
                return ErrorResponse(response.status_code, response.headers, response.content)
            self._calls.saw_headers(response.headers)
            return response

        response = send_with_retries(self._calls, self._sleep, send_once, what=what, scope=scope)
        try:
            return response.json()
        except ValueError:
            raise MalformedResponseError(
                f"{what}: malformed response: the body is not JSON ({len(response.content)} bytes)"
            ) from None


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
