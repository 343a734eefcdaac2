"""The retry core, transport-agnostic: a scripted ``send_once`` stands in for a transport."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from adapters.http import (
    ACCEPT,
    Answer,
    Attempt,
    Deadline,
    Decision,
    Renew,
    RequestStats,
    Retry,
    RetryCore,
    RetryPolicy,
    StatusTable,
    TransportFailure,
    retry_after,
)
from scanner.errors import (
    ApiError,
    AuthenticationError,
    DeadlineReachedError,
    PermissionMissingError,
    RateLimitedError,
    UnreachableHostError,
)
from scanner.model.inventory import GapReason
from scanner.redact import register_secret

TABLE = StatusTable("Acme CRM", auth_hint="check --token")


class Clock:
    """A fake monotonic clock; `sleep` advances it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def script(*outcomes: Answer | Exception) -> tuple[Callable[[], Answer], list[int]]:
    """A ``send_once`` answering ``outcomes`` in turn (the last one repeats)."""
    calls = [0]

    def send_once() -> Answer:
        outcome = outcomes[min(calls[0], len(outcomes) - 1)]
        calls[0] += 1
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return send_once, calls


def core(clock: Clock, deadline: float | None = None, **kw: object) -> RetryCore:
    return RetryCore(
        deadline=Deadline(None if deadline is None else clock.now + deadline, clock),
        sleep=clock.sleep,
        clock=clock,
        **kw,  # type: ignore[arg-type]
    )


OK = Answer(200, {}, b'{"ok": true}')


def test_accepted_answer_is_returned_and_counted() -> None:
    clock = Clock()
    retry = core(clock)
    send, calls = script(OK)
    assert retry.send(send, TABLE, what="users", host="h") is OK
    assert (retry.stats.requests, retry.stats.accepted, calls[0]) == (1, 1, 1)


def test_429_honours_retry_after_seconds_then_succeeds() -> None:
    clock = Clock()
    retry = core(clock)
    send, calls = script(Answer(429, {"Retry-After": "7"}), OK)
    retry.send(send, TABLE, what="users", host="h")
    assert clock.waits == [7.0] and calls[0] == 2 and retry.stats.retries == 1


def test_429_honours_retry_after_http_date() -> None:
    when = datetime.now(timezone.utc) + timedelta(seconds=12)
    answer = Answer(429, {"retry-after": format_datetime(when, usegmt=True)})
    wait = retry_after(answer)
    assert wait is not None and 10.0 <= wait <= 12.0
    past = Answer(429, {"Retry-After": "Sun, 06 Nov 1994 08:49:37 GMT"})
    assert retry_after(past) == 0.0


@pytest.mark.parametrize("raw", ["soon", "-3", "nan", ""])
def test_garbled_retry_after_falls_back_to_backoff(raw: str) -> None:
    assert retry_after(Answer(429, {"Retry-After": raw})) is None
    clock = Clock()
    send, _ = script(Answer(429, {"Retry-After": raw}), OK)
    core(clock).send(send, TABLE, what="x", host="h")
    assert clock.waits == [RetryPolicy().backoff(1)]


def test_server_asked_wait_is_capped() -> None:
    clock = Clock()
    send, _ = script(Answer(429, {"Retry-After": "86400"}), OK)
    core(clock, policy=RetryPolicy(max_wait=30.0)).send(send, TABLE, what="x", host="h")
    assert clock.waits == [30.0]


def test_backoff_doubles_per_attempt_and_gives_up_as_api_error() -> None:
    clock = Clock()
    send, calls = script(Answer(503, {}, b"<html>down</html>"))
    with pytest.raises(ApiError, match="answered 503; gave up after 5 attempts") as caught:
        core(clock).send(send, TABLE, what="roles", host="h")
    assert caught.value.gap_reason == GapReason.API_ERROR
    assert clock.waits == [0.5, 1.0, 2.0, 4.0] and calls[0] == 5


def test_429_storm_ends_as_rate_limited_gap() -> None:
    clock = Clock()
    send, calls = script(Answer(429, {"Retry-After": "1"}, b'{"message": "slow down"}'))
    with pytest.raises(RateLimitedError, match="slow down") as caught:
        core(clock).send(send, TABLE, what="users", host="h")
    assert caught.value.gap_reason == GapReason.RATE_LIMITED
    assert calls[0] == 5 and clock.waits == [1.0] * 4


