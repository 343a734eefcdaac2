"""Webhooks for new failures at or above a severity, and for targets not scanned.

What is sent (docs/operations.md "Notifications"): the target's name and platform, the
scan id, and per new failure its check id, title and severity; the resource's type, id
and name only when the targets file says ``include_resources: true``. No finding
message, evidence or remediation text leaves (those quote users, groups and settings),
and the whole body goes through `scanner.redact.redact` before it is sent. For a target
that could not be scanned, the reason is crmscan's own error message, already redacted.

The URL comes from the environment variable the targets file names, or from the file
named by the same variable with ``_FILE`` appended (a Docker or Kubernetes secret; a
Slack or Teams incoming-webhook URL is a credential): it is registered as a secret, so
it never shows in a log or message, and it must be ``https://`` (``http://`` only to a loopback
address, for a local relay or a test receiver).

Sending retries with exponential back-off (`tenacity`): a connection failure, a timeout,
HTTP 429 (its ``Retry-After`` is honoured up to `MAX_WAIT`) and 5xx are retried up to
`ATTEMPTS` times; any other answer is final.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from scanner.fleet.targets import Notification
from scanner.language.check_spec import SEVERITY_RANK
from scanner.redact import redact, register_secret

_log = logging.getLogger(__name__)

#: Tries per webhook message (the first included).
ATTEMPTS = 5
#: First back-off step in seconds (doubles per attempt).
BASE_WAIT = 0.5
#: Never wait longer than this between two tries.
MAX_WAIT = 30.0
#: Seconds for one request (connect, send, answer).
REQUEST_TIMEOUT = 10.0
#: Most findings listed in one message (the counts always cover all of them).
MAX_LISTED = 50

NEW_FAILURES, SCAN_FAILED = "new_failures", "scan_failed"


@dataclass(frozen=True)
class Event:
    """Something to tell: new failures of a scanned target, or a target not scanned."""

    kind: str  #: new_failures or scan_failed
    target: str
    platform: str
    findings: list[dict[str, Any]] = field(default_factory=list)  #: result-document shape
    scan_id: str | None = None
    reason: str | None = None  #: why the target could not be scanned


@dataclass(frozen=True)
class SendResult:
    """How one message went: ``ok`` and, when not, why (no URL in it)."""

    variable: str
    event: Event
    ok: bool
    attempts: int
    error: str | None = None


class _Retryable(Exception):
    def __init__(self, why: str, retry_after: float | None = None) -> None:
        super().__init__(why)
        self.retry_after = retry_after


def events_for(
    notification: Notification,
    target: str,
    platform: str,
    *,
    new_failures: Iterable[dict[str, Any]] = (),
    scan_id: str | None = None,
    reason: str | None = None,
) -> list[Event]:
    """The events ``notification`` wants for one target's outcome (maybe none).

    ``reason`` set means the target could not be scanned. ``new_failures`` are findings
    in the result document's shape; those below ``min_severity`` or excepted are dropped.
    """
    if reason is not None:
        if not notification.on_scan_error:
            return []
        return [Event(SCAN_FAILED, target, platform, scan_id=scan_id, reason=reason)]
    threshold = SEVERITY_RANK[notification.min_severity]
    chosen = [
        f
        for f in new_failures
        if f.get("status", "FAIL") == "FAIL"
        and SEVERITY_RANK.get(str(f.get("severity")), -1) >= threshold
        and not _excepted(f)
    ]
    if not chosen:
        return []
    chosen.sort(key=lambda f: (-SEVERITY_RANK[f["severity"]], f["check_id"]))
    return [Event(NEW_FAILURES, target, platform, chosen, scan_id=scan_id)]


def _excepted(finding: Mapping[str, Any]) -> bool:
    exception = finding.get("exception")
    return isinstance(exception, Mapping) and not exception.get("expired", False)


def _listed(finding: Mapping[str, Any], include_resources: bool) -> dict[str, Any]:
    item: dict[str, Any] = {
        "check_id": finding["check_id"],
        "title": finding.get("title"),
        "severity": finding["severity"],
    }
    if include_resources:
        resource = finding.get("resource") or {}
        item["resource"] = {k: resource.get(k) for k in ("type", "id", "name")}
    return item


def json_payload(event: Event, notification: Notification) -> dict[str, Any]:
    """crmscan's own webhook body (``format: json``); its keys are documented."""
    body: dict[str, Any] = {
        "source": "crmscan",
        "version": 1,
        "event": event.kind,
        "target": event.target,
        "platform": event.platform,
        "scan_id": event.scan_id,
    }
    if event.kind == SCAN_FAILED:
        body["reason"] = event.reason
        return body
    counts: dict[str, int] = {}
    for finding in event.findings:
        counts[finding["severity"]] = counts.get(finding["severity"], 0) + 1
    body["min_severity"] = notification.min_severity
    body["counts"] = counts
    body["findings"] = [
        _listed(f, notification.include_resources) for f in event.findings[:MAX_LISTED]
    ]
    body["truncated"] = len(event.findings) > MAX_LISTED
    return body


