"""Microsoft Graph v1.0: the four reads the Dynamics adapter makes, with their refusals.

From Microsoft's documentation (docs/api/dynamics.md):

- ``GET /reports/authenticationMethods/userRegistrationDetails``: application
  permission ``AuditLog.Read.All``; a Microsoft Entra ID P1/P2 licence; only
  ``$filter`` and ``$orderby`` are supported;
- ``GET /users?$select=...,signInActivity``: ``User.Read.All``; ``signInActivity``
  needs ``AuditLog.Read.All`` and P1/P2; ``$top`` at most 999, at most 120 with
  ``signInActivity``; ``$skip`` unsupported;
- ``GET /identity/conditionalAccess/policies`` and
  ``GET /policies/identitySecurityDefaultsEnforcementPolicy``: ``Policy.Read.All``.

Without the permission Graph answers 403 ``Authorization_RequestDenied``; without the
licence 403 ``Authentication_RequestFromNonPremiumTenantOrB2CTenant``. Paging is
server-driven with ``@odata.nextLink``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tests.emulators.dynamics.wire import Reply, Request, graph_error, json_reply

if TYPE_CHECKING:
    from tests.emulators.dynamics.server import DynamicsEmulator

V1 = "/v1.0"
#: Page size the emulator uses where Graph decides it (registration details).
REGISTRATION_PAGE = 500
USER_DEFAULT_PAGE = 100
USER_MAX_PAGE = 999
SIGN_IN_MAX_PAGE = 120
USER_COLUMNS = {
    "id",
    "userPrincipalName",
    "displayName",
    "accountEnabled",
    "mail",
    "userType",
    "signInActivity",
    "createdDateTime",
}

DENIED = ("Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
NOT_PREMIUM = (
    "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
    "Neither tenant is B2C or tenant doesn't have premium license",
)


def _encode(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _decode(token: str) -> int:
    padded = token + "=" * (-len(token) % 4)
    try:
        return int(base64.urlsafe_b64decode(padded).decode().split(":")[1])
    except (ValueError, IndexError):
        return -1


@dataclass
class Graph:
    """Microsoft Graph for the emulated tenant."""

    emulator: DynamicsEmulator

    def handle(self, request: Request) -> Reply:
        token = self.emulator.entra.token(request.bearer)
        if token is None:
            return graph_error(401, "InvalidAuthenticationToken", "Access token is empty.")
        if token.expired:
            return graph_error(
                401,
                "InvalidAuthenticationToken",
                "Lifetime validation failed, the token is expired.",
            )
        if token.audience != self.emulator.graph_resource:
            return graph_error(
                401,
                "InvalidAuthenticationToken",
                "Access token validation failure. Invalid audience.",
            )
        if request.method != "GET":
            return graph_error(405, "Request_BadRequest", f"{request.method} is not allowed here.")
        path = request.path.rstrip("/")
        roles = set(token.roles)
        if path == f"{V1}/reports/authenticationMethods/userRegistrationDetails":
            return self._registrations(request, roles)
        if path == f"{V1}/users":
            return self._users(request, roles)
        if path == f"{V1}/identity/conditionalAccess/policies":
            if "Policy.Read.All" not in roles:
                return graph_error(403, *DENIED)
            if not self.emulator.env.premium:
                return graph_error(403, *NOT_PREMIUM)
            return self._page(
                request,
                self.emulator.env.conditional_access,
                "identity/conditionalAccess/policies",
                1000,
            )
        if path == f"{V1}/policies/identitySecurityDefaultsEnforcementPolicy":
            if "Policy.Read.All" not in roles:
                return graph_error(403, *DENIED)
            return json_reply(
                200,
                {
                    "@odata.context": f"{request.base}{V1}/$metadata#policies/identitySecurityDefaultsEnforcementPolicy/$entity",
                    "id": "00000000-0000-0000-0000-000000000005",
                    "displayName": "Security Defaults",
                    "description": "Security defaults is a set of basic identity security mechanisms recommended by Microsoft.",
                    "isEnabled": self.emulator.env.security_defaults,
                },
            )
        return graph_error(404, "Request_ResourceNotFound", f"Resource '{path}' does not exist.")

    def _registrations(self, request: Request, roles: set[str]) -> Reply:
        if "AuditLog.Read.All" not in roles:
            return graph_error(403, *DENIED)
        if not self.emulator.env.premium:
            return graph_error(403, *NOT_PREMIUM)
        for option in request.query:
            if option.startswith("$") and option not in ("$filter", "$orderby", "$skiptoken"):
                return graph_error(400, "BadRequest", f"Query option '{option}' is not allowed.")
        rows = [
            {"@odata.type": "#microsoft.graph.userRegistrationDetails", **row}
            for row in self.emulator.env.registrations
        ]
        return self._page(
            request,
            rows,
            "reports/authenticationMethods/userRegistrationDetails",
            REGISTRATION_PAGE,
        )

    def _users(self, request: Request, roles: set[str]) -> Reply:
        if not roles & {"User.Read.All", "User.ReadWrite.All", "Directory.Read.All"}:
            return graph_error(403, *DENIED)
        if "$skip" in request.query:
            return graph_error(
                400, "Request_BadRequest", "'$skip' is not supported by the service."
            )
        select = [c for c in request.query.get("$select", "").split(",") if c]
        for column in select:
            if column not in USER_COLUMNS:
                return graph_error(
                    400,
                    "Request_BadRequest",
                    f"Could not find a property named '{column}' on type 'microsoft.graph.user'.",
                )
        sign_in = "signInActivity" in select
        if sign_in and "AuditLog.Read.All" not in roles:
            return graph_error(403, *DENIED)
        if sign_in and not self.emulator.env.premium:
            return graph_error(403, *NOT_PREMIUM)
        limit = SIGN_IN_MAX_PAGE if sign_in else USER_MAX_PAGE
        try:
            top = int(request.query.get("$top", USER_DEFAULT_PAGE))
        except ValueError:
            return graph_error(400, "Request_BadRequest", "Invalid $top value.")
        if top < 1 or top > USER_MAX_PAGE:
            return graph_error(
                400,
                "Request_BadRequest",
                f"Invalid page size specified: '{top}'. Must be between 1 and 999 inclusive.",
            )
        shown = select or ["id", "userPrincipalName", "displayName", "mail"]
        rows = [
            {c: u.get(c) for c in shown if c != "signInActivity"}
            | (
                {"signInActivity": u["signInActivity"]}
                if sign_in and u.get("signInActivity")
                else {}
            )
            | {"id": u["id"]}
            for u in self.emulator.env.graph_users
        ]
        return self._page(request, rows, "users", min(top, limit))

    def _page(self, request: Request, rows: list[dict[str, Any]], context: str, size: int) -> Reply:
        offset = 0
        if "$skiptoken" in request.query:
            offset = _decode(request.query["$skiptoken"])
            if offset < 0:
                return graph_error(400, "Request_BadRequest", "Invalid skip token.")
        page = rows[offset : offset + size]
        body: dict[str, Any] = {
            "@odata.context": f"{request.base}{V1}/$metadata#{context}",
            "value": page,
        }
        if offset + size < len(rows):
            keep = [
                f"{k}={v}" for k, v in (p.partition("=")[::2] for p in request.raw_path.partition("?")[2].split("&") if p)
                if k != "$skiptoken"
            ]  # fmt: skip
            keep.append(f"$skiptoken={_encode(offset + size)}")
            body["@odata.nextLink"] = f"{request.base}{request.path}?" + "&".join(keep)
        return json_reply(
            200,
            body,
            {
                "Content-Type": "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
            },
        )
