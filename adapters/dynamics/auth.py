"""Sign-in: client credentials through MSAL, over the shared HTTP layer.

MSAL (`msal.ConfidentialClientApplication`) does the OAuth work: authority validation,
OpenID configuration, the client assertion for a certificate, token caching. Its
HTTP goes through `MsalHttp`, an `adapters.http.HttpClient` on the authority host, so
sign-in gets the same TLS trust (``SSL_CERT_FILE`` / ``REQUESTS_CA_BUNDLE``), timeouts,
deadline, retries of 429/5xx and read-only guard as every other request; the one
allowlisted non-GET call is the token request ``POST /{tenant}/oauth2/v2.0/token``.

Instance discovery: for a Microsoft authority host MSAL knows (the public and national
clouds) it needs none. For any other host (``--authority-host``: a test emulator or a
proxy) MSAL would ask ``login.microsoftonline.com/common/discovery/instance``, which
rejects hosts it does not know, and, after a refused token request, would look up
authority aliases there again whatever endpoint it was given. crmscan therefore turns
instance discovery off for an explicit authority host (``instance_discovery=False``,
MSAL's documented switch for authorities the caller trusts): the operator named it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import msal
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.dynamics import decide
from adapters.http import HttpClient, IssuedToken, RenewingToken, RetryCore, Timeouts
from scanner.errors import AuthenticationError, ConfigError
from scanner.redact import redact, register_secret

#: Authority hosts MSAL validates on its own (Microsoft's public and national clouds).
KNOWN_AUTHORITY_HOSTS = frozenset(
    {
        "login.microsoftonline.com",
        "login.microsoftonline.us",
        "login.chinacloudapi.cn",
        "login.partner.microsoftonline.cn",
    }
)
TOKEN_PATH = "/*/oauth2/v2.0/token"


@dataclass(frozen=True)
class Credentials:
    """What the app registration signs in with."""

    tenant_id: str
    client_id: str
    client_secret: str | None = None
    certificate_file: Path | None = None
    certificate_password: str | None = None

    def msal_credential(self) -> str | dict[str, Any]:
        """The ``client_credential`` MSAL takes: the secret, or the certificate."""
        if self.certificate_file is not None:
            return _certificate(self.certificate_file, self.certificate_password)
        assert self.client_secret is not None
        return self.client_secret


def _certificate(path: Path, password: str | None) -> dict[str, Any]:
    """MSAL's certificate credential from a PEM (key + certificate) or PFX/PKCS#12 file."""
    if not path.is_file():
        raise ConfigError(f"--certificate-file {path} is not a readable file")
    if path.suffix.lower() in (".pfx", ".p12"):
        credential: dict[str, Any] = {"private_key_pfx_path": str(path)}
        if password:
            credential["passphrase"] = password
        return credential
    raw = path.read_bytes()
    try:
        key = serialization.load_pem_private_key(raw, password.encode() if password else None)
        cert = x509.load_pem_x509_certificate(raw[raw.index(b"-----BEGIN CERTIFICATE-----") :])
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            f"--certificate-file {path}: expected a PEM file with the private key and the "
            f"certificate (or a .pfx): {redact(str(exc))}"
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigError(
            f"--certificate-file {path}: the private key is {type(key).__name__}; MSAL signs "
            "client assertions with RSA (PS256), so the certificate needs an RSA key"
        )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    register_secret(key_pem)
    return {
        "private_key": key_pem,
        "public_certificate": cert.public_bytes(serialization.Encoding.PEM).decode(),
    }


class MsalResponse:
    """An HTTP answer in the shape MSAL's ``http_client`` contract asks for."""

    def __init__(self, status: int, headers: Mapping[str, str], text: str) -> None:
        self.status_code = status
        self.headers = dict(headers)
        self.text = text

    def raise_for_status(self) -> None:
        """Raise for an error status (MSAL calls it on discovery answers)."""
        if self.status_code >= 400:
            raise AuthenticationError(
                f"Microsoft Entra ID answered {self.status_code}: {redact(self.text[:200])}"
            )


class MsalHttp:
    """MSAL's ``http_client``: GETs and the token POST through the shared layer."""

    def __init__(
        self,
        authority_host: str,
        core: RetryCore,
        transport: httpx.BaseTransport | None = None,
        timeouts: Timeouts | None = None,
    ) -> None:
        self._client = HttpClient(
            authority_host,
            decide=decide.entra,
            core=core,
            token=None,
            capture=False,  # token answers are credentials, not evidence
            allow=[f"POST {authority_host.rstrip('/')}{TOKEN_PATH}"],
            timeouts=timeouts,
            transport=transport,
            option="--authority-host",
        )

    def get(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        **_: Any,
    ) -> MsalResponse:
        """GET ``url`` (OpenID configuration, instance discovery)."""
        answer = self._client.request(
            "GET", url, what="sign-in (OpenID configuration)", params=params, headers=headers
        )
        return MsalResponse(answer.status, answer.headers, answer.text())

    def post(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, Any] | str | None = None,
        headers: Mapping[str, str] | None = None,
        **_: Any,
    ) -> MsalResponse:
        """POST the token request."""
        form: dict[str, str] | None = None
        if isinstance(data, Mapping):
            # MSAL hands the client assertion over as bytes.
            form = {str(k): v.decode() if isinstance(v, bytes) else str(v) for k, v in data.items()}
        elif isinstance(data, str):
            form = dict(parse_qsl(data))
        answer = self._client.request(
            "POST", url, what="sign-in (token request)", params=params, data=form, headers=headers
        )
        return MsalResponse(answer.status, answer.headers, answer.text())

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()


