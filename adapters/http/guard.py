"""The read-only guard: every request is a GET unless the adapter allowlisted it.

An adapter names the few non-GET calls that only read, such as its token endpoint or a
documented read-only POST (HubSpot's token introspection, Dataverse ``$batch`` of GETs,
Zoho COQL), as ``"METHOD /path"`` or ``"METHOD https://host/path"``; a path segment
``*`` stands for exactly one segment (``"POST https://login.microsoftonline.com/*/oauth2/
v2.0/token"``: the tenant in a token endpoint's path). Anything else raises
`WriteRefusedError` before a byte is sent. `GuardedTransport` applies the guard
below httpx, so redirects and any request an adapter builds by hand are checked too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from scanner.errors import WriteRefusedError
from scanner.redact import redact

#: Methods that never need allowlisting.
READ_METHODS = frozenset({"GET"})


@dataclass(frozen=True)
class AllowedCall:
    """One allowlisted non-GET call: method, exact path, and optionally the host."""

    method: str
    path: str
    host: str | None = None

    @classmethod
    def parse(cls, entry: str) -> AllowedCall:
        """``"POST /oauth/v2/token"`` or ``"POST https://accounts.zoho.com/oauth/v2/token"``."""
        method, _, target = entry.strip().partition(" ")
        target = target.strip()
        if not method or not target:
            raise ValueError(f"an allowlist entry is 'METHOD /path', got {entry!r}")
        if target.startswith("/"):
            return cls(method.upper(), _path(target))
        parts = urlsplit(target)
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError(f"an allowlisted URL must be https://host/path, got {entry!r}")
        return cls(method.upper(), _path(parts.path or "/"), parts.netloc.lower())

    def matches(self, method: str, host: str, path: str) -> bool:
        """True when this entry allows ``method`` on ``host`` ``path``."""
        return (
            method == self.method
            and _path_matches(self.path, path)
            and (self.host is None or self.host == host)
        )


def _path_matches(pattern: str, path: str) -> bool:
    """``path`` equals ``pattern``, where a ``*`` segment matches one non-empty segment."""
    if "*" not in pattern:
        return path == pattern
    wanted, got = pattern.split("/"), path.split("/")
    return len(wanted) == len(got) and all(
        w == g or (w == "*" and g not in ("", ".", "..")) for w, g in zip(wanted, got, strict=True)
    )


def _path(path: str) -> str:
    return path.rstrip("/") or "/"


class ReadOnlyGuard:
    """Refuses every request that is not a GET or an allowlisted call."""

    def __init__(self, allow: Iterable[str | AllowedCall] = ()) -> None:
        self.allowed = tuple(
            entry if isinstance(entry, AllowedCall) else AllowedCall.parse(entry) for entry in allow
        )

    def check(self, method: str, url: str | httpx.URL) -> None:
        """Raise `WriteRefusedError` unless ``method`` on ``url`` is a read."""
        verb = method.upper()
        if verb in READ_METHODS:
            return
        parsed = httpx.URL(str(url))
        host = parsed.netloc.decode("ascii").lower()
        path = _path(parsed.path)
        if any(entry.matches(verb, host, path) for entry in self.allowed):
            return
        raise WriteRefusedError(
            f"refused to send {verb} {redact(path)}: crmscan is read-only and this call is not on "
            "the adapter's allowlist of read-only calls (a bug in the adapter; report it)"
        )


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport that checks `ReadOnlyGuard` before handing the request on."""

    def __init__(self, inner: httpx.BaseTransport, guard: ReadOnlyGuard) -> None:
        self.inner = inner
        self.guard = guard

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Check, then send through the wrapped transport."""
        self.guard.check(request.method, request.url)
        return self.inner.handle_request(request)

    def close(self) -> None:
        """Close the wrapped transport."""
        self.inner.close()
