"""Scan a fleet of targets on one machine, several at a time.

`run_fleet` scans each `Target` through the one pipeline (`scanner.pipeline.collect` and
`run_scan`) in a bounded pool of threads (``jobs``). The work is I/O bound (waiting on
CRM APIs), and everything the pipeline shares between scans is thread-safe: the adapter
registry is read-only, `scanner.redact` guards its secret registry with a lock, and each
scan builds its own adapter, HTTP clients and inventory. Threads rather than processes
also keep the registered secrets of every target redacted in every other's messages.

Guarantees:

- never two scans of one target at once: each scan holds the target's lock (a
  process-wide lock, and the posture store's `target_lock` when the request records
  into a store, which also holds across processes and, on PostgreSQL, machines); a
  target whose lock is taken is reported ``busy`` and not scanned;
- one target failing (bad credentials, unreachable, a bug) or hanging (its ``timeout``
  deadline, the existing ``--timeout`` machinery) ends only that target's scan;
- each target's `TargetOutcome` goes to ``on_done`` as soon as it is known (printing,
  notifications), from the thread that scanned it, one call at a time.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from scanner import pipeline
from scanner.adapter_api import ProgressReporter
from scanner.errors import (
    EXIT_GATE_FAILED,
    EXIT_INCOMPLETE,
    EXIT_OK,
    EXIT_USAGE,
    CrmscanError,
    TargetBusyError,
)
from scanner.fleet.targets import Target
from scanner.notify.webhook import Notifier, SendResult
from scanner.results.reader import ResultReader
from scanner.sanitize import clean_message
from scanner.store import open_store

_log = logging.getLogger(__name__)

#: Outcome names, from best to worst as `TargetOutcome.status` reports them.
OK, FINDINGS, INCOMPLETE, BUSY, ERROR = "ok", "findings", "incomplete", "busy", "error"

LockFactory = Callable[[Target], AbstractContextManager[Any]]


class TargetBusy(Exception):
    """Raised by a lock factory when another scan of the target holds its lock."""


@dataclass
class TargetOutcome:
    """What happened to one target."""

    target: Target
    status: str  #: ok, findings (gate failed), incomplete, busy, error
    exit_code: int
    seconds: float
    outcome: pipeline.ScanOutcome | None = None
    error: str | None = None  #: why it could not be scanned (no secret in it)
    notified: list[SendResult] = field(default_factory=list)

    @property
    def failing(self) -> dict[str, int]:
        """FAIL findings per severity (empty when not scanned)."""
        if self.outcome is None:
            return {}
        by_severity = self.outcome.document.get("summary", {}).get("by_severity", {})
        return {s: counts.get("FAIL", 0) for s, counts in by_severity.items()}


@dataclass
class FleetRun:
    """Everything `run_fleet` needs besides the targets."""

    #: The pipeline request of one target (policy, formats, out folder, store...).
    request_for: Callable[[Target], pipeline.ScanRequest]
    jobs: int = 1
    timeout: float | None = None  #: default per-target deadline (a target's own wins)
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    progress_for: Callable[[Target], ProgressReporter | None] = lambda _t: None
    #: Extra lock per target (the store's); the process-wide lock is always taken.
    lock_for: LockFactory | None = None
    on_done: Callable[[TargetOutcome], None] = lambda _o: None
    notifier: Notifier | None = None


_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


@contextlib.contextmanager
def process_lock(name: str) -> Iterator[None]:
    """Hold the in-process lock of target ``name``; `TargetBusy` if it is held."""
    with _process_locks_guard:
        lock = _process_locks.setdefault(name, threading.Lock())
    if not lock.acquire(blocking=False):
        raise TargetBusy(name)
    try:
        yield
    finally:
        lock.release()


def run_fleet(targets: list[Target], run: FleetRun) -> list[TargetOutcome]:
    """Scan ``targets``, at most ``run.jobs`` at a time; outcomes in the targets' order."""
    if run.jobs < 1:
        raise ValueError("jobs must be at least 1")
    reported = threading.Lock()

    def one(target: Target) -> TargetOutcome:
        result = scan_target(target, run)
        if run.notifier is not None and result.status != BUSY:
            result.notified = notify_outcome(run.notifier, result)
        with reported:
            try:
                run.on_done(result)
            except Exception as exc:  # a printing bug must not stop the fleet
                _log.error("reporting %s failed: %s", target.name, type(exc).__name__)
        return result

    if run.jobs == 1 or len(targets) == 1:
        return [one(t) for t in targets]
    with ThreadPoolExecutor(max_workers=run.jobs, thread_name_prefix="crmscan-scan") as pool:
        return list(pool.map(one, targets))


