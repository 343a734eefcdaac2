"""The one retry loop every transport sends through (httpx, urllib3, requests).

`RetryCore.send` calls a transport's ``send_once`` (one request, no retries of its own),
shows each `Answer` to the response observers, asks the platform's decision table what
it means, and then returns it, waits and sends again, renews the token, or raises the
gap's error. It knows nothing about httpx: a transport plugs in by returning an `Answer`
(status, headers, body) or raising `TransportFailure` when nothing answered.

It also enforces what holds for every platform:

- waits are exponential back-off or what the table asks (``Retry-After``), capped by
  `RetryPolicy.max_wait`, and never past the scan deadline;
- a connection failure (DNS, refused, TLS handshake, connect timeout) before any call of
  the scan succeeded is `UnreachableHostError` at once: nothing can be scanned, and
  retrying would only delay the same answer;
- a timed-out answer is retried at most `RetryPolicy.timeout_attempts` times (a hung
  endpoint rarely recovers), other transport failures `max_attempts` times;
- a circuit breaker per host: once a call to a host has ended in read timeouts on every
  attempt, the host is taken as hung and every later call to it fails at once with an
  `ApiError` naming the hang, so a hung host costs the scan one call's worth of timeouts
  instead of that much per call (`RetryCore.hang_of` tells callers that probe the host
  themselves, such as the TLS probe);
- past the deadline every call raises `DeadlineReachedError` before it is sent;
- messages go through `scanner.redact.redact`.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from adapters.http.answers import (
    Accept,
    Answer,
    Attempt,
    DecisionTable,
    Renew,
    Retry,
)
from adapters.http.deadline import Deadline
from scanner.errors import (
    ApiError,
    UnreachableHostError,
)
from scanner.evidence import raw
from scanner.model.inventory import ApiUsage, Inventory
from scanner.redact import redact

_log = logging.getLogger(__name__)

Sleep = Callable[[float], None]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry."""

    #: Attempts per request (first try included) before a `Retry` becomes its gap.
    max_attempts: int = 5
    #: First back-off step; doubles per attempt.
    base_backoff: float = 0.5
    #: Never wait longer than this between two attempts, whatever the server asks.
    max_wait: float = 30.0
    #: Attempts for a request whose answer timed out.
    timeout_attempts: int = 2

    def backoff(self, attempt: int) -> float:
        """Exponential back-off after attempt ``attempt`` (1-based), capped."""
        return float(min(self.base_backoff * (2 ** (attempt - 1)), self.max_wait))


@dataclass
class RequestStats:
    """What one scan asked of a platform; shared by all its transports. Thread-safe.

    ``requests`` counts every request sent (retries included): it is what goes into
    ``Inventory.api_usage.requests``. ``accepted`` tells the core whether a connection
    failure or a 401 is the scan's first answer. ``pages`` counts result pages per
    collection (benchmarks compare it with the minimum).
    """

    requests: int = 0
    accepted: int = 0
    retries: int = 0
    renewals: int = 0
    pages: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(
        default_factory=threading.Lock, repr=False, compare=False, init=False
    )

    def sent(self) -> None:
        """Count one request sent."""
        with self._lock:
            self.requests += 1

    def accept(self) -> None:
        """Count one accepted answer."""
        with self._lock:
            self.accepted += 1

    def retried(self) -> None:
        """Count one retry."""
        with self._lock:
            self.retries += 1

    def renewed(self) -> None:
        """Count one token renewal forced by the server."""
        with self._lock:
            self.renewals += 1

    def page(self, collection: str) -> None:
        """Count one page of ``collection``."""
        with self._lock:
            self.pages[collection] = self.pages.get(collection, 0) + 1

    def record_into(self, inventory: Inventory) -> None:
        """Put the request count into ``inventory.api_usage`` (created if missing)."""
        if inventory.api_usage is None:
            inventory.api_usage = ApiUsage()
        inventory.api_usage.requests = self.requests


@dataclass(frozen=True)
class Exchange:
    """One answer as it enters the process: what every response observer receives.

    This is the one seam where every response body passes, for every transport:
    request counting, recording raw responses as evidence, and redacting what the
    server echoed all hook in here (`RetryCore.observe`).
    """

    what: str
    method: str
    url: str
    attempt: int
    answer: Answer
    elapsed: float
    #: The collection the adapter was reading when it sent the request
    #: (`scanner.evidence.raw.collecting`); None for token requests and unnamed calls.
    collection: str | None = None


ResponseObserver = Callable[[Exchange], "Answer | None"]
"""Sees each `Exchange`; returning an `Answer` replaces it for later observers, the
decision table and the caller (None: keep it). Observers run in the order added."""


class TransportFailure(Exception):
    """The request got no HTTP answer.

    ``connect``: it never reached the server (DNS, refused, TLS handshake, connect
    timeout). ``timeout``: the server took the request but did not answer in time (a
    read timeout; a connect timeout is ``connect``).
    """

    def __init__(
        self, kind: str, detail: str, *, connect: bool = False, timeout: bool = False
    ) -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail
        self.connect = connect
        self.timeout = timeout


