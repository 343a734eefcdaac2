"""Raw API responses as evidence: what the adapter received, per collection, redacted.

When an evidence bundle is asked for, the pipeline collects inside ``capturing(capture)``
and every adapter's requests pass through the one retry core (`adapters.http.RetryCore`),
which hands the final answer of each request to `record_exchange`. The adapter says which
collection it is reading with ``collecting(name)`` (names from
`scanner.model.inventory.COLLECTIONS`, the ones its gaps use). Outside ``capturing``
nothing is kept: a scan without ``--evidence`` holds no raw body in memory.

File format (bundle-relative names, `RawCapture.files`): ``raw/<collection>.jsonl``, one
JSON object per response, in the order the answers arrived::

    {"collection": "users", "method": "GET", "path": "/services/data/v62.0/query?q=...",
     "status": 200, "received_at": "2026-12-01T13:40:00.123456+00:00", "body": {...}}

``path`` is the URL path and query (no scheme or host); ``body`` is the decoded JSON when
the body parses as JSON, else its text. Optional keys: ``"truncated": true`` when the body
was larger than `MAX_BODY_BYTES` (``body`` then says so in text). Request headers and
request bodies are never stored.

Redaction, before a line is kept:

* every string (keys and values) goes through `scanner.redact.redact` (registered
  secrets in all their encoded forms, token shapes);
* string values under token-bearing keys (`SECRET_KEYS`: ``access_token``,
  ``refresh_token``, ``sessionId``, ``client_secret``, ``password``...) become
  ``[REDACTED]`` whatever they hold; so do query parameters of those names and XML
  elements of those names in text bodies (a SOAP ``<sessionId>``).

Personal data is kept as the CRM returned it (that is the evidence).

Bounds: one body is kept up to `MAX_BODY_BYTES`; the whole capture up to `MAX_TOTAL_BYTES`
(later responses are counted in `RawCapture.dropped`, not kept). Lines are spooled to a
temporary file once a collection holds more than `SPOOL_BYTES`.

Record pointers: findings carry ``evidence.records = [{"collection", "id"}]``
(`scanner.engine.records`). `find_records` resolves one against the raw files: the JSON
objects in that collection's bodies that hold ``id`` as a value (so a user id finds the
user record and the MFA or login records that name that user); ``id == "*"`` (a
tenant-level setting) stands for every body of the collection.
"""

from __future__ import annotations

import contextlib
import json
import re
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextvars import ContextVar, copy_context
from datetime import datetime, timezone
from typing import IO, Any, ParamSpec, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit

from scanner.redact import REDACTED, redact

#: Largest body kept per response; a larger one is replaced by a note saying its size.
MAX_BODY_BYTES = 32 * 1024 * 1024
#: Largest capture (all collections); later responses are counted, not kept.
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
#: A collection's lines stay in memory up to this size, then go to a temporary file.
SPOOL_BYTES = 4 * 1024 * 1024
#: The pointer id that stands for every record of a (settings) collection.
ALL_RECORDS = "*"

#: Keys whose string values are credentials, compared lower-case without ``_`` and ``-``.
SECRET_KEYS = frozenset(
    {
        "accesstoken",
        "refreshtoken",
        "idtoken",
        "token",
        "authtoken",
        "bearertoken",
        "corpaccesstoken",
        "sessionid",
        "sid",
        "clientsecret",
        "appsecret",
        "secret",
        "consumersecret",
        "permanentcode",
        "password",
        "securitytoken",
        "apikey",
        "privatekey",
        "authorization",
        "cookie",
        "setcookie",
    }
)
#: Key endings that also mark a credential (``zohoAccessToken``, ``oauth_client_secret``).
SECRET_SUFFIXES = ("accesstoken", "refreshtoken", "secret", "password", "sessionid", "apikey")

_XML_SECRET = re.compile(
    r"(<(?:[A-Za-z_][\w.-]*:)?(sessionId|password|securityToken|access_token|refresh_token|"
    r"client_secret|token)\b[^>]*>)([^<]*)(</)",
    re.IGNORECASE,
)
_FORM_SECRET = re.compile(
    r"\b((?:access_token|refresh_token|id_token|client_secret|session_id|sessionid|sid|"
    r"password|token)=)([^&\s\"'<]+)",
    re.IGNORECASE,
)
_NAME = re.compile(r"[^a-z0-9_.]+")

P = ParamSpec("P")
R = TypeVar("R")


def secret_key(key: str) -> bool:
    """True when a field or parameter named ``key`` holds a credential."""
    folded = key.lower().replace("_", "").replace("-", "")
    return folded in SECRET_KEYS or folded.endswith(SECRET_SUFFIXES)


