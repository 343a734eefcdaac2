"""HubSpot's decision table and body parsing: what each HubSpot answer means.

Both transports (httpx for account-info, urllib3 inside hubspot-api-client for the
settings APIs) send through the shared retry core (`adapters.http.RetryCore`, built by
`retry_core`), which hands every answer to `decision_table`: accept it, wait and retry,
or the `CollectionError` to record as a gap. One loop and one table mean the two
transports cannot drift apart on rate limits, scopes, retries or the API reserve; this
module holds only HubSpot's quirks: its error bodies, the SECONDLY and DAILY policies,
the daily-allowance headers and the reserve kept for other integrations.

HubSpot error bodies look like::

    {"status": "error", "message": "...", "correlationId": "...", "category": "...",
     "errors": [{"context": {"requiredGranularScopes": ["account-info.security.read"]}}]}

and a rate-limited call answers 429 with ``"errorType": "RATE_LIMIT"`` and
``"policyName": "SECONDLY"`` or ``"DAILY"``, plus ``Retry-After`` (seconds) and
``X-HubSpot-RateLimit-Interval-Milliseconds`` headers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from adapters.http import (
    ACCEPT,
    Answer,
    Attempt,
    Deadline,
    Decision,
    DecisionTable,
    RequestStats,
    Retry,
    RetryCore,
    RetryPolicy,
    Sleep,
    as_dict,
    as_list,
    require,
    retry_after,
)
from scanner.errors import (
    ApiError,
    ApiReserveReachedError,
    AuthenticationError,
    CollectionError,
    PermissionMissingError,
    RateLimitedError,
)
from scanner.redact import redact

__all__ = [
    "MAX_ATTEMPTS",
    "MAX_WAIT_SECONDS",
    "POLICY",
    "CallLog",
    "ErrorBody",
    "Forbidden",
    "Retry",
    "Sleep",
    "as_dict",
    "as_list",
    "backoff",
    "decide",
    "decision_table",
    "parse_error_body",
    "require",
    "retry_core",
    "secondly_wait",
]

#: Attempts per request (first try included) before a retryable failure becomes a gap.
MAX_ATTEMPTS = 5
#: Never wait longer than this between two attempts, whatever the server asks.
MAX_WAIT_SECONDS = 30.0
#: First back-off step for 5xx and for a 429 that names no wait; doubles per attempt.
BASE_BACKOFF_SECONDS = 0.5
#: The shared core's policy with HubSpot's numbers.
POLICY = RetryPolicy(
    max_attempts=MAX_ATTEMPTS, base_backoff=BASE_BACKOFF_SECONDS, max_wait=MAX_WAIT_SECONDS
)


@dataclass(frozen=True)
class ErrorBody:
    """The parts of a HubSpot error body the adapter uses."""

    message: str = ""
    category: str = ""
    error_type: str = ""
    policy_name: str = ""
    correlation_id: str = ""
    required_scopes: tuple[str, ...] = ()


def parse_error_body(raw: bytes | str | None) -> ErrorBody:
    """Read a HubSpot error body; anything unreadable gives an empty `ErrorBody`."""
    if not raw:
        return ErrorBody()
    try:
        data = json.loads(raw)
    except (ValueError, TypeError):
        return ErrorBody()
    if not isinstance(data, dict):
        return ErrorBody()
    scopes: list[str] = []
    found = data.get("errors")
    errors: list[Any] = found if isinstance(found, list) else []
    # The scopes may be named in each error's context or in the body's own context.
    for error in [*errors, data]:
        context = error.get("context") if isinstance(error, dict) else None
        if not isinstance(context, dict):
            continue
        for key in ("requiredGranularScopes", "requiredScopes", "requiredScope", "missingScopes"):
            found = context.get(key) or []
            scopes.extend(str(s) for s in (found if isinstance(found, list) else [found]))
    return ErrorBody(
        message=str(data.get("message") or ""),
        category=str(data.get("category") or ""),
        error_type=str(data.get("errorType") or ""),
        policy_name=str(data.get("policyName") or ""),
        correlation_id=str(data.get("correlationId") or ""),
        required_scopes=tuple(dict.fromkeys(scopes)),
    )


class Forbidden(PermissionMissingError):
    """A 403: usually a missing scope; ``category`` and ``scopes`` say what HubSpot said."""

    def __init__(self, message: str, category: str, scopes: tuple[str, ...]) -> None:
        super().__init__(message)
        self.category = category
        self.scopes = scopes


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def secondly_wait(headers: Mapping[str, str], attempt: int) -> float:
    """How long to wait after a SECONDLY 429: Retry-After, else the window, else back off.

    Retry-After may be seconds or an HTTP-date (`adapters.http.retry_after`).
    """
    asked = retry_after(Answer(429, headers))
    if asked is not None:
        return min(asked, MAX_WAIT_SECONDS)
    interval_ms = _float(_header(headers, "X-HubSpot-RateLimit-Interval-Milliseconds"))
    if interval_ms is not None and interval_ms >= 0:
        return min(interval_ms / 1000.0, MAX_WAIT_SECONDS)
    return backoff(attempt)


def backoff(attempt: int) -> float:
    """Exponential back-off for attempt ``attempt`` (1-based), capped."""
    return POLICY.backoff(attempt)


def decide(
    status: int,
    headers: Mapping[str, str],
    body: bytes | str | None,
    *,
    what: str,
    scope: str,
    attempt: int,
    first_call: bool,
) -> Retry | CollectionError | AuthenticationError:
    """What to do about a non-2xx answer to ``what`` (a short description of the call).

    ``scope`` is the private-app scope the endpoint needs, named in the gap when HubSpot
    does not name it itself. ``attempt`` counts from 1. A 401 on the scan's first call is
    an `AuthenticationError`; later it is a gap (the token was revoked mid-scan).
    """
    err = parse_error_body(body)
    ref = f" (correlationId {err.correlation_id})" if err.correlation_id else ""
    message = redact(err.message)[:300]
    if status == 401:
        text = (
            "HubSpot rejected the service key or access token (401): check that "
            "--service-key / HUBSPOT_SERVICE_KEY or --access-token / HUBSPOT_ACCESS_TOKEN is "
            "a valid service key or private-app token for this account" + ref
        )
        if first_call:
            return AuthenticationError(text)
        return ApiError(f"{what}: the access token stopped working mid-scan (401){ref}")
    if status == 403:
        scopes = ", ".join(err.required_scopes) or scope
        return Forbidden(
            f"{what}: HubSpot refused the call (403 {err.category or 'FORBIDDEN'}); "
            f"the service key or private app needs the scope {scopes}{ref}",
            err.category,
            err.required_scopes,
        )
    if status == 429:
        if err.policy_name.upper() == "DAILY":
            return RateLimitedError(
                f"{what}: the account's DAILY API limit is used up (429 RATE_LIMIT DAILY); "
                f"it resets at midnight in the account's time zone{ref}"
            )
        if attempt >= MAX_ATTEMPTS:
            return RateLimitedError(
                f"{what}: still rate limited (429 {err.policy_name or 'RATE_LIMIT'}) "
                f"after {attempt} attempts{ref}"
            )
        return Retry(secondly_wait(headers, attempt))
    if status >= 500:
        if attempt >= MAX_ATTEMPTS:
            return ApiError(f"{what}: HubSpot answered {status} {attempt} times{ref}")
        return Retry(backoff(attempt))
    if status == 404:
        return ApiError(f"{what}: not found (404); {message or 'no such endpoint'}{ref}")
    return ApiError(f"{what}: HubSpot answered {status}: {message or 'no message'}{ref}")


def decision_table(what: str, scope: str) -> DecisionTable:
    """`decide` as the shared core asks it for one call: 2xx accepted, the rest decided."""

    def table(answer: Answer, attempt: Attempt) -> Decision:
        if answer.ok:
            return ACCEPT
        return decide(
            answer.status,
            answer.headers,
            answer.body,
            what=what,
            scope=scope,
            attempt=attempt.number,
            first_call=attempt.first_call,
        )

    return table


@dataclass
class CallLog(RequestStats):
    """What the scan asked of HubSpot, shared by both transports.

    `RequestStats` counts requests, retries and pages (the benchmark compares pages with
    the minimum the page-size limits allow); this adds HubSpot's daily allowance, read
    from the headers of every answer, and the reserve kept for other integrations.
    """

    reserve_percent: float = 0.0
    daily_limit: int | None = None
    daily_remaining: int | None = None
    #: The rolling burst window: requests left in it and its length (X-HubSpot-RateLimit-*).
    burst_remaining: int | None = None
    burst_interval_ms: float | None = None

    @property
    def succeeded(self) -> int:
        """Answers accepted so far (0: the next 401 is a bad token, not a revocation)."""
        return self.accepted

    def saw_answer(self, answer: Answer) -> None:
        """Read the rate-limit headers of ``answer`` (a 429's wait is the retry's own)."""
        self.saw_headers(answer.headers)
        if answer.status == 429:
            self.burst_remaining = None  # the retry waits for the window already

    def saw_headers(self, headers: Mapping[str, str]) -> None:
        """Remember the daily allowance headers, when HubSpot sends them."""
        daily = _float(_header(headers, "X-HubSpot-RateLimit-Daily"))
        remaining = _float(_header(headers, "X-HubSpot-RateLimit-Daily-Remaining"))
        if daily is not None:
            self.daily_limit = int(daily)
        if remaining is not None:
            self.daily_remaining = int(remaining)
        burst = _float(_header(headers, "X-HubSpot-RateLimit-Remaining"))
        interval = _float(_header(headers, "X-HubSpot-RateLimit-Interval-Milliseconds"))
        self.burst_remaining = int(burst) if burst is not None else None
        if interval is not None and interval > 0:
            self.burst_interval_ms = interval

    def pace(self) -> float:
        """Seconds to wait before the next request: the window, once it is used up.

        HubSpot answers 429 SECONDLY to a request past the burst limit; waiting out the
        interval when the last answer said nothing is left costs no request at all.
        """
        if self.burst_remaining is None or self.burst_remaining > 0:
            return 0.0
        self.burst_remaining = None  # one wait per exhausted window
        return min((self.burst_interval_ms or 10_000.0) / 1000.0, MAX_WAIT_SECONDS)

    def check_reserve(self, what: str) -> None:
        """Refuse to send when the account's daily allowance is down to the reserve.

        HubSpot's daily limit is shared with every integration of the account; a scan must
        not use up what production integrations need. Unknown allowance: go ahead.
        """
        if self.daily_limit is None or self.daily_remaining is None or self.daily_limit <= 0:
            return
        if self.daily_remaining <= self.daily_limit * self.reserve_percent / 100.0:
            raise ApiReserveReachedError(
                f"{what}: not read; only {self.daily_remaining} of the account's "
                f"{self.daily_limit} daily API calls are left, within the "
                f"{self.reserve_percent:g}% reserve kept for other integrations"
            )


def retry_core(calls: CallLog, sleep: Sleep, deadline: Deadline | None = None) -> RetryCore:
    """The shared retry core with HubSpot's policy, counting into ``calls``.

    Every answer updates the daily allowance and the burst window; every attempt first
    checks the reserve, then waits out the burst window if the last answer used it up.
    """
    limit = deadline or Deadline()

    def before_send(what: str) -> None:
        calls.check_reserve(what)
        wait = calls.pace()
        if wait > 0:
            if not limit.allows_wait(wait):
                raise limit.reached(what, "(waiting for HubSpot's burst window to reopen)")
            sleep(wait)

    core = RetryCore(
        policy=POLICY, stats=calls, deadline=limit, sleep=sleep, before_send=before_send
    )
    core.observe(lambda exchange: calls.saw_answer(exchange.answer))
    return core
