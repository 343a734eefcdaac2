"""Salesforce's decision table: what each answer of the REST and Metadata APIs means.

`SfClient` sends every request through the shared retry core (`adapters.http.RetryCore`)
and hands it `decide_rest` or `decide_soap`. The rules are data (`ERROR_CODES`,
`TRANSIENT_STATUSES`), taken from docs/api/salesforce.md:

* REST errors are a JSON list ``[{"errorCode": "...", "message": "..."}]``; Metadata API
  errors are SOAP faults (``faultcode`` / ``faultstring``, HTTP 500).
* 401 ``INVALID_SESSION_ID``: the session is wrong or expired (bad credentials on the
  scan's first call: `SessionInvalidError`, which ``fetch_tenant`` turns into an
  authentication error).
* 403 ``REQUEST_LIMIT_EXCEEDED``: the org's daily API allowance is used up; final (it
  resets over 24 hours), a ``rate_limited`` gap.
* 429 (concurrent-request limits) and 500/502/503/504: transient, retried with
  exponential back-off, or after ``Retry-After`` when the org sends one.
* ``INSUFFICIENT_ACCESS*``, ``API_DISABLED_FOR_ORG``: ``permission_missing``;
  ``INVALID_TYPE``, ``INVALID_FIELD``, ``NOT_FOUND``, ``FUNCTIONALITY_NOT_ENABLED``:
  ``not_available`` (the object, field or feature does not exist in this org or edition).

Every message quotes only the ``errorCode`` and message (redacted), never a URL or header.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from adapters.http import (
    ACCEPT,
    Answer,
    Attempt,
    Decision,
    Retry,
    RetryPolicy,
    retry_after,
)
from scanner.errors import (
    ApiError,
    CollectionError,
    NotAvailableError,
    PermissionMissingError,
    RateLimitedError,
)
from scanner.redact import redact

SOAP_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/"


class SessionInvalidError(ApiError):
    """The org rejected the session (401 INVALID_SESSION_ID)."""


#: errorCode / faultcode -> the gap it becomes. Anything else is an `ApiError`.
ERROR_CODES: dict[str, type[CollectionError]] = {
    "INVALID_SESSION_ID": SessionInvalidError,
    "REQUEST_LIMIT_EXCEEDED": RateLimitedError,
    "INSUFFICIENT_ACCESS": PermissionMissingError,
    "INSUFFICIENT_ACCESS_OR_READONLY": PermissionMissingError,
    "API_DISABLED_FOR_ORG": PermissionMissingError,
    "API_CURRENTLY_DISABLED": PermissionMissingError,
    "INVALID_TYPE": NotAvailableError,
    "INVALID_FIELD": NotAvailableError,
    "NOT_FOUND": NotAvailableError,
    "FUNCTIONALITY_NOT_ENABLED": NotAvailableError,
    "INVALID_OPERATION": NotAvailableError,
}
#: Answers worth another attempt (429 with its Retry-After; the server-side failures).
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Statuses whose last failed attempt is a rate limit, not an outage.
RATE_LIMIT_STATUSES = frozenset({429})
#: Never wait longer than this between two attempts, whatever Retry-After asks.
MAX_WAIT_SECONDS = 60.0
#: A request whose answer timed out is sent at most this often (a hung endpoint rarely
#: recovers; the scan deadline is better spent on the other collections).
TIMEOUT_ATTEMPTS = 2
_CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")


def policy(retries: int, backoff: float) -> RetryPolicy:
    """The retry policy: ``retries`` further attempts, back-off from ``backoff`` seconds."""
    attempts = max(1, retries + 1)
    return RetryPolicy(
        max_attempts=attempts,
        base_backoff=backoff,
        max_wait=MAX_WAIT_SECONDS,
        timeout_attempts=min(TIMEOUT_ATTEMPTS, attempts),
    )


def classify(code: str, message: str) -> CollectionError:
    """The gap-ready error for a Salesforce ``errorCode`` and its message."""
    detail = redact(f"{code}: {message}".strip())[:300]
    return ERROR_CODES.get(code, ApiError)(detail)


def rest_error(answer: Answer) -> tuple[str, str]:
    """(errorCode, message) of a REST error body; ``HTTP <status>`` when it has none."""
    code, message = f"HTTP {answer.status}", ""
    body = answer.json_or_none()
    first = body[0] if isinstance(body, list) and body else body
    if isinstance(first, dict):
        found = str(first.get("errorCode") or "")
        code = found if _CODE.match(found) else code
        message = " ".join(str(first.get("message") or "").split())
    elif answer.status == 401:
        code = "INVALID_SESSION_ID"
    return code, message


def _transient(answer: Answer, because: str) -> Retry:
    gap = RateLimitedError if answer.status in RATE_LIMIT_STATUSES else ApiError
    return Retry(retry_after(answer), because=redact(because)[:300], gap=gap)


def decide_rest(answer: Answer, attempt: Attempt) -> Decision:
    """Decide about an answer of the REST or Tooling API."""
    if answer.ok:
        return ACCEPT
    code, message = rest_error(answer)
    if answer.status in TRANSIENT_STATUSES:
        return _transient(answer, f"HTTP {answer.status} {code}: {message}".strip(" :"))
    return classify(code, message)


def soap_fault(answer: Answer) -> tuple[str, str] | None:
    """(faultcode without prefix, faultstring) of a SOAP fault body, or None."""
    body = answer.body
    if isinstance(body, str):
        body = body.encode()
    if not body or b"faultcode" not in body:
        return None
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    fault = root.find(f".//{{{SOAP_ENV_NS}}}Fault")
    if fault is None:
        return None
    # faultcode / faultstring are unqualified, or in the body's default namespace
    parts = {child.tag.split("}")[-1]: (child.text or "") for child in fault}
    return parts.get("faultcode", "").split(":")[-1], parts.get("faultstring", "")


def decide_soap(answer: Answer, attempt: Attempt) -> Decision:
    """Decide about an answer of the Metadata API (SOAP): a fault is final."""
    fault = soap_fault(answer)
    if fault is not None:
        return classify(*fault)
    if answer.ok:
        return ACCEPT
    if answer.status in TRANSIENT_STATUSES:
        return _transient(answer, f"the org answered HTTP {answer.status}")
    return ApiError(f"the org answered HTTP {answer.status}")