class SignIn:
    """One app registration signed in to one tenant; hands out token providers."""

    def __init__(self, credentials: Credentials, authority_host: str, http: MsalHttp) -> None:
        self.credentials = credentials
        self.authority = f"{authority_host.rstrip('/')}/{credentials.tenant_id}"
        host = httpx.URL(authority_host).host
        known = host in KNOWN_AUTHORITY_HOSTS
        try:
            self.app = msal.ConfidentialClientApplication(
                credentials.client_id,
                client_credential=credentials.msal_credential(),
                authority=self.authority,
                http_client=http,
                instance_discovery=None if known else False,
            )
        except ValueError as exc:
            raise AuthenticationError(
                f"Microsoft Entra ID does not know tenant {credentials.tenant_id!r} at "
                f"{authority_host}: check --tenant-id / DYNAMICS_TENANT_ID and --cloud "
                f"({redact(str(exc))[:200]})"
            ) from None

    def token(self, scope: str, resource: str) -> MsalToken:
        """A token provider for ``scope``; ``resource`` names it in refusals."""
        return MsalToken(self, scope, resource)

    def refusal(self, result: Mapping[str, Any], resource: str) -> AuthenticationError:
        """What Entra ID refused, from MSAL's error result (AADSTS codes)."""
        creds = self.credentials
        codes = {int(c) for c in result.get("error_codes") or [] if str(c).isdigit()}
        error = str(result.get("error") or "error")
        described = redact(str(result.get("error_description") or "")).split(" Trace ID")[0]
        if 700016 in codes or error == "unauthorized_client":
            text = (
                f"the client id {creds.client_id} is not an application in tenant "
                f"{creds.tenant_id} (AADSTS700016): check --client-id / DYNAMICS_CLIENT_ID"
            )
        elif 7000215 in codes or 7000222 in codes:
            text = (
                f"the client secret of app {creds.client_id} was refused (AADSTS"
                f"{7000222 if 7000222 in codes else 7000215}: "
                + ("expired" if 7000222 in codes else "invalid")
                + "): check --client-secret / DYNAMICS_CLIENT_SECRET is the secret's value"
            )
        elif 700027 in codes or "assertion" in described.lower():
            text = (
                f"the certificate of app {creds.client_id} was refused (AADSTS700027): upload "
                "its public certificate to the app registration (Certificates & secrets)"
            )
        elif 90002 in codes:
            text = f"tenant {creds.tenant_id} was not found (AADSTS90002): check --tenant-id"
        elif 500011 in codes or error == "invalid_resource":
            text = (
                f"{resource} is not a resource of tenant {creds.tenant_id} (AADSTS500011): "
                "check --environment-url and --cloud, and that the environment belongs to "
                "this tenant"
            )
        else:
            text = f"{error}: {described[:300]}"
        return AuthenticationError(f"Microsoft Entra ID refused the sign-in: {text}")


class MsalToken:
    """A `TokenProvider` for one scope: MSAL's cached token, renewed before it lapses.

    When a service refuses a token as expired, MSAL's cache is emptied first so the
    renewal really fetches a new one (MSAL has no forced refresh for client credentials).
    """

    renewable = True

    def __init__(self, sign_in: SignIn, scope: str, resource: str) -> None:
        self._sign_in = sign_in
        self.scope = scope
        self.resource = resource
        self._inner = RenewingToken(self._issue)

    def token(self) -> str:
        """The token to send now."""
        return self._inner.token()

    def renew(self, refused: str) -> None:
        """Drop MSAL's cached tokens and fetch a new one."""
        self._sign_in.app.remove_tokens_for_client()
        self._inner.renew(refused)

    def _issue(self) -> IssuedToken:
        result = self._sign_in.app.acquire_token_for_client([self.scope])
        value = result.get("access_token") if isinstance(result, dict) else None
        if not isinstance(value, str) or not value:
            raise self._sign_in.refusal(result if isinstance(result, dict) else {}, self.resource)
        register_secret(value)
        expires = result.get("expires_in")
        return IssuedToken(value, float(expires) if isinstance(expires, (int, float)) else None)
