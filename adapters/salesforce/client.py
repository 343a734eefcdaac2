"""Reads from one org through simple-salesforce's session: pagination, limits, errors.

Every request goes through the shared retry core (`adapters.http.RetryCore`) with
Salesforce's decision table (`adapters.salesforce.wire`): the core owns the loop
(back-off, ``Retry-After``, the scan deadline, unreachable hosts, request counting);
this module sends one request at a time over simple-salesforce's ``requests`` session
(its headers, instance and API version) and turns the answer into records.

Every failure leaves here as a `scanner.errors.CollectionError` subclass whose message
quotes only the Salesforce ``errorCode`` and message, never a URL or header, so that
callers can put it straight into a gap.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus, urlencode, urlsplit
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

import requests
from simple_salesforce.api import Salesforce

from adapters.http import (
    Answer,
    Deadline,
    DecisionTable,
    Exchange,
    RequestStats,
    RetryCore,
    Sleep,
    TransportFailure,
)
from adapters.salesforce import wire
from adapters.salesforce.wire import SessionInvalidError
from scanner.errors import (
    ApiReserveReachedError,
    MalformedResponseError,
    NotAvailableError,
    UnreachableHostError,
)

__all__ = ["METADATA_NS", "SessionInvalidError", "SfClient", "UnreachableError", "Usage"]

_log = logging.getLogger(__name__)

METADATA_NS = "http://soap.sforce.com/2006/04/metadata"
_ENV_NS = wire.SOAP_ENV_NS
_LIMIT_INFO = re.compile(r"api-usage=(\d+)/(\d+)")
_NO_SUCH_COLUMN = re.compile(r"No such column '(\w+)'")
#: "In each REST call, the maximum length for the combined URI and headers is 16,384
#: bytes" (414 URI Too Long / 431 Request Header Fields Too Large; docs/api/salesforce.md).
#: A query's field list is split so that each request line stays under this budget,
#: which leaves room for the headers (Authorization, User-Agent, Accept...).
URI_BUDGET = 12_000
#: Seconds to wait for a connection: an unreachable host fails fast, a slow query does not.
CONNECT_TIMEOUT = 5.0

#: No connection to the org could be made before it had answered anything.
UnreachableError = UnreachableHostError


def _is_scalar(value: object) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


@dataclass
class Usage:
    """API calls this scan made and the org's daily allowance as last reported."""

    requests: int = 0
    daily_used: int | None = None
    daily_limit: int | None = None


