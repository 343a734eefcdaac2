"""Reads from one org through simple-salesforce: pagination, retries, limits, errors.

Every failure leaves here as a `scanner.errors.CollectionError` subclass whose message
quotes only the Salesforce ``errorCode`` and message, never a URL or header, so that
callers can put it straight into a gap.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceError

from scanner.errors import (
    ApiError,
    ApiReserveReachedError,
    CollectionError,
    MalformedResponseError,
    NotAvailableError,
    PermissionMissingError,
    RateLimitedError,
)
from scanner.redact import redact

_log = logging.getLogger(__name__)

METADATA_NS = "http://soap.sforce.com/2006/04/metadata"
_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/"
_LIMIT_INFO = re.compile(r"api-usage=(\d+)/(\d+)")
_NO_SUCH_COLUMN = re.compile(r"No such column '(\w+)'")
#: "In each REST call, the maximum length for the combined URI and headers is 16,384
#: bytes" (414 URI Too Long / 431 Request Header Fields Too Large; docs/api/salesforce.md).
#: A query's field list is split so that each request line stays under this budget,
#: which leaves room for the headers (Authorization, User-Agent, Accept...).
URI_BUDGET = 12_000
#: Transient answers worth another try: 429 (rate limited with Retry-After), 5xx.
_TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
_MAX_RETRY_AFTER = 60.0

_PERMISSION_CODES = {
    "INSUFFICIENT_ACCESS",
    "INSUFFICIENT_ACCESS_OR_READONLY",
    "API_DISABLED_FOR_ORG",
    "API_CURRENTLY_DISABLED",
}
_MISSING_CODES = {
    "INVALID_TYPE",
    "INVALID_FIELD",
    "NOT_FOUND",
    "FUNCTIONALITY_NOT_ENABLED",
    "INVALID_OPERATION",
}


class SessionInvalidError(ApiError):
    """The org rejected the session (401 INVALID_SESSION_ID)."""


class UnreachableError(ApiError):
    """No connection to the org could be made before it had answered anything."""


@dataclass
class Usage:
    """API calls this scan made and the org's daily allowance as last reported."""

    requests: int = 0
    daily_used: int | None = None
    daily_limit: int | None = None


