"""What a server answered, and what a platform's decision table may say about it.

A decision table is a function ``decide(answer, attempt) -> Decision``. It sees every
answer, successful or not (Fxiaoke answers HTTP 200 with an ``errorCode`` in the body),
and returns one of:

- `ACCEPT`: the answer is good; the retry core hands it back to the caller;
- `Retry`: wait (the given seconds, else the policy's exponential back-off) and send
  the same request again; after the last attempt it becomes ``Retry.gap``;
- `Renew`: the token expired: renew it and send again (once);
- a `CollectionError` to record as a gap, or an `AuthenticationError` to stop the scan.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from functools import cached_property
from typing import Any, Final, Union

from scanner.errors import (
    ApiError,
    AuthenticationError,
    CollectionError,
    MalformedResponseError,
)


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: status, headers (looked up case-insensitively) and raw body."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | str | None = b""

    @property
    def ok(self) -> bool:
        """True for a 2xx status."""
        return 200 <= self.status < 300

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (any case), or None."""
        value = self.headers.get(name)
        if value is not None:
            return value
        lowered = name.lower()
        for key, found in self.headers.items():
            if key.lower() == lowered:
                return found
        return None

    @property
    def size(self) -> int:
        """The body's length in bytes (characters for a text body)."""
        return len(self.body or b"")

    def text(self) -> str:
        """The body as text (UTF-8, undecodable bytes replaced)."""
        if self.body is None:
            return ""
        if isinstance(self.body, str):
            return self.body
        return self.body.decode("utf-8", errors="replace")

    @cached_property
    def _decoded(self) -> tuple[bool, Any]:
        if not self.body:
            return False, None
        try:
            return True, json.loads(self.body)
        except (ValueError, TypeError, RecursionError):
            return False, None

    def json_or_none(self) -> Any:
        """The body decoded as JSON, or None when it is empty or not JSON (for tables)."""
        return self._decoded[1]

    def json(self, what: str) -> Any:
        """The body decoded as JSON; `MalformedResponseError` when it is not JSON."""
        ok, value = self._decoded
        if not ok:
            raise MalformedResponseError(
                f"{what}: malformed response: the body is not JSON ({self.size} bytes)"
            )
        return value


@dataclass(frozen=True)
class Attempt:
    """Which attempt an answer belongs to, for the decision table."""

    number: int  #: 1-based
    first_call: bool  #: no request of this scan has been accepted yet
    last: bool  #: no attempt is left: a `Retry` now ends as its gap
    what: str = ""  #: the call, as messages name it ("users page 3")


class Accept:
    """The answer is good: hand it back. Use the `ACCEPT` instance."""

    _instance: Accept | None = None

    def __new__(cls) -> Accept:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ACCEPT"


ACCEPT: Final = Accept()


@dataclass(frozen=True)
class Retry:
    """Wait ``seconds`` (None: the policy's back-off) and send the same request again.

    ``because`` says why, for the log and the final message; ``gap`` is the error class
    recorded when no attempt is left (`RateLimitedError` for rate limits).
    """

    seconds: float | None = None
    because: str = ""
    gap: type[CollectionError] = ApiError


@dataclass(frozen=True)
class Renew:
    """The token was refused as expired: renew it and send the request again, once."""

    because: str = "the token expired"


Decision = Union[Accept, Retry, Renew, CollectionError, AuthenticationError]  # noqa: UP007
DecisionTable = Callable[[Answer, Attempt], Decision]
"""``decide(answer, attempt) -> Decision``: one platform's rules for its answers."""


def retry_after(answer: Answer, now: datetime | None = None) -> float | None:
    """Seconds the ``Retry-After`` header asks to wait (delay-seconds or HTTP-date).

    RFC 9110 section 10.2.3. A date in the past means "now" (0); a missing or garbled
    header gives None. Capping is the retry core's job.
    """
    raw = answer.header("Retry-After")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        seconds = None
    if seconds is not None:
        return seconds if seconds >= 0 and seconds == seconds else None  # NaN check
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    current = now or datetime.now(timezone.utc)
    return max(0.0, (when - current).total_seconds())
