"""The Zoho CRM v8 API on the shared HTTP layer: GETs with Zoho's decision table.

One `ZohoApi` per scan, on the API domain the sign-in returned. It sends
``Authorization: Zoho-oauthtoken <token>`` (renewed by the sign-in's `RenewingToken`),
caps concurrent calls at the edition's per-app limit, and allows exactly one non-GET
call: the audit-log export job, and only when the scan was asked to create one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

from adapters.http import (
    Answer,
    HttpClient,
    RequestStats,
    RetryCore,
    Timeouts,
    as_dict,
    as_list,
    numbered,
)
from adapters.http.auth import TokenProvider
from adapters.zoho.wire import ApiCalls, ZohoError, decision_table
from scanner.errors import MalformedResponseError

API = "/crm/v8"
AUDIT_LOG_EXPORT = f"{API}/settings/audit_log_export"
#: Zoho's largest page of users (``per_page`` default and maximum).
USERS_PER_PAGE = 200


class ZohoApi:
    """GET JSON from Zoho CRM v8; `CollectionError` for what the table says to record."""

    def __init__(
        self,
        api_domain: str,
        tokens: TokenProvider,
        *,
        core: RetryCore,
        calls: ApiCalls,
        max_concurrency: int,
        allow_audit_export: bool = False,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._calls = calls
        self._client = HttpClient(
            api_domain,
            decide=decision_table("(see docs/zoho.md)", calls=calls),
            core=core,
            token=tokens,
            auth_scheme="Zoho-oauthtoken",
            allow=[f"POST {AUDIT_LOG_EXPORT}"] if allow_audit_export else [],
            timeouts=Timeouts(connect=10.0, read=30.0),
            max_concurrency=max_concurrency,
            transport=transport,
            option="the api_domain of the token response",
        )

    @property
    def stats(self) -> RequestStats:
        """The scan's request statistics (shared through the retry core)."""
        return self._client.stats

    @property
    def base_url(self) -> str:
        """The API domain."""
        return self._client.base_url

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def get(
        self,
        path: str,
        params: Mapping[str, str | int] | None = None,
        *,
        what: str,
        scope: str,
        accept: Callable[[Answer, ZohoError], bool] | None = None,
    ) -> Answer:
        """GET ``API + path``; the accepted answer (204 included)."""
        table = decision_table(scope, calls=self._calls, accept=accept)
        return self._client.get(f"{API}{path}", params, what=what, decide=table)

    def get_object(
        self, path: str, params: Mapping[str, str | int] | None = None, *, what: str, scope: str
    ) -> dict[str, Any] | None:
        """GET a JSON object; None for 204 No Content."""
        answer = self.get(path, params, what=what, scope=scope)
        if answer.status == 204:
            return None
        return as_dict(answer.json(what), what)

    def records(self, body: dict[str, Any] | None, key: str, what: str) -> list[dict[str, Any]]:
        """``body[key]`` as a list of objects ([] for 204 No Content)."""
        if body is None:
            return []
        rows = as_list(body.get(key), what)
        if not all(isinstance(r, dict) for r in rows):
            raise MalformedResponseError(
                f"{what}: malformed response: a {key} entry is not an object"
            )
        return rows

    def user_pages(
        self, user_type: str, *, on_page: Callable[[], None] | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """``GET /users?type=...`` page by page, following ``info.more_records``."""

        def fetch(page: int) -> tuple[list[dict[str, Any]], bool]:
            what = f"users page {page}"
            body = self.get_object(
                "/users",
                {"type": user_type, "page": page, "per_page": USERS_PER_PAGE},
                what=what,
                scope="ZohoCRM.users.READ",
            )
            rows = self.records(body, "users", what)
            if body is None:
                return rows, False
            info = body.get("info")
            if not isinstance(info, dict) or not isinstance(info.get("more_records"), bool):
                raise MalformedResponseError(
                    f"{what}: malformed response: info.more_records is missing"
                )
            return rows, bool(info["more_records"])

        return numbered(fetch, what="users", on_page=on_page)

    def post_object(self, path: str, body: Any, *, what: str, scope: str) -> dict[str, Any]:
        """POST to an allowlisted read-only-purpose call (the audit-log export job)."""
        table = decision_table(scope, calls=self._calls)
        answer = self._client.request("POST", f"{API}{path}", what=what, json=body, decide=table)
        return as_dict(answer.json(what), what)