def redact_value(value: Any) -> Any:
    """``value`` (decoded JSON) with credentials and registered secrets removed."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            name = redact(str(key))
            out[name] = (
                REDACTED if isinstance(item, str) and secret_key(str(key)) else (redact_value(item))
            )
        return out
    if isinstance(value, list):
        return [redact_value(item) for item in value]
    return value


def redact_text(text: str) -> str:
    """A text body with credentials removed (registered secrets, XML and form fields)."""
    text = _XML_SECRET.sub(lambda m: m.group(1) + REDACTED + m.group(4), text)
    text = _FORM_SECRET.sub(lambda m: m.group(1) + REDACTED, text)
    return redact(text)


def redact_path(url: str) -> str:
    """The path and query of ``url`` (no scheme or host), credentials removed."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        cleaned = [(k, REDACTED if secret_key(k) else v) for k, v in pairs]
        path += "?" + urlencode(cleaned, safe="/:,()'$*")
    return redact(path)


def decode_body(body: bytes | str | Any) -> tuple[Any, bool]:
    """(the body as JSON data or text, redacted; whether it was cut at `MAX_BODY_BYTES`)."""
    if isinstance(body, (bytes, bytearray, memoryview)):
        raw = bytes(body)
        if len(raw) > MAX_BODY_BYTES:
            return f"[body of {len(raw)} bytes not kept: over {MAX_BODY_BYTES} bytes]", True
        text = raw.decode("utf-8", errors="replace")
    elif isinstance(body, str):
        if len(body) > MAX_BODY_BYTES:
            return f"[body of {len(body)} characters not kept: over {MAX_BODY_BYTES}]", True
        text = body
    elif body is None:
        return None, False
    else:  # already decoded JSON data
        return redact_value(body), False
    stripped = text.lstrip()
    if stripped[:1] in ("{", "[", '"') or stripped[:4] in ("true", "fals", "null"):
        try:
            return redact_value(json.loads(text)), False
        except ValueError:
            pass
    return redact_text(text), False


def collection_file(collection: str) -> str:
    """The bundle-relative file name of ``collection``'s responses."""
    name = _NAME.sub("_", collection.lower()).strip("._") or "unnamed"
    return f"raw/{name}.jsonl"


class RawCapture:
    """The raw responses of one scan, per collection, redacted. Thread-safe."""

    def __init__(
        self,
        *,
        max_total_bytes: int = MAX_TOTAL_BYTES,
        spool_bytes: int = SPOOL_BYTES,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self.max_total_bytes = max_total_bytes
        self._spool_bytes = spool_bytes
        self._clock = clock
        self._files: dict[str, IO[bytes]] = {}
        self._lock = threading.Lock()
        self.total_bytes = 0
        #: Responses not kept because the capture was full.
        self.dropped = 0
        #: Responses kept, per collection.
        self.counts: dict[str, int] = {}

    def record(
        self, collection: str, method: str, url_path: str, status: int, body: bytes | str | Any
    ) -> None:
        """Keep one response of ``collection`` (redacted; see the module docstring)."""
        decoded, truncated = decode_body(body)
        line: dict[str, Any] = {
            "collection": collection,
            "method": method.upper(),
            "path": redact_path(url_path),
            "status": int(status),
            "received_at": self._clock().isoformat(),
            "body": decoded,
        }
        if truncated:
            line["truncated"] = True
        data = (json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        name = collection_file(collection)
        with self._lock:
            if self.total_bytes + len(data) > self.max_total_bytes:
                self.dropped += 1
                return
            handle = self._files.get(name)
            if handle is None:
                handle = tempfile.SpooledTemporaryFile(max_size=self._spool_bytes)  # noqa: SIM115
                self._files[name] = handle
            handle.write(data)
            self.total_bytes += len(data)
            self.counts[collection] = self.counts.get(collection, 0) + 1

    def files(self) -> dict[str, bytes]:
        """Every collection's lines: ``{"raw/<collection>.jsonl": bytes}``."""
        with self._lock:
            out: dict[str, bytes] = {}
            for name, handle in sorted(self._files.items()):
                position = handle.tell()
                handle.seek(0)
                out[name] = handle.read()
                handle.seek(position)
            return out

    def close(self) -> None:
        """Drop what was captured (and any temporary file)."""
        with self._lock:
            for handle in self._files.values():
                handle.close()
            self._files.clear()

    def __del__(self) -> None:  # pragma: no cover - best effort cleanup of spooled files
        with contextlib.suppress(Exception):
            self.close()


# -- which capture and collection the current request belongs to ------------------------

_capture: ContextVar[RawCapture | None] = ContextVar("crmscan_raw_capture", default=None)
_collection: ContextVar[str | None] = ContextVar("crmscan_raw_collection", default=None)


@contextlib.contextmanager
def capturing(capture: RawCapture | None) -> Iterator[RawCapture | None]:
    """Record the responses of every request sent inside the block into ``capture``.

    None captures nothing (the default). Threads started inside the block see it only
    when their work runs in a copy of this context (`in_context`).
    """
    token = _capture.set(capture)
    try:
        yield capture
    finally:
        _capture.reset(token)


@contextlib.contextmanager
def collecting(collection: str | None) -> Iterator[None]:
    """Mark the requests sent inside the block as reading ``collection``.

    None marks requests that belong to no collection (token requests): never recorded.
    """
    token = _collection.set(collection)
    try:
        yield
    finally:
        _collection.reset(token)


def current_collection() -> str | None:
    """The collection the current request reads (None: none named)."""
    return _collection.get()


def active_capture() -> RawCapture | None:
    """The capture the current request records into (None: no capture asked for)."""
    return _capture.get()


def in_context(fn: Callable[P, R]) -> Callable[P, R]:
    """``fn`` bound to a copy of the current context, for a worker thread to run.

    ``pool.submit(in_context(task), ...)``: the task sees the capture and collection of
    the code that submitted it (a thread pool's worker otherwise starts with none).
    """
    context = copy_context()

    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        # A copy per call: one context cannot be entered by two threads at once.
        return context.copy().run(fn, *args, **kwargs)

    return run


def record_exchange(
    collection: str | None, method: str, url: str, status: int, body: bytes | str | Any
) -> None:
    """Record one final answer into the active capture (the retry core calls this).

    Nothing happens without an active capture or without a collection.
    """
    capture = _capture.get()
    if capture is None or not collection:
        return
    capture.record(collection, method, url, status, body)


# -- reading the raw files back --------------------------------------------------------


def iter_lines(files: dict[str, bytes], collection: str) -> Iterator[dict[str, Any]]:
    """The recorded responses of ``collection`` in ``files`` (a `RawCapture.files` dict)."""
    data = files.get(collection_file(collection))
    if not data:
        return
    for text in data.decode("utf-8").splitlines():
        if text.strip():
            line = json.loads(text)
            if isinstance(line, dict):
                yield line


def _objects_holding(value: Any, wanted: str) -> Iterator[Any]:
    """The JSON objects under ``value`` that hold ``wanted`` as one of their own values.

    A list of scalars that holds it (a role's member ids) yields ``{key: list}``.
    """
    if isinstance(value, dict):
        if any(_scalar_text(v) == wanted for v in value.values()):
            yield value
        for key, item in value.items():
            if isinstance(item, list) and any(_scalar_text(v) == wanted for v in item):
                yield {key: item}
            if isinstance(item, (dict, list)):
                yield from _objects_holding(item, wanted)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)):
                yield from _objects_holding(item, wanted)


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return None
    return str(value)


