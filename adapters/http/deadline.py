"""The whole-scan deadline (``crmscan scan --timeout SECONDS``).

`CollectionScope.deadline` carries the instant (``time.monotonic()``) by which the
collection must end. Every request checks it before it is sent, bounds its timeouts by
what is left, and every wait between retries is refused when it would pass it; past it,
each remaining call raises `DeadlineReachedError` at once, so the adapter records the
remaining collections as ``api_error`` gaps and the scan reports instead of hanging.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from scanner.adapter_api import CollectionScope
from scanner.errors import DeadlineReachedError

Clock = Callable[[], float]

#: Never hand a transport a timeout smaller than this (0 would mean "no timeout" to some).
MIN_TIMEOUT_SECONDS = 0.05


class Deadline:
    """An instant on ``clock`` after which no request is sent; None = no deadline."""

    def __init__(self, at: float | None = None, clock: Clock = time.monotonic) -> None:
        self.at = at
        self._clock = clock

    @classmethod
    def after(cls, seconds: float | None, clock: Clock = time.monotonic) -> Deadline:
        """A deadline ``seconds`` from now (None: none)."""
        return cls(None if seconds is None else clock() + seconds, clock)

    @classmethod
    def of(cls, scope: CollectionScope) -> Deadline:
        """The deadline the scan's `CollectionScope` carries."""
        return cls(scope.deadline)

    def remaining(self) -> float | None:
        """Seconds left (never negative), or None without a deadline."""
        if self.at is None:
            return None
        return max(0.0, self.at - self._clock())

    def expired(self) -> bool:
        """True once the deadline has passed."""
        return self.at is not None and self._clock() >= self.at

    def check(self, what: str) -> None:
        """Raise `DeadlineReachedError` for ``what`` once the deadline has passed."""
        if self.expired():
            raise self.reached(what)

    def reached(self, what: str, doing: str = "") -> DeadlineReachedError:
        """The error that says ``what`` was not collected because time ran out."""
        during = f" {doing}" if doing else ""
        return DeadlineReachedError(
            f"{what}: not collected: the scan deadline (--timeout) was reached{during}"
        )

    def bound(self, timeout: float | None) -> float | None:
        """``timeout`` shortened to the time left, so a hung call ends at the deadline."""
        left = self.remaining()
        if left is None:
            return timeout
        left = max(left, MIN_TIMEOUT_SECONDS)
        return left if timeout is None else min(timeout, left)

    def allows_wait(self, seconds: float) -> bool:
        """True when waiting ``seconds`` still ends before the deadline."""
        left = self.remaining()
        return left is None or seconds < left
