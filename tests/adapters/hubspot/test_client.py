"""The httpx paths (account-info) with respx: paging, retries and every error kind."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import respx

from adapters.hubspot.client import TOKEN_INFO_PATH, HubSpotHttp
from adapters.hubspot.wire import MAX_ATTEMPTS, CallLog, Forbidden
from scanner.errors import (
    ApiError,
    AuthenticationError,
    MalformedResponseError,
    RateLimitedError,
    UnreachableHostError,
)
from tests.adapters.hubspot.conftest import SleepRecorder
from tests.emulators.hubspot import TOKEN, missing_scopes_body, rate_limit_body

BASE = "https://api.hubapi.test"
LOGIN = "/account-info/v3/activity/login"


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


@pytest.fixture
def http(sleeps: SleepRecorder) -> Iterator[HubSpotHttp]:
    client = HubSpotHttp(BASE, TOKEN, calls=CallLog(), sleep=sleeps)
    yield client
    client.close()


def _paged(total: int, limit: int):  # type: ignore[no-untyped-def]
    """A respx side effect serving ``total`` login events in cursor pages."""

    def serve(request: httpx.Request) -> httpx.Response:
        size = min(int(request.url.params.get("limit", "10")), limit)
        start = int(request.url.params.get("after", "0"))
        ids = range(start, min(start + size, total))
        at = "2026-01-01T00:00:00.000Z"
        rows = [{"id": str(i), "userId": 1, "loginAt": at, "loginSucceeded": True} for i in ids]
        body: dict[str, object] = {"results": rows}
        if start + size < total:
            body["paging"] = {"next": {"after": str(start + size), "link": f"{BASE}{LOGIN}"}}
        return httpx.Response(200, json=body)

    return serve


def _collect(http: HubSpotHttp, limit: int = 200) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for page in http.pages(LOGIN, {"limit": limit}, collection="login", what="login activity",
                           scope="account-info.security.read"):  # fmt: skip
        rows.extend(page)
    return rows


def test_pages_follow_after_cursor_and_send_bearer(
    api: respx.MockRouter, http: HubSpotHttp
) -> None:
    route = api.get(LOGIN).mock(side_effect=_paged(450, 200))
    rows = _collect(http)
    assert [r["id"] for r in rows] == [str(i) for i in range(450)]
    assert route.call_count == 3
    afters = [c.request.url.params.get("after") for c in route.calls]
    assert afters == [None, "200", "400"]
    assert all(c.request.headers["Authorization"] == f"Bearer {TOKEN}" for c in route.calls)
    assert all(c.request.method == "GET" for c in route.calls)


def test_secondly_429_honours_retry_after(
    api: respx.MockRouter, http: HubSpotHttp, sleeps: SleepRecorder
) -> None:
    limited = httpx.Response(429, json=rate_limit_body("SECONDLY"), headers={"Retry-After": "3"})
    api.get(LOGIN).mock(side_effect=[limited, httpx.Response(200, json={"results": []})])
    assert _collect(http) == []
    assert sleeps.waits == [3.0]


def test_secondly_429_uses_interval_header(
    api: respx.MockRouter, http: HubSpotHttp, sleeps: SleepRecorder
) -> None:
    headers = {"X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
               "X-HubSpot-RateLimit-Remaining": "0"}  # fmt: skip
    limited = httpx.Response(429, json=rate_limit_body("SECONDLY"), headers=headers)
    api.get(LOGIN).mock(side_effect=[limited, httpx.Response(200, json={"results": []})])
    _collect(http)
    assert sleeps.waits == [10.0]


def test_secondly_429_forever_becomes_rate_limited(
    api: respx.MockRouter, http: HubSpotHttp, sleeps: SleepRecorder
) -> None:
    route = api.get(LOGIN).mock(
        return_value=httpx.Response(
            429, json=rate_limit_body("SECONDLY"), headers={"Retry-After": "1"}
        )  # fmt: skip
    )
    with pytest.raises(RateLimitedError, match="after 5 attempts"):
        _collect(http)
    assert route.call_count == MAX_ATTEMPTS
    assert len(sleeps.waits) == MAX_ATTEMPTS - 1


def test_daily_429_stops_immediately(
    api: respx.MockRouter, http: HubSpotHttp, sleeps: SleepRecorder
) -> None:
    route = api.get(LOGIN).mock(
        return_value=httpx.Response(
            429, json=rate_limit_body("DAILY"), headers={"Retry-After": "1"}
        )
    )
    with pytest.raises(RateLimitedError, match="DAILY"):
        _collect(http)
    assert route.call_count == 1
    assert sleeps.waits == []


def test_403_missing_scope(api: respx.MockRouter, http: HubSpotHttp) -> None:
    api.get(LOGIN).mock(
        return_value=httpx.Response(403, json=missing_scopes_body("account-info.security.read"))
    )
    with pytest.raises(Forbidden, match=r"needs the scope account-info\.security\.read"):
        _collect(http)


def test_401_first_call_is_authentication_error(api: respx.MockRouter, http: HubSpotHttp) -> None:
    api.get(LOGIN).mock(
        return_value=httpx.Response(401, json={"category": "INVALID_AUTHENTICATION"})
    )
    with pytest.raises(AuthenticationError):
        _collect(http)


def test_401_after_a_success_is_a_gap_not_auth_error(
    api: respx.MockRouter, http: HubSpotHttp
) -> None:
    api.get("/account-info/v3/details").mock(return_value=httpx.Response(200, json={}))
    api.get(LOGIN).mock(return_value=httpx.Response(401, json={}))
    http.get("/account-info/v3/details", what="details", scope="-")
    with pytest.raises(ApiError, match="mid-scan"):
        _collect(http)


def test_5xx_retried_with_growing_backoff(
    api: respx.MockRouter, http: HubSpotHttp, sleeps: SleepRecorder
) -> None:
    api.get(LOGIN).mock(side_effect=[httpx.Response(500), httpx.Response(503),
                                     httpx.Response(200, json={"results": []})])  # fmt: skip
    assert _collect(http) == []
    assert len(sleeps.waits) == 2 and sleeps.waits[1] == 2 * sleeps.waits[0]


def test_5xx_forever_is_api_error(api: respx.MockRouter, http: HubSpotHttp) -> None:
    route = api.get(LOGIN).mock(return_value=httpx.Response(500, text="oops"))
    with pytest.raises(ApiError, match="500"):
        _collect(http)
    assert route.call_count == MAX_ATTEMPTS


def test_transport_errors_are_retried_then_api_error(
    api: respx.MockRouter, http: HubSpotHttp, sleeps: SleepRecorder
) -> None:
    # Once a call has succeeded the host is reachable: a failure is transient, retried.
    api.get("/account-info/v3/details").mock(return_value=httpx.Response(200, json={}))
    http.get("/account-info/v3/details", what="details", scope="-")
    api.get(LOGIN).mock(side_effect=httpx.ConnectTimeout("timed out"))
    with pytest.raises(ApiError, match="ConnectTimeout"):
        _collect(http)
    assert len(sleeps.waits) == MAX_ATTEMPTS - 1


def test_connection_failure_on_the_first_call_is_unreachable_host_at_once(
    api: respx.MockRouter, http: HubSpotHttp, sleeps: SleepRecorder
) -> None:
    route = api.get(LOGIN).mock(side_effect=httpx.ConnectError("[Errno 111] Connection refused"))
    with pytest.raises(UnreachableHostError, match=r"api\.hubapi\.test") as caught:
        _collect(http)
    assert caught.value.exit_code == 2
    assert route.call_count == 1 and sleeps.waits == []


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="{not json"),
        httpx.Response(200, json=["a", "list"]),
        httpx.Response(200, json={"results": "nope"}),
        httpx.Response(200, json={"results": [1, 2]}),
        httpx.Response(200, json={"results": [], "paging": {"next": {"link": "x"}}}),
    ],
)
def test_malformed_bodies(
    api: respx.MockRouter, http: HubSpotHttp, response: httpx.Response
) -> None:
    api.get(LOGIN).mock(return_value=response)
    with pytest.raises(MalformedResponseError):
        _collect(http)


def test_repeating_cursor_is_malformed_not_an_endless_loop(
    api: respx.MockRouter, http: HubSpotHttp
) -> None:
    body = {"results": [], "paging": {"next": {"after": "same", "link": "x"}}}
    route = api.get(LOGIN).mock(return_value=httpx.Response(200, json=body))
    with pytest.raises(MalformedResponseError, match="repeats"):
        _collect(http)
    assert route.call_count == 2


def test_token_info_is_the_only_post_and_reads_scopes(
    api: respx.MockRouter, http: HubSpotHttp
) -> None:
    route = api.post(TOKEN_INFO_PATH).mock(
        return_value=httpx.Response(
            200, json={"userId": 1, "hubId": 2, "appId": 3, "scopes": ["oauth"]}
        )  # fmt: skip
    )
    assert http.token_info()["scopes"] == ["oauth"]
    assert route.calls.last.request.read() == b'{"tokenKey":"' + TOKEN.encode() + b'"}'


def test_daily_allowance_headers_are_recorded(api: respx.MockRouter, sleeps: SleepRecorder) -> None:
    calls = CallLog()
    http = HubSpotHttp(BASE, TOKEN, calls=calls, sleep=sleeps)
    headers = {
        "X-HubSpot-RateLimit-Daily": "500000",
        "X-HubSpot-RateLimit-Daily-Remaining": "499000",
    }
    api.get(LOGIN).mock(return_value=httpx.Response(200, json={"results": []}, headers=headers))
    _collect(http)
    assert (calls.daily_limit, calls.daily_remaining, calls.requests) == (500000, 499000, 1)
    assert calls.pages == {"login": 1}
