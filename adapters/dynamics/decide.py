"""What each Dataverse, Microsoft Graph and Entra ID answer means (decision tables).

The shared HTTP layer (`adapters.http`) retries, waits and counts; these tables only
say what an answer means, from Microsoft's documentation (docs/api/dynamics.md):

- Dataverse errors are ``{"error": {"code": "0x...", "message": "..."}}``: ``0x80072560``
  (the app is not a user of the environment), ``0x80040220`` (a missing privilege,
  named in the message), service protection ``0x80072322`` / ``0x80072321`` /
  ``0x80072326`` with 429 and ``Retry-After``; 401 carries no body.
- Graph errors are ``{"error": {"code": "...", "message": "..."}}``: 403
  ``Authorization_RequestDenied`` (an application permission is missing), 403
  ``Authentication_RequestFromNonPremiumTenantOrB2CTenant`` (no Entra ID P1/P2
  licence), 401 ``InvalidAuthenticationToken``; throttling is 429 with ``Retry-After``.
- The token endpoint's OAuth errors are read by MSAL itself: its table accepts them.
"""

from __future__ import annotations

import re
from typing import Any

from adapters.http import ACCEPT, Answer, Attempt, Decision, DecisionTable, Renew, Retry
from adapters.http import retry_after as _retry_after
from adapters.http.status import TRANSIENT, server_message
from scanner.errors import (
    ApiError,
    AuthenticationError,
    NotAvailableError,
    PermissionMissingError,
    RateLimitedError,
)

NOT_A_USER = "0x80072560"
PRIVILEGE_DENIED = "0x80040220"
#: Service protection limits: what each code counts.
SERVICE_PROTECTION: dict[str, str] = {
    "0x80072322": "number of requests per 5-minute window",
    "0x80072321": "combined execution time per 5-minute window",
    "0x80072326": "number of concurrent requests",
}
GRAPH_DENIED = "Authorization_RequestDenied"
GRAPH_NOT_PREMIUM = "Authentication_RequestFromNonPremiumTenantOrB2CTenant"
PREMIUM_LICENCE = "a Microsoft Entra ID P1 or P2 licence"

_MISSING_PRIVILEGE = re.compile(r"is missing (prv\w+) privilege")


def error_code(answer: Answer) -> str:
    """``error.code`` of an OData error body ('' when there is none)."""
    body: Any = answer.json_or_none()
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        code = body["error"].get("code")
        return code if isinstance(code, str) else ""
    return ""


def _wait(answer: Answer) -> float | None:
    return _retry_after(answer)


def dataverse(environment: str, privileges: str) -> DecisionTable:
    """The table for one Dataverse query; ``privileges`` names what the query needs."""

    def decide(answer: Answer, attempt: Attempt) -> Decision:
        if answer.ok:
            return ACCEPT
        what = attempt.what or "Dataverse request"
        status, code, said = answer.status, error_code(answer), server_message(answer)
        suffix = f": {said}" if said else ""
        if status == 401:
            if attempt.first_call:
                return AuthenticationError(
                    f"Dataverse environment {environment} refused the token (401): the app "
                    "registration has no access to this environment; check --environment-url "
                    "and that the environment belongs to --tenant-id"
                )
            return Renew("Dataverse answered 401: the token expired")
        if status == 403 and code == NOT_A_USER:
            refusal = (
                f"Dataverse environment {environment} refused the app (403 {code}: the user is "
                "not a member of the organization): add the app registration as an "
                "application user of the environment (Power Platform admin center > "
                "Environments > Settings > Users + permissions > Application users) and give "
                "it the crmscan security role"
            )
            if attempt.first_call:
                return AuthenticationError(refusal)
            return PermissionMissingError(f"{what}: {refusal}")
        if status == 403:
            missing = _MISSING_PRIVILEGE.search(said)
            needed = missing.group(1) if missing else privileges
            return PermissionMissingError(
                f"{what}: Dataverse refused the query (403 {code or 'Forbidden'}); the "
                f"application user's security role needs {needed} (Organization depth){suffix}"
            )
        if status == 429:
            limit = SERVICE_PROTECTION.get(code, "a service protection limit")
            return Retry(
                _wait(answer),
                because=f"Dataverse service protection limit reached (429 {code}: {limit})",
                gap=RateLimitedError,
            )
        if status in TRANSIENT:
            return Retry(_wait(answer), because=f"Dataverse answered {status}")
        if status in (400, 404) and ("Could not find" in said or "not found" in said.lower()):
            return NotAvailableError(
                f"{what}: this environment has no such table or column ({status}){suffix}"
            )
        return ApiError(f"{what}: Dataverse answered {status} {code}{suffix}".rstrip())

    return decide


def graph(permission: str, licence: str | None = None) -> DecisionTable:
    """The table for one Graph read needing ``permission`` (and ``licence``, if named)."""

    def decide(answer: Answer, attempt: Attempt) -> Decision:
        if answer.ok:
            return ACCEPT
        what = attempt.what or "Microsoft Graph request"
        status, code, said = answer.status, error_code(answer), server_message(answer)
        suffix = f": {said}" if said else ""
        if status == 401:
            if "expired" in said.lower():
                return Renew("Microsoft Graph answered 401: the token expired")
            return ApiError(f"{what}: Microsoft Graph refused the token (401 {code}){suffix}")
        if status == 403 and code == GRAPH_NOT_PREMIUM:
            return PermissionMissingError(
                f"{what}: Microsoft Graph refused it (403 {code}): the tenant needs "
                f"{licence or PREMIUM_LICENCE}"
            )
        if status == 403:
            return PermissionMissingError(
                f"{what}: Microsoft Graph refused it (403 {code or 'Forbidden'}): the app "
                f"registration needs the application permission {permission} with admin "
                "consent" + (f", and the tenant {licence}" if licence else "")
            )
        if status == 429:
            return Retry(
                _wait(answer),
                because=f"Microsoft Graph throttled the request (429 {code})".replace(" )", ")"),
                gap=RateLimitedError,
            )
        if status in TRANSIENT:
            return Retry(_wait(answer), because=f"Microsoft Graph answered {status}")
        if status in (400, 404):
            return NotAvailableError(f"{what}: Microsoft Graph answered {status} {code}{suffix}")
        return ApiError(f"{what}: Microsoft Graph answered {status} {code}{suffix}")

    return decide


def entra(answer: Answer, attempt: Attempt) -> Decision:
    """Token service answers: MSAL reads the OAuth errors itself, so accept them;
    retry throttling and server errors."""
    if answer.status == 429 or answer.status in TRANSIENT:
        return Retry(_wait(answer), because=f"Microsoft Entra ID answered {answer.status}")
    return ACCEPT
