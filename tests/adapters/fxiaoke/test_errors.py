"""Fxiaoke's decision table: every documented errorCode class ends where the brief says."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.fxiaoke.errors import CODES, decide_call, decide_token, outcome
from adapters.http.answers import ACCEPT, Answer, Attempt, Renew, Retry
from scanner.errors import (
    ApiError,
    AuthenticationError,
    MalformedResponseError,
    NotAvailableError,
    PermissionMissingError,
    RateLimitedError,
)
from scanner.redact import register_secret


def _answer(code: int | None, message: str = "msg", status: int = 200, **extra: Any) -> Answer:
    body: dict[str, Any] = {"errorMessage": message, "traceId": "E-O.1", **extra}
    if code is not None:
        body["errorCode"] = code
    return Answer(status, {"Content-Type": "application/json"}, json.dumps(body).encode())


FIRST = Attempt(1, True, False, "user list")
LATER = Attempt(1, False, False, "user list")


def test_success_is_accepted() -> None:
    assert decide_call(_answer(0), LATER) is ACCEPT
    assert decide_token(_answer(0), FIRST) is ACCEPT


@pytest.mark.parametrize("code", [20016, 20005, 11014])
def test_expired_token_renews(code: int) -> None:
    decision = decide_call(_answer(code), LATER)
    assert isinstance(decision, Renew) and str(code) in decision.because


@pytest.mark.parametrize(
    ("code", "gap"),
    [
        (14001, RateLimitedError),
        (30004, RateLimitedError),
        (-1, RateLimitedError),
        (50009, ApiError),
    ],
)
def test_rate_limits_and_busy_retry_then_gap(code: int, gap: type) -> None:
    decision = decide_call(_answer(code), LATER)
    assert isinstance(decision, Retry) and decision.gap is gap


@pytest.mark.parametrize(
    ("code", "error", "text"),
    [
        (30002, RateLimitedError, "midnight"),
        (15003, PermissionMissingError, "no access"),
        (20014, PermissionMissingError, "employee"),
        (20020, PermissionMissingError, "enterprise"),
        (20023, PermissionMissingError, "every department"),
        (20012, PermissionMissingError, "--open-user-id"),
        (10010, PermissionMissingError, "--open-user-id"),
        (30003, NotAvailableError, "Open API quota"),
        (10006, ApiError, "does not exist"),
        (30007, ApiError, "部门不存在"),
        (-2, ApiError, "系统错误"),
        (99999, ApiError, "errorCode 99999"),
    ],
)
def test_other_codes_become_gaps(code: int, error: type, text: str) -> None:
    decision = decide_call(_answer(code), LATER)
    assert type(decision) is error
    assert text in str(decision) and "user list" in str(decision)


def test_credentials_refused_on_the_first_call_stop_the_scan() -> None:
    assert isinstance(decide_call(_answer(20017), FIRST), AuthenticationError)
    assert isinstance(decide_call(_answer(20017), LATER), ApiError)


@pytest.mark.parametrize(
    ("code", "option"),
    [
        (20015, "--permanent-code"),
        (11013, "--permanent-code"),
        (10006, "--app-secret"),
        (20006, "--app-id"),
        (10001, "--app-id"),
    ],
)
def test_refused_sign_in_names_what_to_fix(code: int, option: str) -> None:
    decision = decide_token(_answer(code), FIRST)
    assert isinstance(decision, AuthenticationError)
    assert option in str(decision) and str(code) in str(decision)


def test_sign_in_without_quota_or_app_disabled_is_refused() -> None:
    for code in (30003, 20021, 20022):
        assert isinstance(decide_token(_answer(code), FIRST), AuthenticationError)
    assert isinstance(decide_token(_answer(30004), FIRST), Retry)


def test_http_errors() -> None:
    assert isinstance(decide_call(_answer(0, status=502), LATER), Retry)
    assert decide_call(_answer(0, status=429), LATER).gap is RateLimitedError  # type: ignore[union-attr]
    assert isinstance(decide_call(_answer(0, status=404), LATER), ApiError)


def test_malformed_answers() -> None:
    with pytest.raises(MalformedResponseError):
        decide_call(Answer(200, {}, b"<html>302</html>"), LATER)
    with pytest.raises(MalformedResponseError):
        decide_call(_answer(None), LATER)
    with pytest.raises(MalformedResponseError):
        outcome(["not", "an", "object"], "x")
    assert outcome({"errorCode": "20016"}, "x").code == 20016


def test_server_echo_of_a_secret_is_redacted() -> None:
    register_secret("ECHOEDTOKEN1234567890")
    decision = decide_call(_answer(32000, message="bad token ECHOEDTOKEN1234567890"), LATER)
    assert "ECHOEDTOKEN" not in str(decision)


def test_every_code_has_a_meaning() -> None:
    assert all(code.meaning for code in CODES.values())
