"""Microsoft Entra ID, as MSAL's client-credentials flow meets it.

MSAL first validates the authority: for a host it does not know it asks the instance
discovery endpoint (``GET /common/discovery/instance``), then reads the tenant's OpenID
configuration (``GET /{tenant}/v2.0/.well-known/openid-configuration``), then posts to
its ``token_endpoint`` (``POST /{tenant}/oauth2/v2.0/token``) with ``grant_type=
client_credentials``, ``client_id``, ``scope=<resource>/.default`` and either
``client_secret`` or a signed ``client_assertion`` (certificate). Refusals use the
documented AADSTS codes: 90002 tenant not found, 700016 application not found,
7000215 invalid client secret, 700027 client assertion failed signature validation,
500011 resource principal not found.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import jwt
from cryptography import x509

from tests.emulators.dynamics.wire import Reply, Request, entra_error, json_reply

if TYPE_CHECKING:
    from tests.emulators.dynamics.server import DynamicsEmulator

TOKEN_LIFETIME = 3599


@dataclass
class Token:
    """What an issued access token stands for."""

    audience: str
    app_id: str
    tenant_id: str
    roles: tuple[str, ...]
    expires_at: float

    @property
    def expired(self) -> bool:
        return time.time() >= self.expires_at


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@dataclass
class Entra:
    """The tenant's token service."""

    emulator: DynamicsEmulator
    tokens: dict[str, Token] = field(default_factory=dict)
    issued: list[str] = field(default_factory=list)  #: resources tokens were issued for

    def handle(self, request: Request) -> Reply:
        env = self.emulator.env
        path = request.path.rstrip("/")
        if request.method == "GET" and path == "/common/discovery/instance":
            return self._instance_discovery(request)
        parts = path.strip("/").split("/")
        if len(parts) < 2:
            return json_reply(404, {"error": "not_found"})
        tenant = parts[0]
        known = tenant.lower() in {
            env.tenant_id.lower(),
            f"{env.tenant_name.lower()}.onmicrosoft.com",
        }
        rest = "/".join(parts[1:])
        if request.method == "GET" and rest == "v2.0/.well-known/openid-configuration":
            if not known:
                return entra_error(
                    400,
                    "invalid_tenant",
                    90002,
                    f"Tenant '{tenant}' not found. Check to make sure you have the correct "
                    "tenant ID and are signing into the correct cloud.",
                )
            return self._openid_configuration(request, tenant)
        if request.method == "POST" and rest == "oauth2/v2.0/token":
            if not known:
                return entra_error(400, "invalid_request", 90002, f"Tenant '{tenant}' not found.")
            return self._token(request)
        return json_reply(404, {"error": "not_found"})

    def _instance_discovery(self, request: Request) -> Reply:
        endpoint = request.query.get("authorization_endpoint", "")
        parts = urlsplit(endpoint)
        tenant = (parts.path.strip("/").split("/") or ["common"])[0]
        # MSAL sends the authority's host name without its port; answer for the host the
        # discovery request reached, as Microsoft answers for login.microsoftonline.com.
        host = request.base.removeprefix("https://")
        return json_reply(
            200,
            {
                "tenant_discovery_endpoint": (
                    f"https://{host}/{tenant}/v2.0/.well-known/openid-configuration"
                ),
                "api-version": "1.1",
                "metadata": [
                    {"preferred_network": host, "preferred_cache": host, "aliases": [host]}
                ],
            },
        )

    def _openid_configuration(self, request: Request, tenant: str) -> Reply:
        base = request.base
        tid = self.emulator.env.tenant_id
        return json_reply(
            200,
            {
                "token_endpoint": f"{base}/{tenant}/oauth2/v2.0/token",
                "authorization_endpoint": f"{base}/{tenant}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{base}/{tenant}/oauth2/v2.0/devicecode",
                "issuer": f"{base}/{tid}/v2.0",
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "private_key_jwt",
                    "client_secret_basic",
                ],
                "response_types_supported": ["code", "id_token", "code id_token"],
                "tenant_region_scope": "EU",
            },
        )

    def _token(self, request: Request) -> Reply:
        env = self.emulator.env
        form = dict(parse_qsl(request.body.decode("utf-8", "replace")))
        if form.get("grant_type") != "client_credentials":
            return entra_error(
                400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type."
            )
        client_id = form.get("client_id", "")
        if client_id.lower() != env.app.client_id.lower():
            return entra_error(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the directory "
                f"'{env.tenant_name}'. This can happen if the application has not been "
                "installed by the administrator of the tenant.",
            )
        refusal = self._client_authentication(request, form)
        if refusal is not None:
            return refusal
        scope = form.get("scope", "")
        resources = [s for s in scope.split() if s.endswith("/.default")]
        if len(resources) != 1:
            return entra_error(
                400,
                "invalid_scope",
                1002012,
                f"The provided value for scope {scope} is not valid. Client credential flows "
                "must have a scope value with /.default suffixed to the resource identifier.",
            )
        resource = resources[0].removesuffix("/.default")
        if resource not in self.emulator.resources():
            return entra_error(
                400,
                "invalid_resource",
                500011,
                f"The resource principal named {resource} was not found in the tenant named "
                f"{env.tenant_name}. This can happen if the application has not been installed "
                "by the administrator of the tenant or consented to by any user in the tenant.",
            )
        graph = resource == self.emulator.graph_resource
        token = self._issue(resource, tuple(sorted(env.app.graph_roles)) if graph else ())
        self.issued.append(resource)
        return json_reply(
            200,
            {
                "token_type": "Bearer",
                "expires_in": TOKEN_LIFETIME,
                "ext_expires_in": TOKEN_LIFETIME,
                "access_token": token,
            },
        )

    def _client_authentication(self, request: Request, form: dict[str, str]) -> Reply | None:
        env = self.emulator.env
        assertion = form.get("client_assertion")
        if assertion:
            if env.app.certificate_pem is None:
                return entra_error(
                    401, "invalid_client", 700027, "Client assertion failed signature validation."
                )
            cert = x509.load_pem_x509_certificate(env.app.certificate_pem.encode())
            audience = f"{request.base}{request.path}"
            try:
                jwt.decode(
                    assertion,
                    cert.public_key(),  # type: ignore[arg-type]
                    algorithms=["RS256", "PS256"],
                    audience=audience,
                    issuer=env.app.client_id,
                )
            except jwt.PyJWTError as exc:
                return entra_error(
                    401,
                    "invalid_client",
                    700027,
                    f"Client assertion failed signature validation. ({exc})",
                )
            return None
        if not env.app.client_secret or form.get("client_secret") != env.app.client_secret:
            return entra_error(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is "
                f"the client secret value, not the client secret ID, for a secret added to app "
                f"'{env.app.client_id}'.",
            )
        return None

    def _issue(self, audience: str, roles: tuple[str, ...]) -> str:
        env = self.emulator.env
        expires = time.time() + TOKEN_LIFETIME
        claims = {
            "aud": audience,
            "iss": f"https://sts.windows.net/{env.tenant_id}/",
            "tid": env.tenant_id,
            "appid": env.app.client_id,
            "roles": list(roles),
            "exp": int(expires),
            "uti": secrets.token_urlsafe(16),
        }
        token = ".".join(
            (_b64({"typ": "JWT", "alg": "RS256"}), _b64(claims), secrets.token_urlsafe(64))
        )
        self.tokens[token] = Token(audience, env.app.client_id, env.tenant_id, roles, expires)
        return token

    def token(self, value: str | None) -> Token | None:
        """The token ``value`` stands for, if this tenant issued it."""
        return self.tokens.get(value or "")

    def expire_all(self) -> None:
        """Make every issued token expired (tests of renewal)."""
        for token in self.tokens.values():
            token.expires_at = 0.0
