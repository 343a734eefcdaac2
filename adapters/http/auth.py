"""Tokens for the HTTP client: a fixed one, or one renewed before it lapses.

`HttpClient` asks its `TokenProvider` for the token on every attempt, so a renewed token
is used from the next request on. Zoho and Fxiaoke access tokens expire mid-scan:
`RenewingToken` fetches a new one ``margin`` seconds before the old one lapses, and again
when the server answers that it expired (the decision table says `Renew`). Every token
issued is registered for redaction. MSAL (Dynamics) caches and renews its own tokens:
wrap ``acquire_token_for_client`` in a `RenewingToken` the same way.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from scanner.redact import register_secret


class TokenProvider(Protocol):
    """Gives the token to send, and renews it when the server refused it as expired."""

    @property
    def renewable(self) -> bool:
        """True when `renew` can get a different token."""

    def token(self) -> str:
        """The token to send now."""

    def renew(self, refused: str) -> None:
        """The server refused ``refused`` as expired: get a new token."""


class StaticToken:
    """A token that cannot be renewed (HubSpot private-app tokens, Salesforce sessions)."""

    renewable = False

    def __init__(self, value: str) -> None:
        register_secret(value)
        self._value = value

    def token(self) -> str:
        """The token."""
        return self._value

    def renew(self, refused: str) -> None:
        """Nothing to renew: the core reports the refusal."""


@dataclass(frozen=True)
class IssuedToken:
    """A token as the platform's token endpoint returned it."""

    value: str
    expires_in: float | None = None  #: seconds from issue; None = unknown


class RenewingToken:
    """A token fetched by ``issue`` and fetched again before it lapses. Thread-safe.

    ``issue`` performs the token request (through an `HttpClient` whose allowlist names
    the token endpoint, with ``authenticated=False``) and raises `AuthenticationError`
    when the credentials are refused.
    """

    renewable = True

    def __init__(
        self,
        issue: Callable[[], IssuedToken],
        *,
        margin: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._issue = issue
        self.margin = margin
        self._clock = clock
        self._lock = threading.Lock()
        self._value: str | None = None
        self._renew_at: float | None = None
        self.issued = 0  #: how many tokens were fetched (tests, logs)

    def token(self) -> str:
        """The current token, fetched first when there is none or it lapses soon."""
        with self._lock:
            if self._value is None or self._lapsing():
                self._fetch()
            assert self._value is not None
            return self._value

    def renew(self, refused: str) -> None:
        """Fetch a new token unless another thread already replaced ``refused``."""
        with self._lock:
            if self._value == refused or self._value is None:
                self._fetch()

    def _lapsing(self) -> bool:
        return self._renew_at is not None and self._clock() >= self._renew_at

    def _fetch(self) -> None:
        issued = self._issue()
        register_secret(issued.value)
        self._value = issued.value
        self._renew_at = None
        if issued.expires_in is not None:
            # Renew ``margin`` early, but a short-lived token still serves half its life.
            early = min(self.margin, issued.expires_in / 2)
            self._renew_at = self._clock() + issued.expires_in - early
        self.issued += 1
