"""`StatusTable`: a decision table for plain REST APIs, to use as is or to build on.

A platform's own table handles its quirks (error codes in 200 bodies, named rate-limit
policies, "token expired" answers) and hands everything else to a `StatusTable`::

    GENERIC = StatusTable("Zoho CRM", auth_hint="check the client id, secret and refresh token")

    def decide(answer: Answer, attempt: Attempt) -> Decision:
        if answer.status == 401 and _code(answer) == "INVALID_TOKEN":
            return Renew("Zoho answered INVALID_TOKEN")
        return GENERIC(answer, attempt)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from adapters.http.answers import ACCEPT, Answer, Attempt, Decision, Retry, retry_after
from scanner.errors import (
    ApiError,
    AuthenticationError,
    PermissionMissingError,
    RateLimitedError,
)
from scanner.redact import redact

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
#: Statuses worth another attempt: timeout, too early, and the server-side failures.
TRANSIENT = frozenset({408, 425, 500, 502, 503, 504})


def server_message(answer: Answer, limit: int = 300) -> str:
    """The error message a JSON error body carries, cleaned for a gap detail.

    Reads ``message``, ``error_description``, ``error.message`` (OData), ``errorMessage``
    or ``error`` as text; otherwise nothing (an HTML error page says nothing useful).
    Redacted, control characters removed, cut to ``limit`` characters.
    """
    body = answer.json_or_none()
    text = ""
    if isinstance(body, dict):
        error: Any = body.get("error")
        for candidate in (
            body.get("message"),
            body.get("error_description"),
            error.get("message") if isinstance(error, dict) else error,
            body.get("errorMessage"),
        ):
            if isinstance(candidate, str) and candidate.strip():
                text = candidate
                break
    return _CONTROL.sub(" ", redact(text)).strip()[:limit]


@dataclass(frozen=True)
class StatusTable:
    """Accept 2xx; retry 429 (honouring Retry-After) and transient 5xx; map the rest.

    401 on the scan's first call is an `AuthenticationError` (exit 2, naming
    ``auth_hint``), later an `ApiError` (the token stopped working mid-scan); 403 is a
    `PermissionMissingError`; a redirect is not followed (it could lead off HTTPS).
    """

    platform: str
    auth_hint: str = ""

    def __call__(self, answer: Answer, attempt: Attempt) -> Decision:
        """Decide about ``answer``."""
        if answer.ok:
            return ACCEPT
        status, what = answer.status, attempt.what or "request"
        said = server_message(answer)
        suffix = f": {said}" if said else ""
        if status == 401:
            if attempt.first_call:
                hint = f"; {self.auth_hint}" if self.auth_hint else ""
                return AuthenticationError(
                    f"{self.platform} refused the credentials (401){suffix}{hint}"
                )
            return ApiError(f"{what}: the token stopped working mid-scan (401){suffix}")
        if status == 403:
            return PermissionMissingError(f"{what}: {self.platform} refused the call (403){suffix}")
        if status == 429:
            return Retry(
                retry_after(answer), because=f"rate limited (429){suffix}", gap=RateLimitedError
            )
        if status in TRANSIENT:
            return Retry(retry_after(answer), because=f"{self.platform} answered {status}")
        if 300 <= status < 400:
            return ApiError(f"{what}: {self.platform} redirected ({status}); not followed")
        return ApiError(f"{what}: {self.platform} answered {status}{suffix}")
