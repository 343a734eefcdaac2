"""The Celery tasks: scan one target, fan a fleet out, reap scans stuck "running".

A task message carries a target as `Target.to_message` (option values that are not
secret, and the *names* of the environment variables and secret files that hold the
secrets) plus when the scan was requested: every worker reads the credentials from its
own environment and files. Nothing secret crosses the broker.

One scan per target at a time across all workers: `scan` holds the posture store's
`target_lock` (a PostgreSQL advisory lock) for the whole scan; a task that finds the
target busy retries later. Because tasks are acknowledged late, a worker killed
mid-scan leaves its task in Redis for another worker; that worker (holding the lock, so
nobody else is scanning the target) marks the dead scan's row failed and scans again. A
redelivered task whose target has a scan finished since the request is a no-op, so a
request is never scanned twice; after `WorkerSettings.max_attempts` dead attempts it is
given up (a target that kills its worker every time must not loop forever).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, cast

from celery.exceptions import SoftTimeLimitExceeded

from scanner import pipeline
from scanner.errors import CrmscanError, TargetBusyError
from scanner.fleet.runner import notify_outcome_of
from scanner.fleet.targets import Notification, Target
from scanner.notify import Notifier
from scanner.sanitize import clean_message
from scanner.store import PostureStore, open_store
from scanner.workers.app import app, current_settings
from scanner.workers.settings import WorkerSettings

_log = logging.getLogger(__name__)

#: How a scan row whose worker died is marked (and recognised when counting attempts).
ABANDONED = "abandoned: the worker scanning it stopped before finishing"
STUCK = "stuck running past the task time limit: its worker was lost"


def _task(**options: Any) -> Callable[[Callable[..., Any]], Any]:
    """``app.task`` with a type mypy can follow (Celery ships no type information)."""
    return cast(Callable[[Callable[..., Any]], Any], app.task(**options))


def _now() -> datetime:
    return datetime.now(timezone.utc)


def scan_options(
    *, fail_on: str = "low", policy: str | None = None, notify: list[Notification] | None = None
) -> dict[str, Any]:
    """The non-target part of a scan task's message (plain JSON, nothing secret)."""
    return {
        "fail_on": fail_on,
        "policy": policy,
        "notify": [vars(n) for n in notify or []],
    }


def run_target_scan(
    message: Mapping[str, Any],
    requested_at: str,
    options: Mapping[str, Any],
    settings: WorkerSettings,
    environ: Mapping[str, str],
) -> dict[str, Any]:
    """Scan one target into the store, once per request; raises `TargetBusyError`
    when another worker is scanning it. Returns what happened (JSON)."""
    target = Target.from_message(message)
    requested = datetime.fromisoformat(requested_at)
    notifications = [Notification(**n) for n in options.get("notify") or []]
    notifier = Notifier(notifications, environ) if notifications else None
    with open_store(settings.require_store()) as store, store.target_lock(target.name):
        earlier = _settle_earlier_scans(store, target.name, requested)
        if earlier is not None:
            return earlier
        if _dead_attempts(store, target.name, requested) >= settings.max_attempts:
            reason = f"given up after {settings.max_attempts} attempts whose worker died"
            _tell(notifier, target, reason=reason)
            return {"target": target.name, "status": "given_up", "reason": reason}
        scan_id = store.begin_scan(target.name, target.platform)
        _log.info("scanning %s (scan %d)", target.name, scan_id)
        try:
            request = pipeline.ScanRequest(
                policy_ref=target.policy or options.get("policy"),
                fail_on=str(options.get("fail_on") or "low"),
                store=settings.store,
                store_target=target.name,
                store_scan_id=scan_id,
            )
            policy = request.policy()
            inventory = pipeline.collect(
                target.platform,
                target.flags(environ),
                policy,
                timeout=target.timeout or settings.collect_timeout,
            )
            outcome = pipeline.run_scan(inventory, policy, request)
        except SoftTimeLimitExceeded:
            reason = f"the task time limit ({settings.soft_time_limit:g} s) was reached"
            store.fail_scan(scan_id, reason)
            _tell(notifier, target, reason=reason)
            return {"target": target.name, "status": "failed", "scan_id": scan_id, "reason": reason}
        except CrmscanError as exc:
            reason = clean_message(str(exc))
            store.fail_scan(scan_id, reason)
            _tell(notifier, target, reason=reason)
            return {"target": target.name, "status": "failed", "scan_id": scan_id, "reason": reason}
        except Exception as exc:
            store.fail_scan(scan_id, f"internal error ({type(exc).__name__})")
            raise
    if notifier is not None:
        notify_outcome_of(notifier, target, outcome)
    delta = outcome.delta
    _log.info("scanned %s (scan %d): exit code %d", target.name, scan_id, outcome.exit_code)
    return {
        "target": target.name,
        "status": "finished",
        "scan_id": scan_id,
        "exit_code": outcome.exit_code,
        "new_failures": len(delta.new_failures) if delta else None,
        "fixed": len(delta.fixed) if delta else None,
    }


