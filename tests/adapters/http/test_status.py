"""`StatusTable`, the decision table for plain REST APIs."""

from __future__ import annotations

import json

import pytest

from adapters.http import ACCEPT, Answer, Attempt, Retry, StatusTable
from adapters.http.status import server_message
from scanner.errors import (
    ApiError,
    AuthenticationError,
    PermissionMissingError,
    RateLimitedError,
)

TABLE = StatusTable("Dataverse", auth_hint="check the app registration")
FIRST = Attempt(1, first_call=True, last=False, what="system users")
LATER = Attempt(1, first_call=False, last=False, what="system users")


def _answer(status: int, body: object = None, **headers: str) -> Answer:
    return Answer(status, headers, json.dumps(body).encode() if body is not None else b"")


def test_2xx_is_accepted() -> None:
    assert TABLE(_answer(204), LATER) is ACCEPT


def test_401() -> None:
    assert isinstance(TABLE(_answer(401), FIRST), AuthenticationError)
    assert "app registration" in str(TABLE(_answer(401), FIRST))
    later = TABLE(_answer(401), LATER)
    assert isinstance(later, ApiError) and "mid-scan" in str(later)


def test_403_names_what_the_server_said() -> None:
    body = {"error": {"code": "0x80040220", "message": "missing prvReadSystemUser"}}
    outcome = TABLE(_answer(403, body), LATER)
    assert isinstance(outcome, PermissionMissingError)
    assert "prvReadSystemUser" in str(outcome)


def test_429_retries_after_the_servers_wait_and_is_rate_limited_at_the_end() -> None:
    outcome = TABLE(_answer(429, {"message": "busy"}, **{"Retry-After": "4"}), LATER)
    assert isinstance(outcome, Retry)
    assert outcome.seconds == 4.0 and outcome.gap is RateLimitedError


@pytest.mark.parametrize("status", [408, 500, 502, 503, 504])
def test_transient_statuses_retry(status: int) -> None:
    assert isinstance(TABLE(_answer(status), LATER), Retry)


@pytest.mark.parametrize("status", [301, 302, 307, 400, 404, 409])
def test_other_statuses_are_api_errors(status: int) -> None:
    assert isinstance(TABLE(_answer(status), LATER), ApiError)


def test_server_message_is_cleaned() -> None:
    answer = _answer(400, {"message": "bad\x1b[2J\x07 input " + "x" * 400})
    said = server_message(answer)
    assert "\x1b" not in said and "\x07" not in said and len(said) == 300
    assert server_message(Answer(502, {}, b"<html>Bad Gateway</html>")) == ""
