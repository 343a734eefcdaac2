"""Record a scan's HTTP exchanges, and replay them offline for ``crmscan demo``.

Both are `httpx.BaseTransport`s, so the demo runs the adapter's own code end to end:
MSAL's sign-in, the shared HTTP layer, paging, parsing, normalization. A recording is
JSON: the settings it was made with, the anchor time, the TLS facts of the endpoint,
and each response keyed by method, path and query (a token request also by its scope).
On replay every ISO timestamp in a body moves forward by the whole days passed since the
anchor, so "signed in 131 days ago" stays 131 days ago.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx

RECORDING_FORMAT = 1
KEPT_HEADERS = ("content-type", "retry-after", "preference-applied", "odata-version")
_TIMESTAMP = re.compile(rb'"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z"')


def request_key(method: str, url: httpx.URL, body: bytes) -> str:
    """Where a request's answer is kept: host-independent, query decoded."""
    key = f"{method} {url.path}"
    query = url.query.decode("ascii")
    if query:
        key += "?" + unquote(query)
    if method == "POST" and body:
        form = dict(parse_qsl(body.decode("utf-8", "replace")))
        if "scope" in form:
            key += f" #scope={form['scope']}"
    return key


class RecordingTransport(httpx.BaseTransport):
    """Sends through ``inner`` and keeps every answer."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.entries: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send, read the whole answer, record it, hand it back."""
        body = request.read()
        response = self.inner.handle_request(request)
        content = response.read()
        entry = {
            "status": response.status_code,
            "headers": {k: v for k, v in response.headers.items() if k.lower() in KEPT_HEADERS},
            "body": content.decode("utf-8"),
        }
        with self._lock:
            self.entries[request_key(request.method, request.url, body)] = entry
        return httpx.Response(
            response.status_code, headers=response.headers, content=content, request=request
        )

    def close(self) -> None:
        """Close ``inner``."""
        self.inner.close()

    def dump(self, path: Path, meta: Mapping[str, Any]) -> None:
        """Write the recording to ``path``."""
        data = {"format": RECORDING_FORMAT, **meta, "responses": dict(sorted(self.entries.items()))}
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


class ReplayTransport(httpx.BaseTransport):
    """Answers from a recording; a request it has no answer for gets a 404."""

    def __init__(self, recording: Mapping[str, Any], now: datetime | None = None) -> None:
        self.responses: Mapping[str, Any] = recording["responses"]
        anchor = datetime.fromisoformat(recording["anchor"])
        # Whole days, so times of day stay as recorded.
        self.shift = timedelta(days=((now or datetime.now(timezone.utc)) - anchor).days)
        self.misses: list[str] = []

    def _shifted(self, body: bytes) -> bytes:
        if not self.shift:
            return body

        def move(match: re.Match[bytes]) -> bytes:
            stamp = match.group(1).decode()
            if stamp.startswith("0001-"):
                return match.group(0)
            moment = datetime.fromisoformat(stamp).replace(tzinfo=timezone.utc) + self.shift
            return (
                b'"'
                + moment.strftime("%Y-%m-%dT%H:%M:%S").encode()
                + (match.group(2) or b"")
                + b'Z"'
            )

        return _TIMESTAMP.sub(move, body)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """The recorded answer to ``request``."""
        key = request_key(request.method, request.url, request.read())
        entry = self.responses.get(key)
        if entry is None:
            self.misses.append(key)
            body = {"error": {"code": "0x80060888", "message": "not in the demo recording"}}
            return httpx.Response(404, json=body, request=request)
        return httpx.Response(
            entry["status"],
            headers=entry["headers"],
            content=self._shifted(entry["body"].encode("utf-8")),
            request=request,
        )