def _settle_earlier_scans(
    store: PostureStore, target: str, requested: datetime
) -> dict[str, Any] | None:
    """Mark rows left ``running`` by dead workers failed (the caller holds the lock, so
    nobody is scanning); the result when a scan finished since ``requested`` already."""
    for scan in store.scans(target, limit=50):
        if scan.state == "running":
            try:
                store.fail_scan(scan.id, ABANDONED)
            except CrmscanError:  # settled meanwhile by the reaper
                pass
    for scan in store.scans(target, limit=20):
        if scan.state == "finished" and scan.begun_at >= requested:
            return {"target": target, "status": "already_scanned", "scan_id": scan.id}
    return None


def _dead_attempts(store: PostureStore, target: str, requested: datetime) -> int:
    return sum(
        1
        for s in store.scans(target, limit=50)
        if s.begun_at >= requested and s.state == "failed" and (s.error or "") in (ABANDONED, STUCK)
    )


def _tell(notifier: Notifier | None, target: Target, *, reason: str) -> None:
    if notifier is not None:
        notifier.notify(target.name, target.platform, reason=reason)


@_task(
    bind=True,
    name="crmscan.scan",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
)
def scan(
    self: Any, message: dict[str, Any], requested_at: str, options: dict[str, Any]
) -> dict[str, Any]:
    """Scan one target (see the module's docstring); retried while the target is busy."""
    settings = current_settings()
    try:
        return run_target_scan(message, requested_at, options, settings, _environ())
    except TargetBusyError:
        _log.info("%s is being scanned by another worker: retrying later", message.get("name"))
        raise self.retry(countdown=settings.busy_retry) from None


@_task(name="crmscan.enqueue", acks_late=True)
def enqueue(targets: list[dict[str, Any]], options: dict[str, Any]) -> list[str]:
    """Queue one scan per target, requested now (what beat runs on each schedule)."""
    return enqueue_targets([Target.from_message(t) for t in targets], options)


def enqueue_targets(targets: list[Target], options: Mapping[str, Any]) -> list[str]:
    """Queue one `scan` task per target; their task ids."""
    requested = _now().isoformat()
    return [scan.apply_async(args=[t.to_message(), requested, dict(options)]).id for t in targets]


@_task(name="crmscan.reap", acks_late=True)
def reap(targets: list[dict[str, Any]], options: dict[str, Any]) -> list[dict[str, Any]]:
    """Mark scans stuck ``running`` past the time limit failed, and queue them again."""
    settings = current_settings()
    known = {t["name"]: Target.from_message(t) for t in targets}
    with open_store(settings.require_store()) as store:
        return reap_stuck(store, known, options, timedelta(seconds=settings.time_limit + 60))


def reap_stuck(
    store: PostureStore,
    known: Mapping[str, Target],
    options: Mapping[str, Any],
    older_than: timedelta,
) -> list[dict[str, Any]]:
    """What `reap` does, on an open store; one entry per stuck scan found."""
    reaped = []
    for stuck in store.stuck_scans(older_than):
        try:
            with store.target_lock(stuck.target):  # free: no live worker scans it
                try:
                    store.fail_scan(stuck.id, STUCK)
                except CrmscanError:
                    continue  # settled meanwhile
                newer = any(
                    s.state == "finished" and s.begun_at > stuck.begun_at
                    for s in store.scans(stuck.target, limit=20)
                )
        except TargetBusyError:
            continue  # a worker is scanning the target now: that row is its business
        target = known.get(stuck.target)
        queued = None
        if target is not None and not newer:
            [queued] = enqueue_targets([target], options)
        reaped.append({"target": stuck.target, "scan_id": stuck.id, "requeued": queued})
        _log.warning("reaped scan %s of %s (requeued: %s)", stuck.id, stuck.target, bool(queued))
    return reaped


def _environ() -> Mapping[str, str]:
    """The worker's own environment: where credentials come from."""
    return os.environ
