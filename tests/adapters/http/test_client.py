"""`HttpClient` through httpx: MockTransport for wire shapes, loopback TLS for the rest."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from adapters.http import (
    Deadline,
    HttpClient,
    IssuedToken,
    Renew,
    RenewingToken,
    RetryCore,
    StatusTable,
    Timeouts,
)
from adapters.http.answers import Answer, Attempt, Decision
from scanner.errors import (
    ConfigError,
    DeadlineReachedError,
    MalformedResponseError,
    UnreachableHostError,
    WriteRefusedError,
)
from scanner.model.inventory import Inventory, Tenant
from tests.adapters.http.loopback import HANG, Drip, Reply, closed_port, serving

BASE = "https://crm.example.test"
TABLE = StatusTable("Acme CRM")


class Recorder:
    """An httpx MockTransport handler that records requests and answers from a script."""

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self._answer = answer or (lambda request: httpx.Response(200, json={"ok": True}))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self._answer(request)


def client(recorder: Recorder, **kw: object) -> HttpClient:
    kw.setdefault("core", RetryCore(sleep=lambda s: None))
    return HttpClient(BASE, decide=TABLE, transport=httpx.MockTransport(recorder), **kw)  # type: ignore[arg-type]


def test_get_json_sends_the_bearer_token_and_counts() -> None:
    rec = Recorder()
    http = client(rec, token="tok-123456")
    assert http.get_json("/users", {"page": 2, "skip": None}, what="users") == {"ok": True}
    (request,) = rec.requests
    assert request.headers["Authorization"] == "Bearer tok-123456"
    assert str(request.url) == f"{BASE}/users?page=2"
    inventory = Inventory(tenant=Tenant(platform="acme"))
    http.stats.record_into(inventory)
    assert inventory.api_usage is not None and inventory.api_usage.requests == 1


def test_auth_scheme_and_header_are_the_platforms() -> None:
    rec = Recorder()
    client(rec, token="t0k3n-zoho", auth_scheme="Zoho-oauthtoken").get("/x", what="x")
    assert rec.requests[0].headers["Authorization"] == "Zoho-oauthtoken t0k3n-zoho"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_read_only_guard_refuses_before_sending(method: str) -> None:
    rec = Recorder()
    http = client(rec, token="tok-123456", allow=["POST /oauth/token"])
    with pytest.raises(WriteRefusedError, match=f"refused to send {method} /users/1"):
        http.request(method, "/users/1", what="update a user", json={"active": False})
    assert rec.requests == []
    assert http.stats.requests == 0


def test_allowlisted_read_only_post_is_sent_and_others_are_not() -> None:
    rec = Recorder()
    http = client(rec, allow=["POST /crm/v8/coql", f"POST {BASE}/oauth/token"])
    http.post_json("/crm/v8/coql", {"select_query": "select id from Users"}, what="coql")
    http.post_json("/oauth/token", {"grant": "x"}, what="token", authenticated=False)
    with pytest.raises(WriteRefusedError):
        http.post_json("/crm/v8/Users", {"users": []}, what="create")
    assert [r.url.path for r in rec.requests] == ["/crm/v8/coql", "/oauth/token"]


def test_guard_also_covers_requests_below_the_client() -> None:
    # The guard sits in the transport: a redirect or a hand-built request is checked too.
    rec = Recorder()
    http = client(rec)
    with pytest.raises(WriteRefusedError):
        http._client.post("/users", json={})
    assert rec.requests == []


def test_host_qualified_allowlist_entry_does_not_allow_other_hosts() -> None:
    rec = Recorder()
    http = client(rec, allow=["POST https://accounts.example.test/oauth/token"])
    with pytest.raises(WriteRefusedError):
        http.post_json("/oauth/token", {}, what="token")


def test_token_renewed_before_it_lapses() -> None:
    clock = [0.0]
    issued: list[str] = []

    def issue() -> IssuedToken:
        issued.append(f"token-number-{len(issued) + 1}")
        return IssuedToken(issued[-1], expires_in=3600)

    rec = Recorder()
    http = client(rec, token=RenewingToken(issue, margin=300, clock=lambda: clock[0]))
    http.get("/a", what="a")
    clock[0] = 3000.0  # 10 minutes left: still more than the 5-minute margin
    http.get("/b", what="b")
    clock[0] = 3400.0  # inside the margin: renewed before the request, not after a 401
    http.get("/c", what="c")
    sent = [r.headers["Authorization"] for r in rec.requests]
    assert sent == ["Bearer token-number-1", "Bearer token-number-1", "Bearer token-number-2"]
    assert http.stats.renewals == 0


def expired_aware(answer: Answer, attempt: Attempt) -> Decision:
    body = answer.json_or_none()
    if answer.status == 401 and isinstance(body, dict) and body.get("code") == "INVALID_TOKEN":
        return Renew("the server answered INVALID_TOKEN")
    return TABLE(answer, attempt)


def test_token_renewed_on_a_401_expired_answer_and_the_request_resent() -> None:
    tokens = iter(["first-token-abc", "second-token-def"])
    provider = RenewingToken(lambda: IssuedToken(next(tokens), expires_in=None))

    def answer(request: httpx.Request) -> httpx.Response:
        if request.headers["Authorization"] == "Bearer first-token-abc":
            return httpx.Response(401, json={"code": "INVALID_TOKEN"})
        return httpx.Response(200, json={"users": []})

    rec = Recorder(answer)
    http = HttpClient(
        BASE,
        decide=expired_aware,
        token=provider,
        transport=httpx.MockTransport(rec),
        core=RetryCore(sleep=lambda s: None),
    )
    assert http.get_json("/users", what="users") == {"users": []}
    assert [r.headers["Authorization"] for r in rec.requests] == [
        "Bearer first-token-abc",
        "Bearer second-token-def",
    ]
    assert http.stats.renewals == 1 and provider.issued == 2


def test_token_in_a_json_body_built_per_attempt() -> None:
    tokens = iter(["body-token-1111", "body-token-2222"])
    provider = RenewingToken(lambda: IssuedToken(next(tokens)))

    def answer(request: httpx.Request) -> httpx.Response:
        sent = json.loads(request.content)["corpAccessToken"]
        code = 20005 if sent == "body-token-1111" else 0
        return httpx.Response(200, json={"errorCode": code})

    def table(answer: Answer, attempt: Attempt) -> Decision:
        code = (answer.json_or_none() or {}).get("errorCode")
        return Renew("errorCode 20005") if code == 20005 else TABLE(answer, attempt)

    rec = Recorder(answer)
    http = HttpClient(
        BASE,
        decide=table,
        token=provider,
        auth_scheme=None,
        allow=["POST /cgi/user/list"],
        transport=httpx.MockTransport(rec),
    )
    http.post_json("/cgi/user/list", lambda: {"corpAccessToken": http.current_token()}, what="x")
    assert "Authorization" not in rec.requests[0].headers
    assert len(rec.requests) == 2


@pytest.mark.parametrize(
    "body", [b'{"users": [1, 2', b"<html>502</html>", b"", b"[" * 100_000, b"1" * 5000]
)
def test_invalid_or_truncated_json_is_malformed(body: bytes) -> None:
    http = client(Recorder(lambda r: httpx.Response(200, content=body)))
    with pytest.raises(MalformedResponseError, match="users: malformed response"):
        http.get_json("/users", what="users")


def test_body_over_the_cap_is_malformed_not_read_into_memory() -> None:
    http = client(Recorder(lambda r: httpx.Response(200, content=b"x" * 2048)), max_body_bytes=1024)
    with pytest.raises(MalformedResponseError, match="1024 bytes"):
        http.get("/big", what="big")


def test_next_link_to_another_host_or_plain_http_is_refused() -> None:
    pages = {
        "/items": {"value": [{"id": 1}], "@odata.nextLink": "https://evil.example/steal"},
    }
    rec = Recorder(lambda r: httpx.Response(200, json=pages[r.url.path]))
    http = client(rec, token="secret-bearer-token")
    with pytest.raises(MalformedResponseError, match="another host"):
        list(http.link_pages("/items", what="items"))
    assert [r.url.host for r in rec.requests] == ["crm.example.test"]
    with pytest.raises(MalformedResponseError, match="non-HTTPS"):
        http.get("http://crm.example.test/items", what="items")


def test_link_pages_follow_next_links_and_count_pages() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("p", "1"))
        body: dict[str, object] = {"value": [{"id": n}]}
        if n < 3:
            body["@odata.nextLink"] = f"{BASE}/items?p={n + 1}"
        return httpx.Response(200, json=body)

    http = client(Recorder(answer))
    pages = list(http.link_pages("/items", what="items", collection="items"))
    assert pages == [[{"id": 1}], [{"id": 2}], [{"id": 3}]]
    assert http.stats.pages == {"items": 3}


def test_concurrency_cap_is_respected() -> None:
    active, peak = [0], [0]
    lock = threading.Lock()

    def answer(request: httpx.Request) -> httpx.Response:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.05)
        with lock:
            active[0] -= 1
        return httpx.Response(200, json={})

    http = client(Recorder(answer), max_concurrency=2)
    threads = [
        threading.Thread(target=http.get, args=("/x",), kwargs={"what": "x"}) for _ in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] == 2 and http.stats.requests == 6


def test_plain_http_base_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="plain HTTP") as caught:
        HttpClient("http://crm.example.test", decide=TABLE)
    assert caught.value.exit_code == 2
    with pytest.raises(ConfigError, match="https://"):
        HttpClient("ftp://crm.example.test", decide=TABLE)


# -- real TLS on loopback ---------------------------------------------------------------


def test_tls_trust_follows_ssl_cert_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with serving(lambda seen: Reply(body=b'{"hello": "tls"}')) as server:
        # Not trusted: the handshake fails, and on the first call that is exit 2 at once.
        with HttpClient(server.url, decide=TABLE) as untrusted:
            with pytest.raises(UnreachableHostError, match="TLS handshake failed") as caught:
                untrusted.get("/", what="probe")
        assert "SSL_CERT_FILE" in str(caught.value)
        server.trust(tmp_path, monkeypatch)
        with HttpClient(server.url, decide=TABLE) as trusted:
            assert trusted.get_json("/", what="probe") == {"hello": "tls"}


def test_tls_trust_follows_requests_ca_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with serving(lambda seen: Reply(body=b"{}")) as server:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", server.ca_file(tmp_path))
        with HttpClient(server.url, decide=TABLE) as http:
            assert http.get_json("/", what="x") == {}


def test_connection_refused_is_unreachable_host_quickly() -> None:
    port = closed_port()
    started = time.monotonic()
    with HttpClient(f"https://127.0.0.1:{port}", decide=TABLE) as http:
        with pytest.raises(UnreachableHostError, match=f"127.0.0.1:{port}"):
            http.get("/", what="details")
    assert time.monotonic() - started < 2.0


def test_deadline_ends_a_hung_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with serving(lambda seen: HANG) as server:
        server.trust(tmp_path, monkeypatch)
        core = RetryCore(deadline=Deadline.after(1.0))
        started = time.monotonic()
        with HttpClient(server.url, decide=TABLE, core=core, timeouts=Timeouts(read=60.0)) as http:
            with pytest.raises(DeadlineReachedError, match="deadline"):
                http.get("/users", what="users")
            assert time.monotonic() - started < 3.0
            # Every later call ends at once, without a request.
            with pytest.raises(DeadlineReachedError):
                http.get("/roles", what="roles")
        assert len(server.seen) == 1


def test_deadline_ends_a_trickling_body(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A read timeout alone never fires when a byte arrives every 0.2 s; the deadline does.
    with serving(lambda seen: Drip(size=100, interval=0.2)) as server:
        server.trust(tmp_path, monkeypatch)
        core = RetryCore(deadline=Deadline.after(1.5))
        started = time.monotonic()
        with HttpClient(server.url, decide=TABLE, core=core, timeouts=Timeouts(read=5.0)) as http:
            with pytest.raises(DeadlineReachedError):
                http.get("/users", what="users")
        assert time.monotonic() - started < 3.5


def test_environment_proxy_is_honoured_with_no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    from adapters.http.client import environment_proxy

    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp.test:3128")
    monkeypatch.setenv("NO_PROXY", "internal.test")
    assert environment_proxy("https://api.hubapi.com") == "http://proxy.corp.test:3128"
    assert environment_proxy("https://crm.internal.test") is None
