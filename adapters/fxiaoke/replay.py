"""Record a scan's exchanges with Fxiaoke, and replay them offline for ``crmscan demo``.

A recording is JSON: the anchor time it was made at, the adapter settings of the demo,
the TLS facts the probe found, and each answer keyed by path and a digest of the
request body (the ``thirdTraceId`` query differs on every request and is left out).
On replay every ``createTime`` (epoch milliseconds) is moved forward by the whole days
passed since the anchor, so "created 300 days ago" stays 300 days ago.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from scanner.adapter_api import AdapterSettings
from scanner.model.inventory import Transport

if TYPE_CHECKING:
    from adapters.fxiaoke.adapter import FxiaokeAdapter

RECORDING_FORMAT = 1
RECORDING = Path(__file__).with_name("demo") / "recording.json"
#: The demo's API host (a reserved .example name: the enterprise is fictional).
DEMO_BASE_URL = "https://open.fxiaoke.example"
#: The fictional app the sample enterprise is scanned with.
DEMO_SETTINGS = {
    "app_id": "FSAID_131a2b9",
    "app_secret": "0f6d1c2e4b7a48d9a3e5c6b1f2d3e4a5",
    "permanent_code": "B71C2D3E4F5A6B7C8D9E0F1A2B3C4D5E",
}


def request_key(method: str, path: str, body: bytes) -> str:
    """The recording key of a request: method, path and a digest of its JSON body."""
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True, ensure_ascii=False)
    except ValueError:
        canonical = body.decode("utf-8", errors="replace")
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
    return f"{method} {path} #{digest}"


class RecordingTransport(httpx.BaseTransport):
    """Passes requests to ``inner`` and keeps every answer."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.entries: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send through ``inner`` and record the answer."""
        body = request.read()
        response = self.inner.handle_request(request)
        content = response.read()
        key = request_key(request.method, request.url.path, body)
        entry = {"status": response.status_code, "body": json.loads(content)}
        with self._lock:
            self.entries[key] = entry
        return httpx.Response(response.status_code, headers=response.headers, content=content)

    def close(self) -> None:
        """Close ``inner``."""
        self.inner.close()

    def dump(self, path: Path, meta: Mapping[str, Any]) -> None:
        """Write the recording to ``path``."""
        data = {"format": RECORDING_FORMAT, **meta, "responses": dict(sorted(self.entries.items()))}
        text = json.dumps(data, indent=1, ensure_ascii=False, sort_keys=False)
        path.write_text(text + "\n", encoding="utf-8")


def _shift(value: Any, shift_ms: int) -> Any:
    """``value`` with every ``createTime`` moved by ``shift_ms``."""
    if isinstance(value, dict):
        return {
            k: (v + shift_ms if k == "createTime" and isinstance(v, int) else _shift(v, shift_ms))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_shift(item, shift_ms) for item in value]
    return value


class ReplayTransport(httpx.BaseTransport):
    """Answers requests from a recording; one it has no answer for gets errorCode 10006."""

    def __init__(self, recording: Mapping[str, Any], now: datetime | None = None) -> None:
        self.responses: Mapping[str, Any] = recording["responses"]
        anchor = datetime.fromisoformat(recording["anchor"])
        days = ((now or datetime.now(timezone.utc)) - anchor).days
        self.shift_ms = int(timedelta(days=days).total_seconds() * 1000)
        self.misses: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """The recorded answer to ``request``."""
        key = request_key(request.method, request.url.path, request.read())
        entry = self.responses.get(key)
        if entry is None:
            self.misses.append(key)
            body: Any = {
                "errorCode": 10006,
                "errorMessage": f"{request.url.path} is not in the demo recording",
                "traceId": "E-O.replay",
            }
            return httpx.Response(200, json=body)
        return httpx.Response(int(entry["status"]), json=_shift(entry["body"], self.shift_ms))


def load_recording(path: Path = RECORDING) -> dict[str, Any]:
    """The bundled recording."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != RECORDING_FORMAT:
        raise ValueError(f"{path}: unknown recording format {data.get('format')!r}")
    return data


def demo_adapter(cls: type[FxiaokeAdapter], now: datetime | None = None) -> FxiaokeAdapter:
    """An adapter scanning the bundled sample enterprise from its recording."""
    recording = load_recording()
    settings = AdapterSettings({**DEMO_SETTINGS, **recording["settings"]})
    transport = Transport.model_validate(recording["transport"])
    return cls(
        settings,
        transport=ReplayTransport(recording, now),
        recorded_transport=transport,
        clock=(lambda: now) if now is not None else (lambda: datetime.now(timezone.utc)),
    )
