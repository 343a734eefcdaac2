"""`HttpClient`: the httpx client every adapter uses.

One client per API host. It adds to httpx what every crmscan adapter needs:

- HTTPS only (`require_https`), TLS verified with the trust `adapters.http.tls` finds;
- the token from a `TokenProvider` on every attempt (renewed by the provider);
- the read-only guard (GET, or an allowlisted ``"METHOD /path"``), below httpx, so it
  also covers redirects (which are not followed) and hand-built requests;
- per-request connect and read timeouts, bounded by the scan deadline; the body is read
  in chunks, so a server that trickles bytes still ends at the deadline, and a body over
  ``max_body_bytes`` is refused as malformed instead of filling memory;
- an optional cap on concurrent requests (Zoho caps concurrent calls per app);
- every attempt through `RetryCore.send` with the platform's decision table, which also
  feeds the response observers and counts requests;
- JSON decoding where invalid or truncated JSON is `MalformedResponseError`;
- absolute URLs (next links) only to the client's own host or listed ``hosts``, so a
  server cannot send the token elsewhere.

Tests and offline demos inject an `httpx.BaseTransport` (`httpx.MockTransport`, a
replay) as ``transport``; the guard still wraps it.
"""

from __future__ import annotations

import contextlib
import threading
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from adapters.http.answers import Answer, DecisionTable
from adapters.http.auth import StaticToken, TokenProvider
from adapters.http.body import as_dict, as_list
from adapters.http.guard import GuardedTransport, ReadOnlyGuard
from adapters.http.paging import MAX_PAGES, Page, follow
from adapters.http.retry import RequestStats, RetryCore, TransportFailure
from adapters.http.tls import host_of, require_https, trust
from scanner.errors import MalformedResponseError
from scanner.redact import redact

#: Bodies larger than this are refused (a hostile or broken server must not fill memory).
MAX_BODY_BYTES = 64 * 1024 * 1024

