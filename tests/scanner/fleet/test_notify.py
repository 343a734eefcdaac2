"""Webhook payloads and sending rules (httpx mock transport; the loopback receiver is in
test_jobs.py and the worker end-to-end test)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from scanner.fleet.targets import Notification
from scanner.notify import Notifier, json_payload, slack_payload
from scanner.notify.webhook import ATTEMPTS, Event, url_problem, webhook_url

FINDING = {
    "check_id": "PRIV-002",
    "title": "Super admins <b> & co",
    "severity": "critical",
    "status": "FAIL",
    "resource": {"type": "users", "id": "7", "name": "ann@example.test"},
    "message": "ann@example.test is a super admin",
    "exception": None,
}


def test_payloads_carry_only_what_was_configured() -> None:
    event = Event("new_failures", "acme", "hubspot", [FINDING], scan_id="s-1")
    plain = json_payload(event, Notification("HOOK"))
    assert plain["findings"] == [
        {"check_id": "PRIV-002", "title": FINDING["title"], "severity": "critical"}
    ]
    assert "ann@example.test" not in json.dumps(plain)
    opted = json_payload(event, Notification("HOOK", include_resources=True))
    assert opted["findings"][0]["resource"] == FINDING["resource"]
    assert "is a super admin" not in json.dumps(opted)  # messages never leave
    slack = slack_payload(event, Notification("HOOK", format="slack"))
    assert "&lt;b&gt; &amp; co" in slack["blocks"][1]["text"]["text"]
    many = Event("new_failures", "acme", "hubspot", [FINDING] * 60)
    assert json_payload(many, Notification("HOOK"))["truncated"] is True
    assert (
        "and 10 more"
        in slack_payload(many, Notification("HOOK", format="slack"))["blocks"][1]["text"]["text"]
    )


def test_severity_threshold_and_exceptions() -> None:
    sent: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(200)

    env = {"HOOK": "https://hooks.example.test/x"}
    notifier = Notifier(
        [Notification("HOOK", min_severity="critical")], env, transport=httpx.MockTransport(handler)
    )
    medium = {**FINDING, "severity": "medium"}
    excepted = {**FINDING, "exception": {"expires": "2999-01-01", "expired": False}}
    assert notifier.notify("acme", "hubspot", new_failures=[medium, excepted]) == []
    [result] = notifier.notify("acme", "hubspot", new_failures=[FINDING, medium])
    assert result.ok and result.attempts == 1 and len(sent[0]["findings"]) == 1


def test_retries_server_errors_then_gives_up_and_4xx_is_final() -> None:
    calls: list[int] = []

    def failing(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(502)

    env = {"HOOK": "https://hooks.example.test/secret-path-123"}
    notifier = Notifier(
        [Notification("HOOK")], env, transport=httpx.MockTransport(failing), sleep=lambda _s: None
    )
    [result] = notifier.notify("acme", "hubspot", reason="could not connect")
    assert not result.ok and result.attempts == ATTEMPTS == len(calls)
    assert "secret-path-123" not in (result.error or "")
    calls.clear()
    gone = Notifier(
        [Notification("HOOK")],
        env,
        transport=httpx.MockTransport(lambda r: httpx.Response(404)),
        sleep=lambda _s: None,
    )
    [result] = gone.notify("acme", "hubspot", reason="x")
    assert not result.ok and result.attempts == 1


def test_url_from_a_secret_file_and_url_rules(tmp_path: Path) -> None:
    (tmp_path / "url").write_text("https://hooks.example.test/from-file\n")
    assert (
        webhook_url("HOOK", {"HOOK_FILE": str(tmp_path / "url")})
        == "https://hooks.example.test/from-file"
    )
    assert webhook_url("HOOK", {}) is None
    assert url_problem("http://127.0.0.1:9/x") is None and url_problem("https://a.test") is None
    assert url_problem("http://hooks.example.test/x") and url_problem("ftp://x")
