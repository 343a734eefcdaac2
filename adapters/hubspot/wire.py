"""HubSpot's error responses and what the adapter does about each one.

Both transports (httpx for account-info, urllib3 inside hubspot-api-client for the
settings APIs) send through `send_with_retries`, which hands a failed response to
`decide`: it answers either "wait this long and retry" or with the `CollectionError` to
record as a gap. One loop and one decision table mean the two transports cannot drift
apart on rate limits, scopes, retries or the API reserve.

HubSpot error bodies look like::

    {"status": "error", "message": "...", "correlationId": "...", "category": "...",
     "errors": [{"context": {"requiredGranularScopes": ["account-info.security.read"]}}]}

and a rate-limited call answers 429 with ``"errorType": "RATE_LIMIT"`` and
``"policyName": "SECONDLY"`` or ``"DAILY"``, plus ``Retry-After`` (seconds) and
``X-HubSpot-RateLimit-Interval-Milliseconds`` headers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from scanner.errors import (
    ApiError,
    ApiReserveReachedError,
    AuthenticationError,
    CollectionError,
    MalformedResponseError,
    PermissionMissingError,
    RateLimitedError,
)
from scanner.redact import redact

#: Attempts per request (first try included) before a retryable failure becomes a gap.
MAX_ATTEMPTS = 5
#: Never wait longer than this between two attempts, whatever the server asks.
MAX_WAIT_SECONDS = 30.0
#: First back-off step for 5xx and for a 429 that names no wait; doubles per attempt.
BASE_BACKOFF_SECONDS = 0.5

_log = logging.getLogger(__name__)

Sleep = Callable[[float], None]
T = TypeVar("T")


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
    for error in data.get("errors") or []:
        context = error.get("context") if isinstance(error, dict) else None
        if not isinstance(context, dict):
            continue
        for key in ("requiredGranularScopes", "requiredScopes", "requiredScope"):
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


@dataclass(frozen=True)
class Retry:
    """Wait ``seconds`` and send the same request again."""

    seconds: float


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
    """How long to wait after a SECONDLY 429: Retry-After, else the window, else back off."""
    retry_after = _float(_header(headers, "Retry-After"))
    if retry_after is not None and retry_after >= 0:
        return min(retry_after, MAX_WAIT_SECONDS)
    interval_ms = _float(_header(headers, "X-HubSpot-RateLimit-Interval-Milliseconds"))
    if interval_ms is not None and interval_ms >= 0:
        return min(interval_ms / 1000.0, MAX_WAIT_SECONDS)
    return backoff(attempt)


def backoff(attempt: int) -> float:
    """Exponential back-off for attempt ``attempt`` (1-based), capped."""
    return float(min(BASE_BACKOFF_SECONDS * (2 ** (attempt - 1)), MAX_WAIT_SECONDS))


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
            "HubSpot rejected the access token (401): check --access-token / "
            "HUBSPOT_ACCESS_TOKEN is a valid private-app token for this account" + ref
        )
        if first_call:
            return AuthenticationError(text)
        return ApiError(f"{what}: the access token stopped working mid-scan (401){ref}")
    if status == 403:
        scopes = ", ".join(err.required_scopes) or scope
        return Forbidden(
            f"{what}: HubSpot refused the call (403 {err.category or 'FORBIDDEN'}); "
            f"the private app needs the scope {scopes}{ref}",
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


def require(condition: bool, what: str, problem: str) -> None:
    """Raise `MalformedResponseError` unless ``condition`` holds."""
    if not condition:
        raise MalformedResponseError(f"{what}: malformed response: {problem}")


def as_dict(value: Any, what: str) -> dict[str, Any]:
    """``value`` if it is a JSON object, else `MalformedResponseError`."""
    require(isinstance(value, dict), what, f"expected an object, got {type(value).__name__}")
    result: dict[str, Any] = value
    return result


def as_list(value: Any, what: str) -> list[Any]:
    """``value`` if it is a JSON array, else `MalformedResponseError`."""
    require(isinstance(value, list), what, f"expected an array, got {type(value).__name__}")
    result: list[Any] = value
    return result


@dataclass
class CallLog:
    """What the scan asked of HubSpot: shared by both transports.

    ``pages`` counts result pages per collection (the benchmark compares it with the
    minimum the page-size limits allow); ``succeeded`` tells `decide` whether a 401 is
    the first answer (bad token) or a later one.
    """

    reserve_percent: float = 0.0
    requests: int = 0
    succeeded: int = 0
    retries: int = 0
    pages: dict[str, int] = field(default_factory=dict)
    daily_limit: int | None = None
    daily_remaining: int | None = None

    def page(self, collection: str) -> None:
        """Count one page of ``collection``."""
        self.pages[collection] = self.pages.get(collection, 0) + 1

    def saw_headers(self, headers: Mapping[str, str]) -> None:
        """Remember the daily allowance headers, when HubSpot sends them."""
        daily = _float(_header(headers, "X-HubSpot-RateLimit-Daily"))
        remaining = _float(_header(headers, "X-HubSpot-RateLimit-Daily-Remaining"))
        if daily is not None:
            self.daily_limit = int(daily)
        if remaining is not None:
            self.daily_remaining = int(remaining)

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


@dataclass(frozen=True)
class ErrorResponse:
    """A non-success HTTP answer, as a transport hands it to `send_with_retries`."""

    status: int
    headers: Mapping[str, str]
    body: bytes | str | None


class TransportFailure(Exception):
    """The request got no HTTP answer (connection, TLS, timeout); it is retried."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


def send_with_retries(
    calls: CallLog,
    sleep: Sleep,
    send: Callable[[], T | ErrorResponse],
    *,
    what: str,
    scope: str,
) -> T:
    """Call ``send`` until it succeeds, retrying as `decide` says; raise the gap's error.

    ``send`` performs one request: it returns the successful result, returns an
    `ErrorResponse` for an HTTP error, or raises `TransportFailure` when nothing answered.
    """
    for attempt in range(1, MAX_ATTEMPTS + 1):
        calls.check_reserve(what)
        calls.requests += 1
        try:
            answer = send()
        except TransportFailure as exc:
            if attempt >= MAX_ATTEMPTS:
                raise ApiError(f"{what}: {exc}") from None
            _wait(calls, sleep, backoff(attempt), what, exc.kind)
            continue
        if not isinstance(answer, ErrorResponse):
            calls.succeeded += 1
            return answer
        calls.saw_headers(answer.headers)
        outcome = decide(
            answer.status,
            answer.headers,
            answer.body,
            what=what,
            scope=scope,
            attempt=attempt,
            first_call=calls.succeeded == 0,
        )
        if isinstance(outcome, Retry):
            _wait(calls, sleep, outcome.seconds, what, f"HTTP {answer.status}")
            continue
        raise outcome from None
    raise ApiError(f"{what}: gave up after {MAX_ATTEMPTS} attempts")  # pragma: no cover


def _wait(calls: CallLog, sleep: Sleep, seconds: float, what: str, why: str) -> None:
    calls.retries += 1
    _log.info("HubSpot %s: %s; retrying in %.2fs", what, why, seconds)
    sleep(seconds)