def fxiaoke_like(answer: Answer, attempt: Attempt) -> Decision:
    """HTTP 200 with an error code in the body, as Fxiaoke answers."""
    body = answer.json_or_none() or {}
    code = body.get("errorCode")
    if code == 0:
        return ACCEPT
    if code == 20016:
        return Retry(because="system busy (errorCode 20016)", gap=RateLimitedError)
    if code == 20005:
        return Renew("token expired (errorCode 20005)")
    return PermissionMissingError(f"{attempt.what}: errorCode {code}")


def _body(code: int) -> Answer:
    return Answer(200, {}, json.dumps({"errorCode": code, "errorMessage": "x"}).encode())


def test_http_200_with_an_error_code_is_retried_then_accepted() -> None:
    clock = Clock()
    send, calls = script(_body(20016), _body(20016), _body(0))
    answer = core(clock).send(send, fxiaoke_like, what="employees", host="h")
    assert answer.json("employees")["errorCode"] == 0
    assert calls[0] == 3 and clock.waits == [0.5, 1.0]


def test_http_200_with_a_permanent_error_code_is_its_gap() -> None:
    send, calls = script(_body(60001))
    with pytest.raises(PermissionMissingError, match="employees: errorCode 60001"):
        core(Clock()).send(send, fxiaoke_like, what="employees", host="h")
    assert calls[0] == 1


def test_renew_renews_once_then_reports() -> None:
    renewals: list[int] = []
    send, calls = script(_body(20005), _body(0))
    core(Clock()).send(send, fxiaoke_like, what="x", host="h", renew=lambda: renewals.append(1))
    assert renewals == [1] and calls[0] == 2
    send, calls = script(_body(20005))
    with pytest.raises(ApiError, match="again after it was renewed"):
        core(Clock()).send(send, fxiaoke_like, what="x", host="h", renew=lambda: None)
    assert calls[0] == 2


def test_renew_without_a_renewable_token_is_a_gap() -> None:
    send, _ = script(_body(20005))
    with pytest.raises(ApiError, match="refused the token"):
        core(Clock()).send(send, fxiaoke_like, what="x", host="h")


def test_401_is_authentication_error_on_the_first_call_only() -> None:
    send, _ = script(Answer(401))
    with pytest.raises(AuthenticationError, match="check --token"):
        core(Clock()).send(send, TABLE, what="x", host="h")
    retry = core(Clock())
    retry.send(script(OK)[0], TABLE, what="x", host="h")
    with pytest.raises(ApiError, match="mid-scan"):
        retry.send(script(Answer(401))[0], TABLE, what="y", host="h")


def test_connection_failure_before_any_success_is_unreachable_at_once() -> None:
    clock = Clock()
    refused = TransportFailure("connection refused", "[Errno 111]", connect=True)
    send, calls = script(refused)
    with pytest.raises(UnreachableHostError, match="cannot connect to crm.example:443") as caught:
        core(clock).send(send, TABLE, what="x", host="crm.example:443")
    assert caught.value.exit_code == 2
    assert calls[0] == 1 and clock.waits == []


def test_connection_failure_after_a_success_is_retried_then_api_error() -> None:
    clock = Clock()
    retry = core(clock)
    retry.send(script(OK)[0], TABLE, what="x", host="h")
    send, calls = script(TransportFailure("connection refused", "", connect=True))
    with pytest.raises(ApiError, match="no answer from h"):
        retry.send(send, TABLE, what="y", host="h")
    assert calls[0] == 5 and len(clock.waits) == 4


def test_read_timeouts_are_retried_fewer_times() -> None:
    clock = Clock()
    send, calls = script(TransportFailure("ReadTimeout", "", timeout=True))
    with pytest.raises(ApiError, match="after 2 attempts"):
        core(clock, policy=RetryPolicy(timeout_attempts=2)).send(send, TABLE, what="x", host="h")
    assert calls[0] == 2


def test_past_the_deadline_nothing_is_sent() -> None:
    clock = Clock()
    retry = core(clock, deadline=5.0)
    clock.now += 6
    send, calls = script(OK)
    with pytest.raises(DeadlineReachedError, match="deadline") as caught:
        retry.send(send, TABLE, what="users", host="h")
    assert calls[0] == 0 and retry.stats.requests == 0
    assert caught.value.gap_reason == GapReason.API_ERROR


