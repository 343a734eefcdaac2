"""The one HTTP layer every adapter sends through. See ``docs/http-layer.md``.

- `RetryCore` (`adapters.http.retry`): the retry loop, transport-agnostic (httpx,
  urllib3, requests): a per-platform decision table, back-off, ``Retry-After``, the
  scan deadline, unreachable-host detection, request counting, the response observers.
- `HttpClient` (`adapters.http.client`): httpx with HTTPS only, verified TLS, tokens,
  the read-only guard, timeouts, a concurrency cap, JSON decoding and next-link paging.
- `follow` / `numbered` (`adapters.http.paging`): paging loops with loop guards.
- `RenewingToken` / `StaticToken` (`adapters.http.auth`): tokens renewed before they lapse.
"""

from __future__ import annotations

from adapters.http.answers import (
    ACCEPT,
    Accept,
    Answer,
    Attempt,
    Decision,
    DecisionTable,
    Renew,
    Retry,
    retry_after,
)
from adapters.http.auth import IssuedToken, RenewingToken, StaticToken, TokenProvider
from adapters.http.body import as_dict, as_list, as_model, as_records, as_shaped, require
from adapters.http.client import HttpClient, Timeouts
from adapters.http.deadline import Deadline
from adapters.http.guard import AllowedCall, GuardedTransport, ReadOnlyGuard
from adapters.http.paging import MAX_PAGES, Page, PageGuard, follow, numbered
from adapters.http.retry import (
    Exchange,
    RequestStats,
    ResponseObserver,
    RetryCore,
    RetryPolicy,
    Sleep,
    TransportFailure,
)
from adapters.http.status import StatusTable
from adapters.http.tls import ca_bundle, require_https, trust

__all__ = [
    "ACCEPT",
    "MAX_PAGES",
    "Accept",
    "AllowedCall",
    "Answer",
    "Attempt",
    "Deadline",
    "Decision",
    "DecisionTable",
    "Exchange",
    "GuardedTransport",
    "HttpClient",
    "IssuedToken",
    "Page",
    "PageGuard",
    "ReadOnlyGuard",
    "Renew",
    "RenewingToken",
    "RequestStats",
    "ResponseObserver",
    "Retry",
    "RetryCore",
    "RetryPolicy",
    "Sleep",
    "StaticToken",
    "StatusTable",
    "Timeouts",
    "TokenProvider",
    "TransportFailure",
    "as_dict",
    "as_list",
    "as_model",
    "as_records",
    "as_shaped",
    "ca_bundle",
    "follow",
    "numbered",
    "require",
    "require_https",
    "retry_after",
    "trust",
]