def source_collection(files: dict[str, bytes], collection: str, record_id: str) -> str | None:
    """The collection whose raw file answers a pointer to ``collection``.

    ``collection`` itself when it has a file, else its nearest parent that has one
    (``users.permissions`` read with the users: ``users``); for `ALL_RECORDS` (a
    tenant-level setting) finally ``tenant`` (settings kept on the organization record).
    None when no file answers it.
    """
    parts = collection.split(".")
    candidates = [".".join(parts[:n]) for n in range(len(parts), 0, -1)]
    if record_id == ALL_RECORDS:
        candidates.append("tenant")
    for candidate in candidates:
        if collection_file(candidate) in files:
            return candidate
    return None


def find_records(
    files: dict[str, bytes], collection: str, record_id: str
) -> list[tuple[dict[str, Any], Any]]:
    """(response line, matching record) pairs for one finding pointer.

    Looked up in `source_collection`'s file, then (when nothing there matches) in the
    files of the collections below it (``integrations.oauth_tokens`` for an OAuth token
    of ``integrations``). A record is a JSON object of a body that holds ``record_id`` as
    a value (a composite id ``a/b/c`` an adapter built: one that holds each part); a text
    body (XML) matches when it contains ``record_id``. `ALL_RECORDS` matches every body.
    An empty list for a pointer to a sub-collection (``users.mfa``) can be the evidence
    itself: no record there names the user.
    """
    source = source_collection(files, collection, record_id)
    if source is None:
        return []
    found = _search(files, source, record_id)
    if not found and record_id != ALL_RECORDS:
        below = collection_file(source)[: -len(".jsonl")] + "."
        for name in sorted(files):
            if name.startswith(below):
                found.extend(_search(files, name[len("raw/") : -len(".jsonl")], record_id))
    return found


def _search(
    files: dict[str, bytes], source: str, record_id: str
) -> list[tuple[dict[str, Any], Any]]:
    found: list[tuple[dict[str, Any], Any]] = []
    for line in iter_lines(files, source):
        body = line.get("body")
        if record_id == ALL_RECORDS:
            found.append((line, body))
        elif isinstance(body, str):
            if record_id in body:
                found.append((line, body))
        else:
            found.extend((line, record) for record in _objects_holding(body, record_id))
    if not found and "/" in record_id and record_id != ALL_RECORDS:
        # A composite id an adapter built from the record's fields ("App/UserId/Created").
        parts = set(record_id.split("/"))
        for line in iter_lines(files, source):
            found.extend((line, record) for record in _objects_holding_all(line.get("body"), parts))
    return found


def _objects_holding_all(value: Any, wanted: set[str]) -> Iterator[dict[str, Any]]:
    """The JSON objects under ``value`` whose own values include every one of ``wanted``."""
    if isinstance(value, dict):
        if wanted <= {_scalar_text(v) for v in value.values()}:
            yield value
        for item in value.values():
            yield from _objects_holding_all(item, wanted)
    elif isinstance(value, list):
        for item in value:
            yield from _objects_holding_all(item, wanted)
