"""Tokens: renewed before they lapse, renewed once per refusal, always redacted."""

from __future__ import annotations

from adapters.http import IssuedToken, RenewingToken, StaticToken
from scanner.redact import redact


class Issuer:
    def __init__(self, expires_in: float | None) -> None:
        self.count = 0
        self.expires_in = expires_in

    def __call__(self) -> IssuedToken:
        self.count += 1
        return IssuedToken(f"issued-token-{self.count:04d}", self.expires_in)


def test_token_is_fetched_once_and_kept_until_the_margin() -> None:
    now = [0.0]
    issuer = Issuer(3600)
    token = RenewingToken(issuer, margin=60, clock=lambda: now[0])
    assert token.token() == "issued-token-0001"
    now[0] = 3539.0
    assert token.token() == "issued-token-0001"
    now[0] = 3540.0  # 60 s before it lapses
    assert token.token() == "issued-token-0002"
    assert issuer.count == 2


def test_short_lived_token_serves_half_its_life() -> None:
    now = [0.0]
    token = RenewingToken(Issuer(30), margin=60, clock=lambda: now[0])
    token.token()
    now[0] = 14.0
    assert token.token() == "issued-token-0001"
    now[0] = 15.0
    assert token.token() == "issued-token-0002"


def test_renew_replaces_the_refused_token_only_once() -> None:
    issuer = Issuer(None)
    token = RenewingToken(issuer)
    first = token.token()
    token.renew(first)
    token.renew(first)  # a second thread saw the same refusal: already replaced
    assert token.token() == "issued-token-0002" and issuer.count == 2


def test_every_issued_token_is_redacted() -> None:
    token = RenewingToken(Issuer(None))
    value = token.token()
    assert redact(f"echo {value}") == "echo [REDACTED]"
    static = StaticToken("static-secret-token-xyz")
    assert not static.renewable
    assert "static-secret-token-xyz" not in redact(static.token())