def scan_target(target: Target, run: FleetRun) -> TargetOutcome:
    """Scan one target through the pipeline; never raises for a target's own problem."""
    started = time.monotonic()

    def done(status: str, code: int, **extra: Any) -> TargetOutcome:
        return TargetOutcome(target, status, code, time.monotonic() - started, **extra)

    try:
        with contextlib.ExitStack() as held:
            held.enter_context(process_lock(target.name))
            if run.lock_for is not None:
                held.enter_context(run.lock_for(target))
            request = dataclasses.replace(run.request_for(target), store_target=target.name)
            if request.store is not None:  # also across processes (and machines on PostgreSQL)
                store = held.enter_context(open_store(request.store))
                held.enter_context(store.target_lock(target.name))
            policy = request.policy()
            deadline = target.timeout if target.timeout is not None else run.timeout
            inventory = pipeline.collect(
                target.platform,
                target.flags(run.environ),
                policy,
                run.progress_for(target),
                timeout=deadline,
                capture_raw=request.evidence is not None,
            )
            outcome = pipeline.run_scan(inventory, policy, request)
    except (TargetBusy, TargetBusyError):
        return done(BUSY, EXIT_INCOMPLETE, error="another scan of this target is running")
    except CrmscanError as exc:
        return done(ERROR, EXIT_USAGE, error=clean_message(str(exc)))
    except Exception as exc:  # a bug in one adapter must not stop the other targets
        # No traceback: its frames may quote credentials; the message is redacted.
        _log.error("scanning %s failed: %s: %s", target.name, type(exc).__name__, exc)
        return done(ERROR, EXIT_INCOMPLETE, error=f"internal error ({type(exc).__name__})")
    status = {EXIT_OK: OK, EXIT_GATE_FAILED: FINDINGS}.get(outcome.exit_code, INCOMPLETE)
    return done(status, outcome.exit_code, outcome=outcome)


def new_failures(outcome: pipeline.ScanOutcome) -> list[dict[str, Any]]:
    """The failing findings this scan newly reports, in the result document's shape.

    From the posture store's delta when the scan was recorded there, else from
    ``--history``'s comparison with the last scan, else (nothing to compare with) every
    failing finding: a first scan's failures are all new.
    """
    if outcome.delta is not None:
        titles = {c.get("id"): c.get("title") for c in outcome.document.get("checks", [])}
        return [
            {**f.as_dict(), "title": titles.get(f.check_id)}
            for f in outcome.delta.new_failures
            if f.status == "FAIL"
        ]
    if outcome.changes is not None:
        return list(outcome.changes.new_failures)
    # complete(): a 2.0 finding states its check's title and severity only in checks[].
    return [f for f in ResultReader(outcome.document).attention() if f.get("status") == "FAIL"]


def notify_outcome(notifier: Notifier, result: TargetOutcome) -> list[SendResult]:
    """Send ``result``'s events (new failures, or the target not scanned) to the webhooks."""
    target = result.target
    if result.outcome is None:
        return notifier.notify(target.name, target.platform, reason=result.error or "not scanned")
    return notify_outcome_of(notifier, target, result.outcome)


def notify_outcome_of(
    notifier: Notifier, target: Target, outcome: pipeline.ScanOutcome
) -> list[SendResult]:
    """Send the new failures of a scanned target to the webhooks."""
    return notifier.notify(
        target.name,
        target.platform,
        new_failures=new_failures(outcome),
        scan_id=outcome.document.get("scan_id"),
    )


def fleet_exit_code(outcomes: list[TargetOutcome]) -> int:
    """The run's exit code: 1 if any gate failed, else 3 if any target was incomplete,
    busy or could not be scanned, else 0; 2 only when no target could be scanned at all
    (the same rule as before ``--jobs``)."""
    codes = [o.exit_code for o in outcomes]
    if codes and all(o.status == ERROR and o.exit_code == EXIT_USAGE for o in outcomes):
        return EXIT_USAGE
    if EXIT_GATE_FAILED in codes:
        return EXIT_GATE_FAILED
    if any(code in (EXIT_USAGE, EXIT_INCOMPLETE) for code in codes):
        return EXIT_INCOMPLETE
    return EXIT_OK