class SfClient:
    """Read-only calls against one org, with the API reserve enforced.

    The retry loop is the shared core's; ``retries`` and ``backoff`` fill Salesforce's
    `adapters.http.RetryPolicy` (`wire.policy`), ``timeout`` is each request's read
    timeout (bounded by ``deadline``, the scan's ``--timeout``).
    """

    def __init__(
        self,
        sf: Salesforce,
        *,
        reserve_percent: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        timeout: float = 60.0,
        deadline: Deadline | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        self.sf = sf
        self.reserve_percent = reserve_percent
        self.timeout = timeout
        self.stats = RequestStats()
        self._daily: tuple[int, int] | None = None
        self._lock = threading.Lock()
        self.core = RetryCore(
            policy=wire.policy(retries, backoff),
            stats=self.stats,
            deadline=deadline,
            before_send=self._check_reserve,
            sleep=sleep or time.sleep,
        )
        self.core.observe(self._on_answer)
        self._host = urlsplit(sf.base_url).hostname or sf.sf_instance
        # simple-salesforce asks for pretty-printed JSON; compact JSON is smaller to send.
        sf.headers.pop("X-PrettyPrint", None)

    # -- accounting --------------------------------------------------------------------
    @property
    def usage(self) -> Usage:
        """Requests sent so far and the daily allowance the org last reported."""
        with self._lock:
            daily = self._daily
        return Usage(
            requests=self.stats.requests,
            daily_used=daily[0] if daily else None,
            daily_limit=daily[1] if daily else None,
        )

    @property
    def deadline(self) -> Deadline:
        """The scan deadline every request of this client respects."""
        return self.core.deadline

    def _on_answer(self, exchange: Exchange) -> None:
        match = _LIMIT_INFO.search(exchange.answer.header("Sforce-Limit-Info") or "")
        if match:
            used, limit = map(int, match.groups())
            with self._lock:
                # Answers of concurrent requests arrive out of order; usage only grows.
                before = self._daily[0] if self._daily else 0
                self._daily = (max(used, before), limit)

    def _check_reserve(self, what: str) -> None:
        with self._lock:
            daily = self._daily
        if daily is None or not daily[1]:
            return
        used, limit = daily
        if limit - used <= limit * self.reserve_percent / 100:
            raise ApiReserveReachedError(
                f"stopped at {used}/{limit} daily API calls to keep the "
                f"{self.reserve_percent:g}% reserve"
            )

    def _timeouts(self) -> tuple[float, float]:
        deadline = self.core.deadline
        connect = deadline.bound(min(CONNECT_TIMEOUT, self.timeout)) or CONNECT_TIMEOUT
        return connect, deadline.bound(self.timeout) or self.timeout

    # -- the one exchange: one request over the session, as an Answer ---------------------
    def _send(
        self,
        method: str,
        url: str,
        decide: DecisionTable,
        *,
        what: str,
        params: Mapping[str, str] | None = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        """Send one request through the retry core; the accepted `Answer`."""

        def once() -> Answer:
            try:
                response = self.sf.session.request(
                    method,
                    url,
                    params=params,
                    data=data,
                    headers=dict(headers if headers is not None else self.sf.headers),
                    timeout=self._timeouts(),
                    allow_redirects=False,
                )
            except requests.Timeout as exc:
                connect = isinstance(exc, requests.ConnectTimeout)
                raise TransportFailure(
                    type(exc).__name__, "", connect=connect, timeout=not connect
                ) from None
            except requests.ConnectionError as exc:
                raise TransportFailure(type(exc).__name__, "", connect=True) from None
            except requests.RequestException as exc:  # a broken body: chunking, decoding
                raise TransportFailure(type(exc).__name__, "") from None
            return Answer(response.status_code, dict(response.headers), response.content)

        shown = f"{url}?{urlencode(params)}" if params else url  # what the raw evidence shows
        return self.core.send(once, decide, what=what, host=self._host, method=method, url=shown)

    def _get_json(self, url: str, what: str, params: Mapping[str, str] | None = None) -> Any:
        answer = self._send("GET", url, wire.decide_rest, what=what, params=params)
        if not answer.body:
            raise MalformedResponseError(f"{what}: the org answered with an empty body")
        try:
            return answer.json(what)
        except MalformedResponseError:
            raise MalformedResponseError(f"{what}: the org answered with invalid JSON") from None

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
        what = _describe_query(soql)
        page = self._get_json(f"{self.sf.base_url}{path}", what, params={"q": soql})
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
                # Every field the adapter selects is a SOQL scalar (text, number, boolean
                # or null); an array or object in its place cannot be mapped.
                shaped = [name for name in expected if not _is_scalar(record[name])]
                if shaped:
                    raise MalformedResponseError(
                        f"query result record whose field {shaped[0]} is not a scalar value"
                    )
                yield record
            if page.get("done", True):
                return
            next_url = page.get("nextRecordsUrl")
            if not isinstance(next_url, str) or not next_url:
                raise MalformedResponseError("query result not done but without nextRecordsUrl")
            if not next_url.startswith("/services/data/"):
                raise MalformedResponseError("query pagination left the org's REST API path")
            if next_url in seen:
                raise MalformedResponseError("query pagination repeated a nextRecordsUrl")
            if not page["records"]:
                raise MalformedResponseError("query pagination did not advance (empty page)")
            seen.add(next_url)
            page = self._get_json(f"https://{self.sf.sf_instance}{next_url}", f"{what} (next page)")

    def count_query(self, soql: str) -> int:
        """The ``totalSize`` of a ``SELECT COUNT() ...`` query; it returns no records."""
        what = _describe_query(soql) + " (count)"
        page = self._get_json(f"{self.sf.base_url}query/", what, params={"q": soql})
        total = page.get("totalSize") if isinstance(page, dict) else None
        if not isinstance(total, int) or isinstance(total, bool) or total < 0:
            raise MalformedResponseError(f"{what}: the answer has no totalSize count")
        if page.get("records"):
            raise MalformedResponseError(f"{what}: a COUNT() answer carried records")
        return total

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
        result = self._get_json(f"{self.sf.base_url}{path}", f"describe {obj}")
        if not isinstance(result, dict) or not isinstance(result.get("fields"), list):
            raise MalformedResponseError(f"describe of {obj} has no fields array")
        return result

    # -- Metadata API (SOAP) -----------------------------------------------------------
    def _soap(self, operation: str, what: str) -> ET.Element:
        envelope = (
            f'<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope xmlns:soapenv="{_ENV_NS}" '
            f'xmlns:met="{METADATA_NS}"><soapenv:Header><met:SessionHeader><met:sessionId>'
            f"{escape(self.sf.session_id)}</met:sessionId></met:SessionHeader></soapenv:Header>"
            f"<soapenv:Body>{operation}</soapenv:Body></soapenv:Envelope>"
        )

        answer = self._send(
            "POST",
            self.sf.metadata_url,
            wire.decide_soap,
            what=f"Metadata API {what}",
            data=envelope.encode(),
            headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'},
        )
        try:
            root = ET.fromstring(answer.body or b"")
        except ET.ParseError:
            raise MalformedResponseError("the Metadata API answered with invalid XML") from None
        return root

    def read_metadata(self, kind: str, names: list[str]) -> list[ET.Element]:
        """``readMetadata`` in batches of ten: the ``records`` elements found."""
        out: list[ET.Element] = []
        for start in range(0, len(names), 10):
            members = "".join(
                f"<met:fullNames>{escape(n)}</met:fullNames>" for n in names[start : start + 10]
            )
            root = self._soap(
                f"<met:readMetadata><met:type>{kind}</met:type>{members}</met:readMetadata>",
                f"readMetadata {kind}",
            )
            out.extend(root.iter(f"{{{METADATA_NS}}}records"))
        return out

    def list_metadata(self, kind: str) -> list[str]:
        """Full names of every component of ``kind``."""
        root = self._soap(
            f"<met:listMetadata><met:queries><met:type>{kind}</met:type>"
            "</met:queries><met:asOfVersion>"
            f"{self.sf.sf_version}</met:asOfVersion></met:listMetadata>",
            f"listMetadata {kind}",
        )
        return [e.text or "" for e in root.iter(f"{{{METADATA_NS}}}fullName")]

    def list_metadata_ids(self, kind: str) -> dict[str, str]:
        """``{fullName: id}`` of every component of ``kind`` (FileProperties)."""
        root = self._soap(
            f"<met:listMetadata><met:queries><met:type>{kind}</met:type>"
            "</met:queries><met:asOfVersion>"
            f"{self.sf.sf_version}</met:asOfVersion></met:listMetadata>",
            f"listMetadata {kind}",
        )
        out = {}
        for result in root.iter(f"{{{METADATA_NS}}}result"):
            name = result.findtext(f"{{{METADATA_NS}}}fullName")
            ident = result.findtext(f"{{{METADATA_NS}}}id")
            if not name or not ident:
                raise MalformedResponseError(f"listMetadata of {kind} without fullName or id")
            out[name] = ident
        return out


def _describe_query(soql: str) -> str:
    """A short name of a query for messages: ``query <Object>`` (never its filter values)."""
    match = re.search(r"\bFROM\s+(\w+)", soql, re.IGNORECASE)
    return f"query {match.group(1)}" if match else "query"