def _mrkdwn(text: object) -> str:
    """``text`` safe inside Slack mrkdwn (its three control characters escaped)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(event: Event, notification: Notification) -> dict[str, Any]:
    """A Slack-compatible incoming-webhook message (``format: slack``): text + blocks."""
    where = f"{_mrkdwn(event.target)} ({_mrkdwn(event.platform)})"
    if event.kind == SCAN_FAILED:
        text = f"crmscan could not scan {where}: {_mrkdwn(event.reason)}"
        return {"text": text, "blocks": [_section(f":warning: {text}")]}
    count = len(event.findings)
    text = (
        f"crmscan: {count} new failing finding{'s' if count != 1 else ''} "
        f"at {_mrkdwn(notification.min_severity)} or above on {where}"
    )
    lines = []
    for finding in event.findings[:MAX_LISTED]:
        item = _listed(finding, notification.include_resources)
        line = f"• *{_mrkdwn(item['severity'].upper())}* `{_mrkdwn(item['check_id'])}`"
        if item["title"]:
            line += f" {_mrkdwn(item['title'])}"
        resource = item.get("resource")
        if resource:
            line += f" — {_mrkdwn(resource['type'])} {_mrkdwn(resource['name'] or resource['id'])}"
        lines.append(line)
    if count > MAX_LISTED:
        lines.append(f"… and {count - MAX_LISTED} more")
    return {"text": text, "blocks": [_section(text), _section("\n".join(lines)[:2900])]}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


PAYLOADS: dict[str, Callable[[Event, Notification], dict[str, Any]]] = {
    "json": json_payload,
    "slack": slack_payload,
}


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_problem(url: str) -> str | None:
    """Why ``url`` is not a webhook URL crmscan sends to, or None."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname and _loopback(parts.hostname):
        return None
    return "not an https:// URL (http:// is accepted for loopback addresses only)"


def webhook_url(variable: str, environ: Mapping[str, str]) -> str | None:
    """The URL in ``$variable``, else in the file ``$variable_FILE`` names (a Docker or
    Kubernetes secret), else None. The file's content is stripped of surrounding space."""
    value = environ.get(variable)
    if value:
        return value.strip()
    path = environ.get(f"{variable}_FILE")
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read(64 * 1024).strip() or None
    except (OSError, UnicodeDecodeError):
        return None


class Notifier:
    """Sends the events of each outcome to every configured webhook.

    ``transport`` replaces httpx's (tests); ``sleep`` replaces the back-off's waits.
    """

    def __init__(
        self,
        notifications: Iterable[Notification],
        environ: Mapping[str, str],
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.notifications = list(notifications)
        self._urls = {
            n.webhook_url_env: webhook_url(n.webhook_url_env, environ) for n in self.notifications
        }
        self._transport = transport
        self._sleep = sleep
        for url in self._urls.values():
            register_secret(url)

    def problems(self) -> list[str]:
        """What keeps a webhook from being used (unset variable, bad URL), before scanning."""
        found = []
        for n in self.notifications:
            url = self._urls.get(n.webhook_url_env)
            if not url:
                found.append(
                    f"notify: environment variable {n.webhook_url_env} "
                    f"(or {n.webhook_url_env}_FILE) is not set"
                )
            elif (problem := url_problem(url)) is not None:
                found.append(f"notify: the URL in {n.webhook_url_env} is {problem}")
        return found

    def notify(
        self,
        target: str,
        platform: str,
        *,
        new_failures: Iterable[dict[str, Any]] = (),
        scan_id: str | None = None,
        reason: str | None = None,
    ) -> list[SendResult]:
        """Tell every webhook what it wants of one target's outcome."""
        findings = list(new_failures)
        results = []
        for notification in self.notifications:
            events = events_for(
                notification,
                target,
                platform,
                new_failures=findings,
                scan_id=scan_id,
                reason=reason,
            )
            for event in events:
                results.append(self._send(notification, event))
        return results

    def _send(self, notification: Notification, event: Event) -> SendResult:
        variable = notification.webhook_url_env
        url = self._urls.get(variable)
        if not url or url_problem(url) is not None:
            why = "is not set" if not url else "does not hold a usable URL"
            return SendResult(variable, event, False, 0, f"environment variable {variable} {why}")
        body = redact(json.dumps(PAYLOADS[notification.format](event, notification)))
        retrying = Retrying(
            stop=stop_after_attempt(ATTEMPTS),
            wait=_wait,
            retry=retry_if_exception_type(_Retryable),
            reraise=True,
            sleep=self._sleep or time.sleep,
        )
        attempts = 0
        try:
            with httpx.Client(
                transport=self._transport, timeout=REQUEST_TIMEOUT, follow_redirects=False
            ) as client:
                for attempt in retrying:
                    with attempt:
                        attempts += 1
                        _post(client, url, body)
        except _Retryable as exc:
            return self._failed(variable, event, attempts, str(exc))
        except _Final as exc:
            return self._failed(variable, event, attempts, str(exc))
        return SendResult(variable, event, True, attempts)

    def _failed(self, variable: str, event: Event, attempts: int, why: str) -> SendResult:
        why = redact(why)
        _log.warning("webhook %s: %s after %d attempt(s)", variable, why, attempts)
        return SendResult(variable, event, False, attempts, why)


class _Final(Exception):
    """An answer that retrying will not change (4xx other than 429, a redirect)."""


def _post(client: httpx.Client, url: str, body: str) -> None:
    try:
        response = client.post(url, content=body, headers={"Content-Type": "application/json"})
    except httpx.TimeoutException:
        raise _Retryable("the webhook did not answer in time") from None
    except httpx.TransportError as exc:
        raise _Retryable(f"could not reach the webhook ({type(exc).__name__})") from None
    status = response.status_code
    if status == 429 or status >= 500:
        raise _Retryable(f"the webhook answered HTTP {status}", _retry_after(response))
    if status >= 300:
        raise _Final(f"the webhook answered HTTP {status}")


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


_backoff = wait_exponential(multiplier=BASE_WAIT, max=MAX_WAIT)


def _wait(state: RetryCallState) -> float:
    """Exponential back-off, or the server's ``Retry-After`` (capped) when it gave one."""
    exc = state.outcome.exception() if state.outcome is not None else None
    if isinstance(exc, _Retryable) and exc.retry_after is not None:
        return min(exc.retry_after, MAX_WAIT)
    return float(_backoff(state))
