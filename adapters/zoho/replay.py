"""Record a scan's HTTP exchanges, and replay them offline for ``crmscan demo``.

A recording is JSON: the anchor time, the scope, the transport facts, and each answer
keyed by method, path and query (host-independent; request bodies are not part of the
key, so no credential is ever written into a recording). On replay every Zoho timestamp
in a body moves forward by the whole days passed since the anchor, so "invited 200 days
ago" stays 200 days ago.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx

RECORDING_FORMAT = 1
#: Zoho writes ``2023-04-12T02:08:05-07:00``.
_ZOHO_TIME = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")
_KEPT_HEADERS = ("Content-Type", "Retry-After")


def request_key(method: str, url: httpx.URL) -> str:
    """The recording key of a request: method, path and sorted query."""
    key = f"{method} {url.path}"
    query = sorted(parse_qsl(url.query.decode("ascii"), keep_blank_values=True))
    if query:
        key += "?" + "&".join(f"{k}={v}" for k, v in query)
    return key


class RecordingTransport(httpx.BaseTransport):
    """Passes requests to ``inner`` and keeps every answer."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.entries: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send through ``inner`` and record the answer."""
        response = self.inner.handle_request(request)
        body = response.read()
        entry = {
            "status": response.status_code,
            "headers": {h: response.headers[h] for h in _KEPT_HEADERS if h in response.headers},
            "body": body.decode("utf-8"),
        }
        with self._lock:
            self.entries[request_key(request.method, request.url)] = entry
        return httpx.Response(
            response.status_code, headers=response.headers, content=body, request=request
        )

    def close(self) -> None:
        """Close ``inner``."""
        self.inner.close()

    def dump(self, path: Path, meta: Mapping[str, Any]) -> None:
        """Write the recording to ``path``."""
        data = {"format": RECORDING_FORMAT, **meta, "responses": dict(sorted(self.entries.items()))}
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


class ReplayTransport(httpx.BaseTransport):
    """Answers from a recording; a request it has no answer for gets Zoho's 404."""

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
            moment = datetime.fromisoformat(match.group().decode())
            return (moment + self.shift).isoformat().encode()

        return _ZOHO_TIME.sub(move, body)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """The recorded answer to ``request``."""
        key = request_key(request.method, request.url)
        entry = self.responses.get(key)
        if entry is None:
            self.misses.append(key)
            body = {
                "code": "INVALID_URL_PATTERN",
                "details": {},
                "message": "not in the demo recording",
                "status": "error",
            }
            return httpx.Response(404, json=body, request=request)
        content = self._shifted(entry["body"].encode("utf-8"))
        return httpx.Response(
            entry["status"], headers=entry["headers"], content=content, request=request
        )