Params = Mapping[str, str | int | float | bool | None] | None
#: Query parameters, or a function building them per attempt (a fresh per-request id).
ParamsArg = Params | Callable[[], Params]
#: A JSON body, or a function building it per attempt (a token in the body, renewed).
JsonBody = Any | Callable[[], Any]


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for a connection and between two reads of an answer."""

    connect: float = 10.0
    read: float = 30.0


class HttpClient:
    """Read-only JSON over HTTPS with retries, for one API host. Thread-safe.

    ``decide`` is the platform's default decision table (a request may pass another).
    ``token`` is sent as ``{auth_header}: {auth_scheme} {token}`` (``auth_scheme=None``
    sends no header: the adapter puts `current_token` where its API wants it, e.g. in a
    JSON body built per attempt). ``allow`` lists the non-GET calls that only read.
    ``capture=False`` keeps this client's answers out of the raw evidence (a token
    endpoint's client: its answers are credentials, not evidence).
    """

    def __init__(
        self,
        base_url: str,
        *,
        decide: DecisionTable,
        core: RetryCore | None = None,
        token: TokenProvider | str | None = None,
        auth_header: str = "Authorization",
        auth_scheme: str | None = "Bearer",
        headers: Mapping[str, str] | None = None,
        allow: Iterable[str] = (),
        hosts: Iterable[str] = (),
        timeouts: Timeouts | None = None,
        max_concurrency: int | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
        transport: httpx.BaseTransport | None = None,
        option: str = "--base-url",
        capture: bool = True,
    ) -> None:
        self.capture = capture
        self.base_url = require_https(base_url, option)
        self.host = host_of(self.base_url)
        self.core = core or RetryCore()
        self.decide = decide
        self.token = StaticToken(token) if isinstance(token, str) else token
        self.auth_header = auth_header
        self.auth_scheme = auth_scheme
        self.timeouts = timeouts or Timeouts()
        self.max_body_bytes = max_body_bytes
        self.guard = ReadOnlyGuard(allow)
        self._hosts = {self.host.lower(), *(h.lower() for h in hosts)}
        self._slots = threading.BoundedSemaphore(max_concurrency) if max_concurrency else None
        limits = httpx.Limits(
            max_connections=max_concurrency or 10, max_keepalive_connections=max_concurrency or 10
        )
        inner = transport or httpx.HTTPTransport(
            verify=trust(), limits=limits, retries=0, proxy=environment_proxy(self.base_url)
        )
        self._client = httpx.Client(
            base_url=self.base_url,
            headers={"Accept": "application/json", **dict(headers or {})},
            transport=GuardedTransport(inner, self.guard),
            follow_redirects=False,
        )

    @property
    def stats(self) -> RequestStats:
        """The `RequestStats` this client counts into (shared through its core)."""
        return self.core.stats

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def current_token(self) -> str:
        """The token to send now (for adapters that send it outside a header)."""
        if self.token is None:
            raise ValueError("this client has no token provider")
        return self.token.token()

    # -- requests -----------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        what: str,
        params: ParamsArg = None,
        json: JsonBody = None,
        data: Mapping[str, str] | Callable[[], Mapping[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        decide: DecisionTable | None = None,
        authenticated: bool = True,
        timeouts: Timeouts | None = None,
    ) -> Answer:
        """Send ``method path`` until the decision table accepts an answer; return it.

        ``params``, ``json`` and ``data`` may be functions: they are called for every
        attempt (a token in the body, a request id that must differ on every request).
        Raises `WriteRefusedError` (before sending) for a call that is not a read, the
        table's `CollectionError` / `AuthenticationError`, `UnreachableHostError`, or
        `DeadlineReachedError`.
        """
        url = self._url(path, what)
        verb = method.upper()
        # Per-attempt params (a function) are left out of the URL the guard and the
        # observers see: they differ on every attempt.
        fixed = None if callable(params) else params
        full_url = self._client.build_request(verb, url, params=_query(fixed)).url
        self.guard.check(verb, full_url)
        limits = timeouts or self.timeouts
        sent_token: list[str] = []

        def send_once() -> Answer:
            request_headers = dict(headers or {})
            if authenticated and self.token is not None:
                value = self.token.token()
                sent_token[:] = [value]
                if self.auth_scheme is not None:
                    prefix = f"{self.auth_scheme} " if self.auth_scheme else ""
                    request_headers[self.auth_header] = prefix + value
            return self._send_once(
                verb,
                url,
                what=what,
                params=params() if callable(params) else params,
                json_body=json() if callable(json) else json,
                data=data() if callable(data) else data,
                headers=request_headers,
                timeouts=limits,
            )

        renew = None
        if authenticated and self.token is not None and self.token.renewable:
            provider = self.token

            def renew() -> None:
                provider.renew(sent_token[0] if sent_token else "")

        return self.core.send(
            send_once,
            decide or self.decide,
            what=what,
            host=self.host,
            method=verb,
            url=redact(str(full_url)),
            renew=renew,
            capture=self.capture,
        )

    def get(
        self, path: str, params: Params = None, *, what: str, decide: DecisionTable | None = None
    ) -> Answer:
        """GET ``path``; the accepted `Answer`."""
        return self.request("GET", path, what=what, params=params, decide=decide)

    def get_json(
        self, path: str, params: Params = None, *, what: str, decide: DecisionTable | None = None
    ) -> Any:
        """GET ``path`` and decode its JSON body."""
        return self.get(path, params, what=what, decide=decide).json(what)

    def post_json(
        self,
        path: str,
        body: JsonBody = None,
        *,
        what: str,
        params: ParamsArg = None,
        decide: DecisionTable | None = None,
        authenticated: bool = True,
    ) -> Any:
        """POST a JSON ``body`` to an allowlisted read-only ``path``; the decoded answer."""
        answer = self.request(
            "POST",
            path,
            what=what,
            params=params,
            json=body,
            decide=decide,
            authenticated=authenticated,
        )
        return answer.json(what)

    def link_pages(
        self,
        path: str,
        params: Params = None,
        *,
        what: str,
        items: str = "value",
        next_link: str = "@odata.nextLink",
        max_pages: int = MAX_PAGES,
        collection: str | None = None,
        decide: DecisionTable | None = None,
    ) -> Iterator[list[Any]]:
        """Follow next links (OData ``@odata.nextLink``): yield each page's ``items``.

        The link is followed as given (it carries the query), on this client's host only.
        ``decide`` judges every page's answer (default: the client's table).
        """

        def fetch(link: Any) -> Page[Any]:
            if link is None:
                body = as_dict(self.get_json(path, params, what=what, decide=decide), what)
            else:
                body = as_dict(self.get_json(str(link), what=what, decide=decide), what)
            found = as_list(body.get(items), what)
            nxt = body.get(next_link)
            if nxt is not None and not isinstance(nxt, str):
                raise MalformedResponseError(
                    f"{what}: malformed response: {next_link} is not a URL"
                )
            return Page(found, nxt or None)

        on_page = (lambda: self.stats.page(collection)) if collection else None
        return follow(fetch, what=what, max_pages=max_pages, on_page=on_page)

    # -- internals ----------------------------------------------------------------------

    def _url(self, path: str, what: str) -> str:
        """``path`` relative to the base URL, or an absolute https URL on an allowed host."""
        if "://" not in path:
            return path
        parsed = httpx.URL(path)
        if parsed.scheme != "https":
            raise MalformedResponseError(
                f"{what}: refused to follow a non-HTTPS URL {redact(path)[:120]!r}"
            )
        if parsed.netloc.decode("ascii").lower() not in self._hosts:
            raise MalformedResponseError(
                f"{what}: refused to send the token to another host "
                f"({parsed.host!r} is not {self.host!r})"
            )
        return path

    def _send_once(
        self,
        method: str,
        url: str,
        *,
        what: str,
        params: Params,
        json_body: Any,
        data: Mapping[str, str] | None,
        headers: dict[str, str],
        timeouts: Timeouts,
    ) -> Answer:
        deadline = self.core.deadline
        read = deadline.bound(timeouts.read)
        timeout = httpx.Timeout(
            connect=deadline.bound(timeouts.connect), read=read, write=read, pool=read
        )
        query = _query(params)
        slot = self._slots if self._slots is not None else contextlib.nullcontext()
        with slot:
            try:
                with self._client.stream(
                    method,
                    url,
                    params=query,
                    json=json_body,
                    data=data,
                    headers=headers,
                    timeout=timeout,
                ) as response:
                    body = self._read(response, what)
            except httpx.ConnectTimeout as exc:
                raise TransportFailure("ConnectTimeout", redact(str(exc)), connect=True) from None
            except httpx.ConnectError as exc:
                raise TransportFailure(_connect_kind(exc), redact(str(exc)), connect=True) from None
            except httpx.TimeoutException as exc:
                raise TransportFailure(type(exc).__name__, redact(str(exc)), timeout=True) from None
            except httpx.TransportError as exc:
                raise TransportFailure(type(exc).__name__, redact(str(exc))) from None
        return Answer(response.status_code, response.headers, body)

    def _read(self, response: httpx.Response, what: str) -> bytes:
        """The whole body, in chunks: refused past the size cap, stopped at the deadline."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            raise MalformedResponseError(
                f"{what}: malformed response: {int(declared)} bytes, more than the "
                f"{self.max_body_bytes} bytes this scanner reads"
            )
        chunks: list[bytes] = []
        size = 0
        deadline = self.core.deadline
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_body_bytes:
                raise MalformedResponseError(
                    f"{what}: malformed response: more than the {self.max_body_bytes} bytes "
                    "this scanner reads"
                )
            chunks.append(chunk)
            if deadline.expired():
                raise TransportFailure("ReadTimeout", "the answer was still arriving", timeout=True)
        return b"".join(chunks)


def _query(params: Params) -> dict[str, str | int | float | bool] | None:
    """``params`` without the None values (None when nothing is left)."""
    query = {k: v for k, v in (params or {}).items() if v is not None}
    return query or None


def environment_proxy(url: str) -> str | None:
    """The proxy the environment names for ``url`` (HTTPS_PROXY / ALL_PROXY, NO_PROXY).

    httpx reads these only for the transports it builds itself; this client builds its
    own (to put the read-only guard under it), so it reads them the same way. The TLS
    session to the CRM runs through the proxy's tunnel and is verified as usual.
    """
    host = httpx.URL(url).host
    if urllib.request.proxy_bypass(host):
        return None
    proxies = urllib.request.getproxies_environment()
    return proxies.get("https") or proxies.get("all") or None


def _connect_kind(exc: httpx.ConnectError) -> str:
    """Name what failed: name resolution, TLS, or the connection itself."""
    text = str(exc)
    lowered = text.lower()
    if "certificate" in lowered or "ssl" in lowered or "tls" in lowered:
        return "TLS handshake failed"
    if "name or service" in lowered or "nodename" in lowered or "getaddrinfo" in lowered:
        return "DNS lookup failed"
    if "refused" in lowered:
        return "connection refused"
    return "ConnectError"
