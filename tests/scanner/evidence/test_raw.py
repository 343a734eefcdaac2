"""RawCapture: the file format, redaction, bounds, and which requests it records."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from adapters.http import Answer, HttpClient, IssuedToken, RenewingToken, RetryCore
from adapters.http.answers import Accept, Renew
from scanner.errors import WriteRefusedError
from scanner.evidence import raw
from scanner.evidence.raw import RawCapture, capturing, collecting, find_records
from scanner.redact import register_secret

SECRET = "planted-secret-Zq8vW3xK9mN2pL5r"


def _lines(capture: RawCapture, collection: str) -> list[dict[str, object]]:
    data = capture.files()[raw.collection_file(collection)]
    return [json.loads(line) for line in data.decode().splitlines()]


def test_a_line_holds_the_contract_fields_and_json_bodies_stay_json() -> None:
    capture = RawCapture()
    capture.record("users", "get", "https://x.example/api/users?limit=5", 200, b'{"id": "u1"}')
    capture.record("users", "GET", "/api/users?page=2", 500, b"<html>oops</html>")
    (first, second) = _lines(capture, "users")
    assert set(first) == {"collection", "method", "path", "status", "received_at", "body"}
    assert first["method"] == "GET" and first["path"] == "/api/users?limit=5"
    assert first["status"] == 200 and first["body"] == {"id": "u1"}
    assert second["body"] == "<html>oops</html>" and second["status"] == 500
    assert list(capture.files()) == ["raw/users.jsonl"]


def test_secrets_are_redacted_in_bodies_paths_keys_and_xml() -> None:
    register_secret(SECRET)
    capture = RawCapture()
    body = {
        "access_token": "tok-123456789",
        "refresh_token": "r-1",
        "sessionId": "s-1",
        "nested": [{"client_secret": "cs", "note": f"echo {SECRET}", SECRET: 1}],
        "RefreshTokenPolicy": "infinite",
    }
    capture.record("users", "GET", f"/q?access_token=abc123456&x={SECRET}&q=ok", 200,
                   json.dumps(body).encode())  # fmt: skip
    capture.record("auth.sso", "POST", "/soap", 200,
                   f"<r><sessionId>00Dxx</sessionId><v>{SECRET}</v></r>")  # fmt: skip
    everything = b"".join(capture.files().values()).decode()
    for leaked in (SECRET, "tok-123456789", 'r-1"', "s-1", '"cs"', "abc123456", "00Dxx"):
        assert leaked not in everything
    (line,) = _lines(capture, "users")
    assert line["body"]["RefreshTokenPolicy"] == "infinite"  # type: ignore[index]
    assert "q=ok" in str(line["path"])


def test_bodies_over_the_cap_are_noted_and_the_total_is_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(raw, "MAX_BODY_BYTES", 10)
    capture = RawCapture(max_total_bytes=600, spool_bytes=64)
    capture.record("users", "GET", "/a", 200, b'{"x": "0123456789abcdef"}')
    (line,) = _lines(capture, "users")
    assert line["truncated"] is True and "not kept" in str(line["body"])
    for _ in range(20):
        capture.record("users", "GET", "/a", 200, b"{}")
    assert capture.dropped > 0 and capture.total_bytes <= 600


def _client(capture_flag: bool = True) -> HttpClient:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"items": [{"id": "r1"}], "path": request.url.path})

    return HttpClient(
        "https://api.example.test",
        decide=lambda a, attempt: Accept(),
        core=RetryCore(),
        token="tok-abcdefgh",
        transport=httpx.MockTransport(answer),
        capture=capture_flag,
    )


def test_the_retry_core_records_only_inside_a_capture_and_a_collection() -> None:
    client = _client()
    client.get_json("/outside", what="nothing active")
    capture = RawCapture()
    with capturing(capture):
        client.get_json("/unnamed", what="no collection")
        with collecting("users"):
            client.get_json("/users", {"limit": 5}, what="users")
            with collecting(None):
                client.get_json("/token", what="token")
    assert list(capture.files()) == ["raw/users.jsonl"]
    (line,) = _lines(capture, "users")
    assert line["path"] == "/users?limit=5" and line["body"]["path"] == "/users"  # type: ignore[index]


def test_a_client_built_not_to_capture_and_refused_writes_record_nothing() -> None:
    capture = RawCapture()
    with capturing(capture), collecting("users"):
        _client(capture_flag=False).get_json("/token", what="token")
        with pytest.raises(WriteRefusedError):
            _client().request("DELETE", "/users/1", what="a write")
    assert capture.files() == {}


def test_worker_threads_see_the_capture_through_in_context() -> None:
    capture = RawCapture()
    client = _client()

    def work(collection: str) -> None:
        with collecting(collection):
            client.get_json(f"/{collection}", what=collection)

    with capturing(capture), ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(raw.in_context(work), ["users", "roles"]))
        pool.submit(work, "lost").result()  # without in_context: the worker has no capture
    assert sorted(capture.files()) == ["raw/roles.jsonl", "raw/users.jsonl"]


def test_find_records_resolves_pointers() -> None:
    capture = RawCapture()
    capture.record("users", "GET", "/u", 200, b'{"records": [{"Id": "005A"}, {"Id": "005B"}]}')
    capture.record("users.mfa", "GET", "/m", 200, b'{"records": [{"UserId": "005A"}]}')
    capture.record("auth.sso", "GET", "/s", 200, b"<x>SecuritySettings</x>")
    files = capture.files()
    assert [rec for _, rec in find_records(files, "users", "005A")] == [{"Id": "005A"}]
    assert [rec for _, rec in find_records(files, "users.mfa", "005A")] == [{"UserId": "005A"}]
    assert len(find_records(files, "auth.sso", raw.ALL_RECORDS)) == 1
    assert find_records(files, "roles", "x") == []


def test_an_answer_object_body_is_recorded_as_sent() -> None:
    capture = RawCapture()
    with capturing(capture):
        raw.record_exchange("roles", "GET", "/r", 403, Answer(403, {}, b"{}").body)
    assert _lines(capture, "roles")[0]["status"] == 403


def test_a_token_renewed_in_the_middle_of_a_collection_is_not_recorded() -> None:
    core = RetryCore()
    issued: list[str] = []

    def accounts(request: httpx.Request) -> httpx.Response:
        issued.append(f"renewed-token-{len(issued):04d}-abcdef")
        return httpx.Response(200, json={"access_token": issued[-1], "expires_in": 3600})

    tokens = HttpClient(
        "https://accounts.example.test",
        decide=lambda a, attempt: Accept(),
        core=core,
        allow=["POST /token"],
        transport=httpx.MockTransport(accounts),
        capture=False,
    )

    def issue() -> IssuedToken:
        body = tokens.post_json("/token", {}, what="sign-in", authenticated=False)
        register_secret(body["access_token"])
        return IssuedToken(body["access_token"], body["expires_in"])

    def api(request: httpx.Request) -> httpx.Response:
        if request.headers["Authorization"] == f"Bearer {issued[0]}":
            return httpx.Response(401, json={"error": f"expired {issued[0]}"})
        return httpx.Response(200, json={"users": [{"id": "u1"}]})

    client = HttpClient(
        "https://api.example.test",
        decide=lambda a, attempt: Renew() if a.status == 401 else Accept(),
        core=core,
        token=RenewingToken(issue),
        transport=httpx.MockTransport(api),
    )
    capture = RawCapture()
    with capturing(capture), collecting("users"):
        client.get_json("/users", what="users")
    assert len(issued) == 2
    (line,) = _lines(capture, "users")  # the final answer only, not the 401 nor a token
    assert line["status"] == 200 and line["body"] == {"users": [{"id": "u1"}]}
    assert not any(token in json.dumps(line) for token in issued)
