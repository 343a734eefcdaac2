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


@dataclass
class Usage:
    """API calls this scan made and the org's daily allowance as last reported."""

    requests: int = 0
    daily_used: int | None = None
    daily_limit: int | None = None


class SfClient:
    """Read-only calls against one org, with retries and the API reserve enforced."""

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
        self._lock = threading.Lock()
        # simple-salesforce asks for pretty-printed JSON; compact JSON is smaller to send.
        sf.headers.pop("X-PrettyPrint", None)
        sf.session.hooks.setdefault("response", []).append(self._on_response)

    # -- accounting --------------------------------------------------------------------
    def _on_response(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        with self._lock:
            self.usage.requests += 1
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

    # -- the one place HTTP errors are translated ------------------------------------------
    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        attempt = 0
        while True:
            self._check_reserve()
            try:
                return fn(*args, timeout=self.timeout, **kwargs)
            except (requests.Timeout, requests.ConnectionError) as exc:
                failure: CollectionError = ApiError(
                    f"no answer from the org ({type(exc).__name__})"
                )
            except _HttpStatusError as exc:
                failure = ApiError(f"the org answered HTTP {exc.status}")
            except SalesforceError as exc:
                failure = _translate(exc)
                if not (isinstance(failure, ApiError) and exc.status >= 500):
                    raise failure from None
            except ValueError:  # JSON decoding: truncated or not JSON at all
                raise MalformedResponseError("the org answered with invalid JSON") from None
            if attempt >= self.retries:
                raise failure
            delay = self.backoff * (2**attempt)
            attempt += 1
            _log.debug("retrying in %.2fs after: %s", delay, failure)
            time.sleep(delay)

    # -- REST --------------------------------------------------------------------------
    def iter_query(self, soql: str, *, tooling: bool = False) -> Iterator[dict[str, Any]]:
        """Every record of ``soql``, following ``nextRecordsUrl`` page by page."""
        path = "tooling/query/" if tooling else "query/"
        page = self._call(self.sf.restful, path, params={"q": soql})
        while True:
            if not isinstance(page, dict) or not isinstance(page.get("records"), list):
                raise MalformedResponseError("query result without a records array")
            for record in page["records"]:
                record.pop("attributes", None)
                yield record
            if page.get("done", True):
                return
            next_url = page.get("nextRecordsUrl")
            if not isinstance(next_url, str):
                raise MalformedResponseError("query result not done but without nextRecordsUrl")
            page = self._call(self.sf.query_more, next_url, identifier_is_url=True)

    def query(
        self,
        obj: str,
        fields: list[str],
        where: str = "",
        *,
        tooling: bool = False,
        optional: tuple[str, ...] = (),
        suffix: str = "",
    ) -> list[dict[str, Any]]:
        """All records of ``obj``; ``optional`` fields are dropped if the org lacks them."""
        wanted = list(fields) + [f for f in optional if f not in fields]
        while True:
            soql = f"SELECT {', '.join(wanted)} FROM {obj}"
            soql += f" WHERE {where}" if where else ""
            soql += f" {suffix}" if suffix else ""
            try:
                return list(self.iter_query(soql, tooling=tooling))
            except NotAvailableError as exc:
                column = _NO_SUCH_COLUMN.search(str(exc))
                if column and column.group(1) in optional and column.group(1) in wanted:
                    wanted.remove(column.group(1))
                    continue
                raise

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

        def post(timeout: float) -> requests.Response:
            response = self.sf.session.post(
                self.sf.metadata_url,
                data=envelope.encode(),
                timeout=timeout,
                headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'},
            )
            if response.status_code >= 500 and b"faultcode" not in response.content:
                raise _HttpStatusError(response.status_code)
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


class _HttpStatusError(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


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
    return _classify(code, message)