class RetryCore:
    """The retry loop, with the state one scan's transports share.

    ``before_send`` runs before every attempt with the call's description (HubSpot
    refuses there when the daily allowance is down to the reserve).
    """

    def __init__(
        self,
        *,
        policy: RetryPolicy | None = None,
        stats: RequestStats | None = None,
        deadline: Deadline | None = None,
        sleep: Sleep = time.sleep,
        observers: Iterable[ResponseObserver] = (),
        before_send: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self.stats = stats if stats is not None else RequestStats()
        self.deadline = deadline or Deadline()
        self.sleep = sleep
        self.before_send = before_send
        self._observers: list[ResponseObserver] = list(observers)
        self._clock = clock
        self._hung: dict[str, str] = {}
        self._hung_lock = threading.Lock()

    def hang_of(self, host: str) -> str | None:
        """Why ``host`` is taken as hung (the circuit breaker is open), or None."""
        with self._hung_lock:
            return self._hung.get(host)

    def _trip(self, host: str, why: str) -> None:
        with self._hung_lock:
            self._hung.setdefault(host, why)

    def observe(self, observer: ResponseObserver) -> None:
        """Show every later answer (of every transport using this core) to ``observer``.

        The SDK path (urllib3 inside hubspot-api-client) decodes its model before the core
        sees the answer: a replaced body there changes what is recorded, not what is read.
        """
        self._observers.append(observer)

    def send(
        self,
        send_once: Callable[[], Answer],
        decide: DecisionTable,
        *,
        what: str,
        host: str,
        method: str = "GET",
        url: str = "",
        renew: Callable[[], None] | None = None,
        capture: bool = True,
    ) -> Answer:
        """Send until ``decide`` accepts an answer; return it, or raise the gap's error.

        ``what`` describes the call for messages ("users page 3"); ``host`` names the
        server in connection errors. ``renew`` renews the token when the table answers
        `Renew` (None: the token cannot be renewed, so `Renew` is an `ApiError`).

        The final answer of the request (the accepted one, or the last one before the
        gap's error) goes to the raw evidence capture when one is active
        (`scanner.evidence.raw`), under the collection the adapter is reading;
        ``capture=False`` keeps it out (token requests).
        """
        collection = raw.current_collection() if capture else None
        final: list[Exchange] = []
        try:
            return self._send(
                send_once, decide, what=what, host=host, method=method, url=url,
                renew=renew, collection=collection, final=final,
            )  # fmt: skip
        finally:
            if final and collection is not None:
                last = final[-1]
                raw.record_exchange(
                    collection, last.method, last.url, last.answer.status, last.answer.body
                )

    def _send(
        self,
        send_once: Callable[[], Answer],
        decide: DecisionTable,
        *,
        what: str,
        host: str,
        method: str,
        url: str,
        renew: Callable[[], None] | None,
        collection: str | None,
        final: list[Exchange],
    ) -> Answer:
        renewed = False
        attempt = 0
        while True:
            attempt += 1
            self.deadline.check(what)
            hang = self.hang_of(host)
            if hang is not None:
                raise ApiError(redact(f"{what}: not sent: {hang}"))
            if self.before_send is not None:
                self.before_send(what)
            self.stats.sent()
            started = self._clock()
            try:
                answer = send_once()
            except TransportFailure as failure:
                self._after_failure(failure, attempt, what=what, host=host)
                continue
            exchange = Exchange(
                what, method, url, attempt, answer, self._clock() - started, collection
            )
            for observer in self._observers:
                replaced = observer(exchange)
                if replaced is not None:  # e.g. a body with echoed secrets scrubbed
                    answer = replaced
                    exchange = dataclasses.replace(exchange, answer=answer)
            final[:] = [exchange]
            last = attempt >= self.policy.max_attempts
            outcome = decide(answer, Attempt(attempt, self.stats.accepted == 0, last, what))
            if isinstance(outcome, Accept):
                self.stats.accept()
                return answer
            if isinstance(outcome, Renew):
                if renew is None or renewed:
                    again = " again after it was renewed" if renewed else ""
                    raise ApiError(redact(f"{what}: the server refused the token{again}: "
                                          f"{outcome.because}"))  # fmt: skip
                renewed = True
                self.stats.renewed()
                _log.info("%s: %s; renewing the token", what, outcome.because)
                renew()
                attempt -= 1  # a renewal is not a failed attempt
                continue
            if isinstance(outcome, Retry):
                because = outcome.because or f"HTTP {answer.status}"
                if last:
                    raise outcome.gap(
                        redact(f"{what}: {because}; gave up after {attempt} attempts")
                    )
                seconds = outcome.seconds
                wait = self.policy.backoff(attempt) if seconds is None else seconds
                self._wait(min(max(wait, 0.0), self.policy.max_wait), what, because)
                continue
            raise outcome

    def _after_failure(
        self, failure: TransportFailure, attempt: int, *, what: str, host: str
    ) -> None:
        """Decide about a request nothing answered: raise, or wait before the next try."""
        if self.deadline.expired():
            raise self.deadline.reached(what, "while waiting for an answer") from None
        detail = redact(str(failure))
        if failure.connect and self.stats.accepted == 0:
            raise UnreachableHostError(
                f"cannot connect to {host}: {detail}. Check the URL, DNS, proxy and "
                "firewall; TLS trust follows SSL_CERT_FILE / REQUESTS_CA_BUNDLE"
            ) from None
        limit = self.policy.timeout_attempts if failure.timeout else self.policy.max_attempts
        if attempt >= limit:
            if failure.timeout:
                self._trip(
                    host,
                    f"{host} stopped answering: {what} timed out waiting for an answer "
                    f"{attempt} times ({detail}), so no more calls are sent to it in this scan",
                )
            raise ApiError(
                f"{what}: no answer from {host} ({detail}) after {attempt} attempts"
            ) from None
        self._wait(self.policy.backoff(attempt), what, failure.kind)

    def _wait(self, seconds: float, what: str, why: str) -> None:
        if not self.deadline.allows_wait(seconds):
            raise self.deadline.reached(what, f"({why}; a {seconds:g} s wait would pass it)")
        self.stats.retried()
        _log.info("%s: %s; retrying in %.2fs", what, redact(why), seconds)
        self.sleep(seconds)