class SfClient:
    """Read-only calls against one org, with retries and the API reserve enforced.

    The retry loop lives in `_call` and only there; what is worth retrying, and after
    how long, is decided by `retry_decision` (the seam the shared ``adapters/http``
    retry core replaces once it is on main).
    """

    def __init__(
        self,
        sf: Salesforce,
        *,
        reserve_percent: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        timeout: float = 60.0,
    ) -> None:
        self.sf = sf
        self.reserve_percent = reserve_percent
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self.usage = Usage()
        self._answered = False  # the org has answered at least one request
        self._lock = threading.Lock()
        self._last = threading.local()  # this thread's last response's Retry-After
        # simple-salesforce asks for pretty-printed JSON; compact JSON is smaller to send.
        sf.headers.pop("X-PrettyPrint", None)
        sf.session.hooks.setdefault("response", []).append(self._on_response)

    # -- accounting --------------------------------------------------------------------
    def _on_response(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        with self._lock:
            self.usage.requests += 1
            self._answered = True
            self._last.retry_after = response.headers.get("Retry-After")
            match = _LIMIT_INFO.search(response.headers.get("Sforce-Limit-Info", ""))
            if match:
                # Responses of concurrent requests arrive out of order; usage only grows.
                used, limit = map(int, match.groups())
                self.usage.daily_used = max(used, self.usage.daily_used or 0)
                self.usage.daily_limit = limit

    def _check_reserve(self) -> None:
        with self._lock:
            used, limit = self.usage.daily_used, self.usage.daily_limit
        if used is None or not limit:
            return
        if limit - used <= limit * self.reserve_percent / 100:
            raise ApiReserveReachedError(
                f"stopped at {used}/{limit} daily API calls to keep the "
                f"{self.reserve_percent:g}% reserve"
            )

    @property
    def _timeouts(self) -> tuple[float, float]:
        # A short connect timeout: an unreachable host fails fast, a slow query does not.
        return (min(5.0, self.timeout), self.timeout)

    # -- the one place HTTP errors are translated, and the one retry loop ---------------
    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        attempt = 0
        while True:
            self._check_reserve()
            self._last.retry_after = None
            try:
                return fn(*args, timeout=self._timeouts, **kwargs)
            except Exception as exc:  # noqa: BLE001 - classified below, re-raised as ours
                retry_after = getattr(self._last, "retry_after", None)
                failure, delay = retry_decision(exc, attempt, self.backoff, retry_after)
                if isinstance(exc, requests.ConnectionError) and not self._answered:
                    raise UnreachableError(
                        f"could not connect to the org ({type(exc).__name__})"
                    ) from None
            if delay is None or attempt >= self.retries:
                raise failure
            attempt += 1
            _log.debug("retrying in %.2fs after: %s", delay, failure)
            time.sleep(delay)

    # -- REST --------------------------------------------------------------------------
    def iter_query(
        self, soql: str, *, tooling: bool = False, expected: tuple[str, ...] = ()
    ) -> Iterator[dict[str, Any]]:
        """Every record of ``soql``, following ``nextRecordsUrl`` page by page.

        ``expected``: names every record must carry (the selected fields or aliases); a
        record without one is a malformed response, never a silently missing value. A
        ``nextRecordsUrl`` seen before, or a page that is not done but brings nothing,
        is a malformed response too (it would otherwise loop for ever).
        """
        path = "tooling/query/" if tooling else "query/"
        page = self._call(self.sf.restful, path, params={"q": soql})
        seen: set[str] = set()
        while True:
            if not isinstance(page, dict) or not isinstance(page.get("records"), list):
                raise MalformedResponseError("query result without a records array")
            for record in page["records"]:
                if not isinstance(record, dict):
                    raise MalformedResponseError("query result with a record that is not an object")
                record.pop("attributes", None)
                missing = [name for name in expected if name not in record]
                if missing:
                    raise MalformedResponseError(
                        f"query result record without the selected field {missing[0]}"
                    )
                yield record
            if page.get("done", True):
                return
            next_url = page.get("nextRecordsUrl")
            if not isinstance(next_url, str) or not next_url:
                raise MalformedResponseError("query result not done but without nextRecordsUrl")
            if next_url in seen:
                raise MalformedResponseError("query pagination repeated a nextRecordsUrl")
            if not page["records"]:
                raise MalformedResponseError("query pagination did not advance (empty page)")
            seen.add(next_url)
            page = self._call(self.sf.query_more, next_url, identifier_is_url=True)

    def _fits(self, soql: str, tooling: bool) -> bool:
        path = f"{self.sf.base_url}{'tooling/' if tooling else ''}query/?q="
        return len(path) + len(quote_plus(soql)) <= URI_BUDGET

    def query(
        self,
        obj: str,
        fields: list[str],
        where: str = "",
        *,
        tooling: bool = False,
        optional: tuple[str, ...] = (),
        suffix: str = "",
        required: tuple[str, ...] = ("Id",),
    ) -> list[dict[str, Any]]:
        """All records of ``obj``; ``optional`` fields are dropped if the org lacks them.

        ``required``: fields that must be non-null in every record (an Id the adapter keys
        by); a null there is a malformed response. A field list too long for one request
        URI is split across queries keyed by ``Id``, whatever the number of fields.
        """
        wanted = list(dict.fromkeys(list(fields) + list(optional)))
        while True:
            try:
                rows = self._query_split(obj, wanted, where, tooling, suffix)
            except NotAvailableError as exc:
                column = _NO_SUCH_COLUMN.search(str(exc))
                if column and column.group(1) in optional and column.group(1) in wanted:
                    wanted.remove(column.group(1))
                    continue
                raise
            for row in rows:
                for name in required:
                    if name in wanted and row.get(name) in (None, ""):
                        raise MalformedResponseError(f"{obj} record with a null {name}")
            return rows

    def _soql(self, obj: str, fields: list[str], where: str, suffix: str) -> str:
        soql = f"SELECT {', '.join(fields)} FROM {obj}"
        soql += f" WHERE {where}" if where else ""
        return soql + (f" {suffix}" if suffix else "")

    def _query_split(
        self, obj: str, fields: list[str], where: str, tooling: bool, suffix: str
    ) -> list[dict[str, Any]]:
        soql = self._soql(obj, fields, where, suffix)
        if self._fits(soql, tooling) or "Id" not in fields:
            return list(self.iter_query(soql, tooling=tooling, expected=tuple(fields)))
        # Too long for one URI: the same query in parts, each with the Id, joined by Id.
        rest = [f for f in fields if f != "Id"]
        chunks: list[list[str]] = [[]]
        for name in rest:
            trial = self._soql(obj, ["Id", *chunks[-1], name], where, suffix)
            if chunks[-1] and not self._fits(trial, tooling):
                chunks.append([])
            chunks[-1].append(name)
        merged: dict[str, dict[str, Any]] = {}
        for chunk in chunks:
            part = ["Id", *chunk]
            for row in self.iter_query(
                self._soql(obj, part, where, suffix), tooling=tooling, expected=tuple(part)
            ):
                key = row.get("Id")
                if not isinstance(key, str) or not key:
                    raise MalformedResponseError(f"{obj} record with a null Id")
                merged.setdefault(key, {}).update(row)
        incomplete = [r for r in merged.values() if len(r) < len(fields)]
        if incomplete:
            raise MalformedResponseError(
                f"{obj} records changed between the parts of a split query"
            )
        return list(merged.values())

    def describe(self, obj: str, *, tooling: bool = False) -> dict[str, Any]:
        """The describe result of ``obj``."""
        path = f"{'tooling/' if tooling else ''}sobjects/{obj}/describe"
        result = self._call(self.sf.restful, path)
        if not isinstance(result, dict) or not isinstance(result.get("fields"), list):
            raise MalformedResponseError(f"describe of {obj} has no fields array")
        return result

    # -- Metadata API (SOAP) -----------------------------------------------------------
    def _soap(self, operation: str) -> ET.Element:
        envelope = (
            f'<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope xmlns:soapenv="{_ENV_NS}" '
            f'xmlns:met="{METADATA_NS}"><soapenv:Header><met:SessionHeader><met:sessionId>'
            f"{escape(self.sf.session_id)}</met:sessionId></met:SessionHeader></soapenv:Header>"
            f"<soapenv:Body>{operation}</soapenv:Body></soapenv:Envelope>"
        )

        def post(timeout: tuple[float, float]) -> requests.Response:
            response = self.sf.session.post(
                self.sf.metadata_url,
                data=envelope.encode(),
                timeout=timeout,
                headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'},
            )
            if response.status_code >= 400 and b"faultcode" not in response.content:
                raise _HttpStatusError(response.status_code, response.headers.get("Retry-After"))
            return response

        response = self._call(post)
        try:
            root = ET.fromstring(response.content)
        except ET.ParseError:
            raise MalformedResponseError("the Metadata API answered with invalid XML") from None
        fault = root.find(f".//{{{_ENV_NS}}}Fault")
        if fault is not None:
            # faultcode / faultstring are unqualified, or in the body's default namespace
            parts = {child.tag.split("}")[-1]: (child.text or "") for child in fault}
            code = parts.get("faultcode", "").split(":")[-1]
            raise _classify(code, parts.get("faultstring", ""))
        return root

    def read_metadata(self, kind: str, names: list[str]) -> list[ET.Element]:
        """``readMetadata`` in batches of ten: the ``records`` elements found."""
        out: list[ET.Element] = []
        for start in range(0, len(names), 10):
            members = "".join(
                f"<met:fullNames>{escape(n)}</met:fullNames>" for n in names[start : start + 10]
            )
            root = self._soap(
                f"<met:readMetadata><met:type>{kind}</met:type>{members}</met:readMetadata>"
            )
            out.extend(root.iter(f"{{{METADATA_NS}}}records"))
        return out

    def list_metadata(self, kind: str) -> list[str]:
        """Full names of every component of ``kind``."""
        root = self._soap(
            f"<met:listMetadata><met:queries><met:type>{kind}</met:type>"
            "</met:queries><met:asOfVersion>"
            f"{self.sf.sf_version}</met:asOfVersion></met:listMetadata>"
        )
        return [e.text or "" for e in root.iter(f"{{{METADATA_NS}}}fullName")]

    def list_metadata_ids(self, kind: str) -> dict[str, str]:
        """``{fullName: id}`` of every component of ``kind`` (FileProperties)."""
        root = self._soap(
            f"<met:listMetadata><met:queries><met:type>{kind}</met:type>"
            "</met:queries><met:asOfVersion>"
            f"{self.sf.sf_version}</met:asOfVersion></met:listMetadata>"
        )
        out = {}
        for result in root.iter(f"{{{METADATA_NS}}}result"):
            name = result.findtext(f"{{{METADATA_NS}}}fullName")
            ident = result.findtext(f"{{{METADATA_NS}}}id")
            if not name or not ident:
                raise MalformedResponseError(f"listMetadata of {kind} without fullName or id")
            out[name] = ident
        return out


class _HttpStatusError(Exception):
    def __init__(self, status: int, retry_after: str | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.retry_after = retry_after


def _retry_after(value: Any) -> float | None:
    """Seconds from a Retry-After header (delta-seconds form), capped."""
    try:
        seconds = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return min(max(seconds, 0.0), _MAX_RETRY_AFTER)


def retry_decision(
    exc: BaseException, attempt: int, backoff: float, retry_after: str | None = None
) -> tuple[CollectionError, float | None]:
    """Salesforce's decision table: the gap-ready error for ``exc``, and the delay
    before another try (None: do not retry).

    Timeouts, dropped connections, HTTP 429 and 5xx are transient (429 honours
    Retry-After); every other answer (401, 403 INSUFFICIENT_ACCESS or
    REQUEST_LIMIT_EXCEEDED for the daily allowance, 400 INVALID_FIELD, ...) is final.
    """
    backoff_delay = backoff * (2**attempt)
    if isinstance(exc, (requests.Timeout, requests.ConnectionError)):
        return ApiError(f"no answer from the org ({type(exc).__name__})"), backoff_delay
    if isinstance(exc, _HttpStatusError):
        failure: CollectionError = (
            RateLimitedError(f"the org answered HTTP {exc.status}")
            if exc.status == 429
            else ApiError(f"the org answered HTTP {exc.status}")
        )
        if exc.status not in _TRANSIENT_STATUSES:
            return failure, None
        wait = _retry_after(exc.retry_after or retry_after)
        return failure, backoff_delay if wait is None else wait
    if isinstance(exc, SalesforceError):
        failure = _translate(exc)
        if exc.status not in _TRANSIENT_STATUSES:
            return failure, None
        wait = _retry_after(retry_after)
        return failure, backoff_delay if wait is None else wait
    if isinstance(exc, ValueError):  # JSON decoding: truncated or not JSON at all
        return MalformedResponseError("the org answered with invalid JSON"), None
    raise exc


def _classify(code: str, message: str) -> CollectionError:
    detail = redact(f"{code}: {message}".strip())[:300]
    if code == "INVALID_SESSION_ID":
        return SessionInvalidError(detail)
    if code == "REQUEST_LIMIT_EXCEEDED":
        return RateLimitedError(detail)
    if code in _PERMISSION_CODES:
        return PermissionMissingError(detail)
    if code in _MISSING_CODES:
        return NotAvailableError(detail)
    return ApiError(detail)


def _translate(exc: SalesforceError) -> CollectionError:
    content = exc.content
    code, message = f"HTTP {exc.status}", ""
    if isinstance(content, list) and content and isinstance(content[0], dict):
        code = str(content[0].get("errorCode") or code)
        message = " ".join(str(content[0].get("message") or "").split())
    elif exc.status == 401:
        code = "INVALID_SESSION_ID"
    if exc.status == 429:
        return RateLimitedError(redact(f"HTTP 429 {code}: {message}".strip())[:300])
    return _classify(code, message)
