"""Fxiaoke's open API on the shared HTTP layer: sign-in, token renewal, read calls.

Fxiaoke's API is POST-only, so the read-only guard cannot rely on "GET only": it
allowlists exactly the five documented reads `READ_CALLS` (docs/api/fxiaoke.md) and
refuses every other call before it is sent. The legacy (旧版) parameter style carries
the credentials in the JSON body, so the token is not a header: each attempt builds
its body with the current ``corpAccessToken`` (renewed by `RenewingToken` before it
lapses, and again when a call answers 20016), and a new ``thirdTraceId``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from adapters.fxiaoke.errors import decide_call, decide_token
from adapters.http import (
    HttpClient,
    IssuedToken,
    RenewingToken,
    RetryCore,
    Timeouts,
    as_dict,
    require,
)
from scanner.errors import ApiError, AuthenticationError, CollectionError
from scanner.evidence.raw import collecting
from scanner.redact import register_secret

DEFAULT_BASE_URL = "https://open.fxiaoke.com"
TOKEN_PATH = "/cgi/corpAccessToken/get/V2"
DEPARTMENT_LIST = "/cgi/department/list"
USER_LIST = "/cgi/user/list"
ROLE_LIST = "/cgi/crm/v2/special/roleGetRoleList"
ROLE_USERS = "/cgi/crm/v2/bi/lwt/query"
#: The only calls this adapter sends: the token request and four documented reads.
READ_CALLS: tuple[str, ...] = (TOKEN_PATH, DEPARTMENT_LIST, USER_LIST, ROLE_LIST, ROLE_USERS)

#: Renew this long before ``expiresIn`` runs out: the documentation says to cache the
#: token for 6600 of its 7200 seconds.
RENEW_MARGIN = 600.0
#: The most ``expiresIn`` may say (documented range 0-7200 seconds).
MAX_EXPIRES_IN = 7200
#: Seconds to wait for a connection, and between two reads of an answer.
TIMEOUTS = Timeouts(connect=10.0, read=30.0)


@dataclass(frozen=True)
class AppCredentials:
    """A self-built app's appId and appSecret, and the enterprise's permanentCode."""

    app_id: str
    app_secret: str
    permanent_code: str


def trace_id() -> dict[str, str]:
    """A new ``thirdTraceId`` (RFC 4122 UUID v4), as the query of one attempt."""
    return {"thirdTraceId": str(uuid.uuid4())}


class FxiaokeClient:
    """Signs in once, renews the token as needed, and sends the documented reads."""

    def __init__(
        self,
        base_url: str,
        credentials: AppCredentials,
        *,
        core: RetryCore,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        for secret in (credentials.app_id, credentials.app_secret, credentials.permanent_code):
            register_secret(secret)
        self._credentials = credentials
        self.corp_id: str | None = None
        self.token = RenewingToken(self._issue, margin=RENEW_MARGIN, clock=clock)
        self._http = HttpClient(
            base_url,
            decide=decide_call,
            core=core,
            token=self.token,
            auth_scheme=None,  # the token travels in the JSON body (legacy parameters)
            allow=[f"POST {path}" for path in READ_CALLS],
            timeouts=TIMEOUTS,
            max_concurrency=1,
            transport=transport,
        )

    @property
    def core(self) -> RetryCore:
        """The retry core (request counts, deadline) this client sends through."""
        return self._http.core

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def sign_in(self) -> str:
        """Get the first token; `AuthenticationError` (exit 2) when Fxiaoke refuses."""
        try:
            self._http.current_token()
        except CollectionError as exc:
            raise AuthenticationError(f"could not sign in to Fxiaoke: {exc}") from None
        assert self.corp_id is not None
        return self.corp_id

    def _issue(self) -> IssuedToken:
        first = self.corp_id is None
        creds = self._credentials
        try:
            with collecting(None):  # the token answer is a credential, not evidence
                body = self._http.post_json(
                    TOKEN_PATH,
                    {
                        "appId": creds.app_id,
                        "appSecret": creds.app_secret,
                        "permanentCode": creds.permanent_code,
                    },
                    what="corp access token",
                    params=trace_id,
                    decide=decide_token,
                    authenticated=False,
                )
        except AuthenticationError as exc:
            if first:
                raise
            # Refused mid-scan (app disabled, code revoked): what is left becomes gaps.
            raise ApiError(f"the corp access token could not be renewed: {exc}") from None
        return self._issued(as_dict(body, "corp access token"))

    def _issued(self, body: Mapping[str, Any]) -> IssuedToken:
        what = "corp access token"
        token = body.get("corpAccessToken")
        corp_id = body.get("corpId")
        expires_in = body.get("expiresIn")
        require(isinstance(token, str) and bool(token), what, "no corpAccessToken")
        require(isinstance(corp_id, str) and bool(corp_id), what, "no corpId")
        require(
            isinstance(expires_in, (int, float))
            and not isinstance(expires_in, bool)
            and 0 <= expires_in <= MAX_EXPIRES_IN,
            what,
            f"expiresIn is not 0-{MAX_EXPIRES_IN} seconds",
        )
        assert isinstance(token, str) and isinstance(corp_id, str)
        assert isinstance(expires_in, (int, float))
        register_secret(token)
        register_secret(corp_id)  # it accompanies the token in every request body
        require(self.corp_id in (None, corp_id), what, "the corpId changed mid-scan")
        self.corp_id = corp_id
        return IssuedToken(token, float(expires_in))

    def call(
        self,
        path: str,
        fields: Mapping[str, Any],
        *,
        what: str,
        operator: str | None = None,
    ) -> dict[str, Any]:
        """POST one read with the legacy credentials; the answer's JSON object.

        ``operator`` is the ``currentOpenUserId`` CRM calls run as (their permissions).
        """

        def body() -> dict[str, Any]:
            payload: dict[str, Any] = {
                "corpAccessToken": self._http.current_token(),
                "corpId": self.corp_id,
            }
            if operator is not None:
                payload["currentOpenUserId"] = operator
            payload.update(fields)
            return payload

        return as_dict(self._http.post_json(path, body, what=what, params=trace_id), what)
