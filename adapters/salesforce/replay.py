"""Record the HTTP exchanges of a scan, and replay them offline for ``crmscan demo``.

A recording is JSON: the instance it was made against, the scope, the ``anchor``
time, and each response keyed by method, path and query (plus a hash of the body for
POSTs). On replay every Salesforce datetime in a body is moved forward by the time
passed since the anchor, so "last login 200 days ago" stays 200 days ago.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

RECORDING_FORMAT = 1
_SF_DATETIME = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000")
_KEPT_HEADERS = ("Content-Type", "Sforce-Limit-Info")


def request_key(method: str, url: str, body: bytes | str | None) -> str:
    """The recording key of a request: host-independent."""
    parts = urlsplit(url)
    key = f"{method} {parts.path}"
    if parts.query:
        key += "?" + unquote_plus(parts.query)
    if body:
        data = body.encode() if isinstance(body, str) else body
        key += " #" + hashlib.sha256(data).hexdigest()[:16]
    return key


class RecordingAdapter(BaseAdapter):
    """Passes requests to ``inner`` and keeps every response it returns."""

    def __init__(self, inner: BaseAdapter) -> None:
        super().__init__()
        self.inner = inner
        self.entries: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def send(
        self,
        request: requests.PreparedRequest,
        *args: Any,
        **kwargs: Any,
    ) -> requests.Response:
        """Send through ``inner`` and record the answer."""
        key = request_key(request.method or "GET", request.url or "", request.body)
        response = self.inner.send(request, *args, **kwargs)
        entry = {
            "status": response.status_code,
            "headers": {h: response.headers[h] for h in _KEPT_HEADERS if h in response.headers},
            "body": response.content.decode("utf-8"),
        }
        with self._lock:
            self.entries[key] = entry
        return response

    def close(self) -> None:
        """Close ``inner``."""
        self.inner.close()

    def dump(self, path: Path, meta: Mapping[str, Any]) -> None:
        """Write the recording to ``path``."""
        data = {"format": RECORDING_FORMAT, **meta, "responses": dict(sorted(self.entries.items()))}
        path.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", encoding="utf-8")


class ReplayAdapter(BaseAdapter):
    """Answers requests from a recording; a request it has no answer for gets a 404."""

    def __init__(self, recording: Mapping[str, Any], now: datetime | None = None) -> None:
        super().__init__()
        self.responses: Mapping[str, Any] = recording["responses"]
        anchor = datetime.fromisoformat(recording["anchor"])
        # Whole days, so times of day (and hourly buckets) stay as recorded.
        self.shift = timedelta(days=((now or datetime.now(timezone.utc)) - anchor).days)
        self.misses: list[str] = []

    def _shifted(self, body: bytes) -> bytes:
        if not self.shift:
            return body

        def move(match: re.Match[bytes]) -> bytes:
            moment = datetime.strptime(match.group().decode(), "%Y-%m-%dT%H:%M:%S.000%z")
            return (moment + self.shift).strftime("%Y-%m-%dT%H:%M:%S.000+0000").encode()

        return _SF_DATETIME.sub(move, body)

    def send(
        self,
        request: requests.PreparedRequest,
        *args: Any,
        **kwargs: Any,
    ) -> requests.Response:
        """The recorded response to ``request``."""
        key = request_key(request.method or "GET", request.url or "", request.body)
        entry = self.responses.get(key)
        response = requests.Response()
        response.request = request
        response.url = request.url or ""
        if entry is None:
            self.misses.append(key)
            response.status_code = 404
            response.headers = CaseInsensitiveDict({"Content-Type": "application/json"})
            response._content = json.dumps(
                [{"message": "not in the demo recording", "errorCode": "NOT_FOUND"}]
            ).encode()
            return response
        response.status_code = entry["status"]
        response.headers = CaseInsensitiveDict(entry["headers"])
        response._content = self._shifted(entry["body"].encode("utf-8"))
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        """Nothing to close."""