def test_a_wait_that_would_pass_the_deadline_ends_the_call() -> None:
    clock = Clock()
    send, calls = script(Answer(429, {"Retry-After": "20"}), OK)
    with pytest.raises(DeadlineReachedError, match="20 s wait would pass it"):
        core(clock, deadline=10.0).send(send, TABLE, what="users", host="h")
    assert calls[0] == 1 and clock.waits == []


def test_a_timeout_at_the_deadline_is_the_deadline_gap() -> None:
    clock = Clock()

    def hung() -> Answer:
        clock.now += 10  # the transport waited until its (deadline-bounded) timeout
        raise TransportFailure("ReadTimeout", "", timeout=True)

    with pytest.raises(DeadlineReachedError, match="while waiting for an answer"):
        core(clock, deadline=10.0).send(hung, TABLE, what="users", host="h")


def test_observers_see_every_answer_and_before_send_every_attempt() -> None:
    seen: list[tuple[str, int, int]] = []
    checks: list[str] = []
    retry = core(Clock(), before_send=checks.append)
    retry.observe(lambda ex: seen.append((ex.what, ex.attempt, ex.answer.status)))
    retry.send(script(Answer(500), OK)[0], TABLE, what="teams", host="h", url="/teams")
    assert seen == [("teams", 1, 500), ("teams", 2, 200)]
    assert checks == ["teams", "teams"]


def test_shared_stats_count_every_transport() -> None:
    stats = RequestStats()
    a, b = core(Clock(), stats=stats), core(Clock(), stats=stats)
    a.send(script(OK)[0], TABLE, what="x", host="h")
    b.send(script(Answer(502), OK)[0], TABLE, what="y", host="h")
    assert (stats.requests, stats.accepted, stats.retries) == (3, 2, 1)


def test_error_messages_are_redacted() -> None:
    secret = "zoho-secret-refresh-token-0123456789"
    register_secret(secret)
    body = json.dumps({"message": f"bad token {secret}"}).encode()
    with pytest.raises(ApiError) as caught:
        core(Clock()).send(script(Answer(400, {}, body))[0], TABLE, what="x", host="h")
    assert secret not in str(caught.value) and "[REDACTED]" in str(caught.value)
    failure = TransportFailure("ConnectError", f"https://h/?token={secret}", connect=True)
    with pytest.raises(UnreachableHostError) as unreachable:
        core(Clock()).send(script(failure)[0], TABLE, what="x", host="h")
    assert secret not in str(unreachable.value)


def test_an_observer_may_replace_the_answer_for_the_table_and_the_caller() -> None:
    retry = core(Clock())
    echoed = Answer(200, {}, b'{"note": "token tok-ABCDEF123 echoed"}')
    retry.observe(lambda ex: Answer(ex.answer.status, ex.answer.headers, b'{"note": "scrubbed"}'))
    seen: list[bytes | str | None] = []
    retry.observe(lambda ex: seen.append(ex.answer.body))
    answer = retry.send(script(echoed)[0], TABLE, what="x", host="h")
    assert answer.json("x") == {"note": "scrubbed"} and seen == [b'{"note": "scrubbed"}']


def test_a_host_that_timed_out_on_every_attempt_is_not_sent_to_again() -> None:
    clock = Clock()
    retry = core(clock, policy=RetryPolicy(timeout_attempts=2))
    hung, hung_calls = script(TransportFailure("ReadTimeout", "read timed out", timeout=True))
    with pytest.raises(ApiError, match="after 2 attempts"):
        retry.send(hung, TABLE, what="users", host="h")
    assert retry.hang_of("h") is not None and "users timed out" in str(retry.hang_of("h"))
    later, later_calls = script(OK)
    with pytest.raises(ApiError, match="not sent: h stopped answering"):
        retry.send(later, TABLE, what="roles", host="h")
    assert hung_calls[0] == 2 and later_calls[0] == 0
    # Another host is not affected.
    assert retry.send(later, TABLE, what="roles", host="other").status == 200


def test_one_timeout_then_an_answer_does_not_open_the_breaker() -> None:
    clock = Clock()
    retry = core(clock, policy=RetryPolicy(timeout_attempts=2))
    send, calls = script(TransportFailure("ReadTimeout", "", timeout=True), OK)
    assert retry.send(send, TABLE, what="x", host="h").status == 200
    assert retry.hang_of("h") is None and calls[0] == 2
