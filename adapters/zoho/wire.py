"""Zoho CRM's answers and what the adapter does about each: the decision table.

Zoho CRM error bodies (v8) are::

    {"code": "NO_PERMISSION", "details": {"permissions": ["Crm_Implied_Manage_Users"]},
     "message": "permission denied", "status": "error"}

Everything generic (retries, ``Retry-After``, back-off, the deadline, counting) is the
shared HTTP layer's; this table holds Zoho's quirks (docs/api/zoho.md):

- 401 ``INVALID_TOKEN``: the access token lapsed: renew it and send again;
- 401 ``OAUTH_SCOPE_MISMATCH``: the client's refresh token lacks the scope: a
  ``permission_missing`` gap naming the scope (not a sign-in failure: other calls work);
- 401 ``AUTHENTICATION_FAILURE``: no usable token: stop on the first call;
- 403 ``NO_PERMISSION``: the scanning user's profile lacks the permission Zoho names;
- 429 (``TOO_MANY_REQUESTS``: the per-app concurrency cap or a sub-concurrency limit):
  wait (``Retry-After`` when sent, else back off) and retry, then ``rate_limited``;
- ``LIMIT_REACHED``: the org's API credits for the rolling 24 hours are used up:
  ``rate_limited`` at once (waiting seconds does not help);
- 204 No Content: an empty listing (Zoho answers it instead of an empty array).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from adapters.http import (
    ACCEPT,
    Answer,
    Attempt,
    Decision,
    DecisionTable,
    Renew,
    Retry,
    StatusTable,
    retry_after,
)
from scanner.errors import (
    AuthenticationError,
    PermissionMissingError,
    RateLimitedError,
)
from scanner.redact import redact

PLATFORM = "Zoho CRM"
GENERIC = StatusTable(PLATFORM, auth_hint="check the client id, secret and refresh token")


@dataclass(frozen=True)
class ZohoError:
    """The parts of a Zoho CRM error body the adapter uses."""

    code: str = ""
    message: str = ""
    permissions: tuple[str, ...] = ()

    def describe(self) -> str:
        """``CODE: message`` for gap details (redacted, bounded)."""
        text = f"{self.code}: {self.message}" if self.message else self.code
        return redact(text)[:300]


def parse_error(answer: Answer) -> ZohoError:
    """Read a Zoho error body; anything else gives an empty `ZohoError`."""
    body = answer.json_or_none()
    if isinstance(body, list) and body and isinstance(body[0], dict):
        body = body[0]
    if not isinstance(body, dict):
        return ZohoError()
    details = body.get("details")
    permissions: tuple[str, ...] = ()
    if isinstance(details, dict) and isinstance(details.get("permissions"), list):
        permissions = tuple(str(p) for p in details["permissions"])
    return ZohoError(
        code=str(body.get("code") or ""),
        message=str(body.get("message") or ""),
        permissions=permissions,
    )


@dataclass
class ApiCalls:
    """Shared by a scan's tables: how many API answers were accepted, tokens issued."""

    tokens_issued: Callable[[], int] = lambda: 0
    accepted: int = 0

    @property
    def first(self) -> bool:
        """No API call of the scan has succeeded yet (sign-in calls do not count)."""
        return self.accepted == 0


def decision_table(
    scope: str,
    *,
    calls: ApiCalls,
    accept: Callable[[Answer, ZohoError], bool] | None = None,
) -> DecisionTable:
    """The table for one call that needs OAuth ``scope``.

    ``accept`` lets a call take a documented non-2xx answer as data (``INVALID_MODULE``
    for a module the org does not have, ``NO_CONTENT`` for no audit-log export yet).
    ``calls`` says whether this is the scan's first API call and how many access tokens
    the sign-in fetched: a fresh token refused then means the credentials do not reach
    this org (exit 2), where later it is a gap.
    """

    def decide(answer: Answer, attempt: Attempt) -> Decision:
        if answer.ok:
            calls.accepted += 1
            return ACCEPT
        error = parse_error(answer)
        if accept is not None and accept(answer, error):
            calls.accepted += 1
            return ACCEPT
        what = attempt.what or "request"
        said = error.describe()
        if error.code == "INVALID_TOKEN":
            if calls.first and calls.tokens_issued() > 1:
                return AuthenticationError(
                    f"{PLATFORM} refused a freshly issued access token (INVALID_TOKEN): the "
                    "accounts server and the API domain do not belong together; check "
                    "--data-centre / --accounts-url"
                )
            return Renew("Zoho answered INVALID_TOKEN (the access token lapsed)")
        if error.code == "OAUTH_SCOPE_MISMATCH":
            return PermissionMissingError(
                f"{what}: Zoho refused the call ({answer.status} OAUTH_SCOPE_MISMATCH); the "
                f"refresh token was not granted the scope {scope}"
            )
        if error.code == "AUTHENTICATION_FAILURE" and calls.first:
            return AuthenticationError(
                f"{PLATFORM} refused the access token ({answer.status} {said})"
            )
        if error.code == "NO_PERMISSION" or answer.status == 403:
            needs = ", ".join(error.permissions) or "a profile permission Zoho did not name"
            return PermissionMissingError(
                f"{what}: Zoho refused the call ({answer.status} {said or 'NO_PERMISSION'}); "
                f"the scanning user's profile needs {needs}"
            )
        if error.code == "LIMIT_REACHED":
            return RateLimitedError(
                f"{what}: the org's Zoho API credits for the rolling 24 hours are used up "
                f"({answer.status} {said})"
            )
        if answer.status == 429:
            return Retry(
                retry_after(answer),
                because=f"rate limited (429 {said or 'TOO_MANY_REQUESTS'})",
                gap=RateLimitedError,
            )
        return GENERIC(answer, attempt)

    return decide


def token_table(data_centre: str) -> DecisionTable:
    """The accounts server's table: ``{"error": ...}`` (any status) is a refused credential."""

    def decide(answer: Answer, attempt: Attempt) -> Decision:
        body: Any = answer.json_or_none()
        error = body.get("error") if isinstance(body, dict) else None
        if error:
            return AuthenticationError(refused_message(data_centre, str(error)))
        if answer.ok:
            return ACCEPT
        if answer.status in (400, 401, 403):
            return AuthenticationError(refused_message(data_centre, f"HTTP {answer.status}"))
        return GENERIC(answer, attempt)

    return decide


def refused_message(data_centre: str, reason: str) -> str:
    """Why the sign-in failed, naming the data centre (exit 2)."""
    return redact(
        f"Zoho's accounts server for the {data_centre} data centre refused the credentials "
        f"({reason}): check --client-id, --client-secret and --refresh-token "
        "(ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET, ZOHO_REFRESH_TOKEN), and --data-centre: a "
        "refresh token works only in the data centre whose accounts server issued it"
    )


def accept_codes(*codes: str) -> Callable[[Answer, ZohoError], bool]:
    """``accept`` for `decision_table`: these 400-level codes are answers, not failures."""

    def accept(answer: Answer, error: ZohoError) -> bool:
        return answer.status == 400 and error.code in codes

    return accept
