"""Celery beat's schedule from a targets file: each target's cron ``schedule``, and the
reaper of stuck scans."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

from scanner.fleet.targets import Fleet, Target

#: How often beat asks a worker to look for scans stuck "running" (seconds).
DEFAULT_REAP_EVERY = 300.0


def cron(expression: str) -> crontab:
    """The `crontab` of a five-field cron expression (minute hour dom month dow, UTC)."""
    minute, hour, day_of_month, month, day_of_week = expression.split()
    return crontab(
        minute=minute,
        hour=hour,
        day_of_month=day_of_month,
        month_of_year=month,
        day_of_week=day_of_week,
    )


def beat_schedule(
    fleet: Fleet, options: dict[str, Any], reap_every: float = DEFAULT_REAP_EVERY
) -> dict[str, dict[str, Any]]:
    """Beat entries: one ``crmscan.enqueue`` per distinct schedule (its targets), and
    ``crmscan.reap`` every ``reap_every`` seconds. Targets without a schedule are only
    scanned by ``crmscan enqueue``."""
    by_schedule: dict[str, list[Target]] = {}
    for target in fleet.targets:
        if target.schedule:
            by_schedule.setdefault(target.schedule, []).append(target)
    entries: dict[str, dict[str, Any]] = {}
    for expression, targets in sorted(by_schedule.items()):
        entries[f"scan {expression}"] = {
            "task": "crmscan.enqueue",
            "schedule": cron(expression),
            "args": ([t.to_message() for t in targets], options),
        }
    entries["reap stuck scans"] = {
        "task": "crmscan.reap",
        "schedule": reap_every,
        "args": ([t.to_message() for t in fleet.targets], options),
    }
    return entries
