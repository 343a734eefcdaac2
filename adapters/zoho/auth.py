"""Sign-in: Zoho's OAuth 2.0 refresh-token grant, per data centre, renewed before it lapses.

``POST {accounts server}/oauth/v2/token`` with ``grant_type=refresh_token``,
``client_id``, ``client_secret`` and ``refresh_token`` (form-encoded, so no secret ends
up in a URL or a log) answers ``{"access_token", "expires_in", "api_domain", "scope",
"token_type"}``, or ``{"error": "invalid_code"}`` and the like for a refused credential.
The API domain the org lives on is taken from ``api_domain``, as Zoho's SDKs do; the
access token lives ``expires_in`` seconds (an hour) and `adapters.http.RenewingToken`
fetches a new one before it lapses.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from adapters.http import HttpClient, IssuedToken, RenewingToken, RetryCore, Timeouts, as_dict
from adapters.http.tls import require_https
from adapters.zoho.wire import refused_message, token_table
from scanner.errors import AuthenticationError, ConfigError
from scanner.redact import register_secret

TOKEN_PATH = "/oauth/v2/token"
#: Renew this many seconds before the access token lapses.
RENEW_MARGIN_SECONDS = 300.0


@dataclass(frozen=True)
class ClientCredentials:
    """A Zoho API client (self client or server-based) and the refresh token it issued."""

    client_id: str
    client_secret: str
    refresh_token: str

    def __post_init__(self) -> None:
        for value in (self.client_secret, self.refresh_token):
            register_secret(value)


@dataclass
class SignIn:
    """What the accounts server said: the API domain and the scopes of the last token."""

    api_domain: str | None = None
    scopes: tuple[str, ...] = ()
    issued: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


class ZohoTokens:
    """Issues access tokens from the refresh token; `provider` renews them in time."""

    def __init__(
        self,
        credentials: ClientCredentials,
        *,
        accounts_url: str,
        data_centre: str,
        core: RetryCore,
        strict_api_domain: bool,
        transport: object | None = None,
    ) -> None:
        self.credentials = credentials
        self.data_centre = data_centre
        self.strict_api_domain = strict_api_domain
        self.sign_in = SignIn()
        self._accounts = HttpClient(
            require_https(accounts_url, "--accounts-url"),
            decide=token_table(data_centre),
            core=core,
            token=None,
            capture=False,  # token answers are credentials, not evidence
            allow=[f"POST {TOKEN_PATH}"],
            timeouts=Timeouts(connect=10.0, read=30.0),
            transport=transport,  # type: ignore[arg-type]
            option="--accounts-url",
        )
        self.provider = RenewingToken(self._issue, margin=RENEW_MARGIN_SECONDS)

    def close(self) -> None:
        """Close the accounts server's connection pool."""
        self._accounts.close()

    def api_domain(self) -> str:
        """The API domain of the org (signs in first if needed)."""
        self.provider.token()
        assert self.sign_in.api_domain is not None
        return self.sign_in.api_domain

    def _issue(self) -> IssuedToken:
        creds = self.credentials
        body = as_dict(
            self._accounts.request(
                "POST",
                TOKEN_PATH,
                what=f"sign-in ({self.data_centre} accounts server)",
                data={
                    "grant_type": "refresh_token",
                    "client_id": creds.client_id,
                    "client_secret": creds.client_secret,
                    "refresh_token": creds.refresh_token,
                },
                authenticated=False,
            ).json("the token response"),
            "the token response",
        )
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise AuthenticationError(refused_message(self.data_centre, "no access_token"))
        register_secret(token)
        domain = self._domain(body.get("api_domain"))
        expires = body.get("expires_in")
        scopes = body.get("scope")
        with self.sign_in._lock:
            self.sign_in.api_domain = domain
            if isinstance(scopes, str):
                self.sign_in.scopes = tuple(s for s in scopes.replace(",", " ").split() if s)
            self.sign_in.issued += 1
        lifetime = float(expires) if isinstance(expires, (int, float)) and expires > 0 else None
        return IssuedToken(token, lifetime)

    def _domain(self, value: object) -> str:
        if not isinstance(value, str) or not value:
            raise AuthenticationError(
                refused_message(self.data_centre, "the token response names no api_domain")
            )
        domain = require_https(value, "the api_domain of the token response")
        host = (urlsplit(domain).hostname or "").lower()
        if self.strict_api_domain and not (host.startswith("zohoapis.") or ".zohoapis." in host):
            raise ConfigError(
                f"the accounts server answered with api_domain {domain!r}, which is not a "
                "Zoho API domain (*.zohoapis.*); refusing to send the token there"
            )
        return domain
