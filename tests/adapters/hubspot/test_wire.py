"""The decision table both transports share: retry, gap or authentication error."""

from __future__ import annotations

import json

import pytest

from adapters.hubspot.wire import (
    MAX_ATTEMPTS,
    MAX_WAIT_SECONDS,
    Forbidden,
    Retry,
    backoff,
    decide,
    parse_error_body,
)
from scanner.errors import ApiError, AuthenticationError, RateLimitedError
from scanner.model.inventory import GapReason
from tests.emulators.hubspot import missing_scopes_body, rate_limit_body


def _decide(status: int, body: object, headers: dict[str, str] | None = None, **kw: object):  # type: ignore[no-untyped-def]
    args = {"what": "users", "scope": "settings.users.read", "attempt": 1, "first_call": False}
    args.update(kw)
    return decide(status, headers or {}, json.dumps(body).encode(), **args)  # type: ignore[arg-type]


def test_secondly_429_retries_after_retry_after_seconds() -> None:
    outcome = _decide(429, rate_limit_body("SECONDLY"), {"Retry-After": "2"})
    assert outcome == Retry(2.0)


def test_secondly_429_without_retry_after_waits_the_interval_window() -> None:
    headers = {"x-hubspot-ratelimit-interval-milliseconds": "1500"}
    assert _decide(429, rate_limit_body("SECONDLY"), headers) == Retry(1.5)


def test_secondly_429_without_headers_backs_off_exponentially() -> None:
    assert _decide(429, rate_limit_body("SECONDLY"), attempt=3) == Retry(backoff(3))
    assert backoff(3) == 2 * backoff(2) == 4 * backoff(1)


def test_server_asked_wait_is_capped() -> None:
    outcome = _decide(429, rate_limit_body("SECONDLY"), {"Retry-After": "86400"})
    assert outcome == Retry(MAX_WAIT_SECONDS)


def test_secondly_429_gives_up_after_max_attempts() -> None:
    outcome = _decide(429, rate_limit_body("SECONDLY"), attempt=MAX_ATTEMPTS)
    assert isinstance(outcome, RateLimitedError)
    assert outcome.gap_reason == GapReason.RATE_LIMITED


def test_daily_429_stops_at_once() -> None:
    outcome = _decide(429, rate_limit_body("DAILY"), {"Retry-After": "1"})
    assert isinstance(outcome, RateLimitedError)
    assert "DAILY" in str(outcome)


def test_403_names_the_scope_hubspot_asks_for() -> None:
    outcome = _decide(403, missing_scopes_body("account-info.security.read"))
    assert isinstance(outcome, Forbidden)
    assert outcome.gap_reason == GapReason.PERMISSION_MISSING
    assert outcome.scopes == ("account-info.security.read",)
    assert "account-info.security.read" in str(outcome)


def test_403_without_scope_details_names_the_endpoint_scope() -> None:
    outcome = _decide(403, {"status": "error", "message": "no", "category": "FORBIDDEN"})
    assert isinstance(outcome, Forbidden)
    assert "settings.users.read" in str(outcome)


def test_401_is_authentication_error_only_before_any_success() -> None:
    first = _decide(401, {"category": "INVALID_AUTHENTICATION"}, first_call=True)
    later = _decide(401, {"category": "INVALID_AUTHENTICATION"}, first_call=False)
    assert isinstance(first, AuthenticationError)
    assert isinstance(later, ApiError)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_retries_then_becomes_api_error(status: int) -> None:
    assert isinstance(_decide(status, {}), Retry)
    assert isinstance(_decide(status, {}, attempt=MAX_ATTEMPTS), ApiError)


def test_unreadable_error_bodies_parse_to_empty() -> None:
    for raw in (b"<html>502 Bad Gateway</html>", b"[1, 2]", b"", None, b"\xff\xfe"):
        assert parse_error_body(raw).message == ""


def test_error_message_is_redacted() -> None:
    from scanner.redact import register_secret

    register_secret("pat-na1-deadbeef-secret-value-0000000000")
    body = {"message": "bad token pat-na1-deadbeef-secret-value-0000000000", "category": "X"}
    outcome = _decide(400, body)
    assert "secret-value" not in str(outcome)
