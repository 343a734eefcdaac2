"""HttpClient: query parameters built per attempt (a request id new on every request)."""

from __future__ import annotations

import itertools

import httpx

from adapters.http import (
    ACCEPT,
    Answer,
    Attempt,
    Decision,
    HttpClient,
    Retry,
    RetryCore,
    RetryPolicy,
)


def test_callable_params_are_built_for_every_attempt() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.params["id"])
        return httpx.Response(503 if len(seen) == 1 else 200, json={})

    def decide(answer: Answer, attempt: Attempt) -> Decision:
        return ACCEPT if answer.ok else Retry(seconds=0)

    counter = itertools.count(1)
    core = RetryCore(policy=RetryPolicy(max_attempts=3), sleep=lambda _: None)
    client = HttpClient(
        "https://api.example.test",
        decide=decide,
        core=core,
        allow=["POST /read"],
        transport=httpx.MockTransport(handler),
    )
    with client:
        client.post_json("/read", {}, what="read", params=lambda: {"id": f"r{next(counter)}"})
    assert seen == ["r1", "r2"]
