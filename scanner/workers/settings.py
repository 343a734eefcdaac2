"""Worker settings: from the environment (each worker's own), never from the broker."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from scanner.errors import ConfigError

DEFAULT_BROKER = "redis://127.0.0.1:6379/0"
DEFAULT_QUEUE = "crmscan"


def _number(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, got {raw!r}") from None
    if not value > 0:
        raise ConfigError(f"{name} must be positive, got {raw!r}")
    return value


@dataclass(frozen=True)
class WorkerSettings:
    """How workers, the enqueuer and beat reach each other and how long a scan may take.

    ================================  ==============================================
    ``CRMSCAN_BROKER_URL``            Redis broker (default redis://127.0.0.1:6379/0)
    ``CRMSCAN_QUEUE``                 queue name (default crmscan)
    ``CRMSCAN_STORE``                 posture store the workers record into
                                      (PostgreSQL for several machines)
    ``CRMSCAN_TASK_TIME_LIMIT``       hard limit of one scan task (default 3600 s):
                                      the worker process running it is killed
    ``CRMSCAN_TASK_SOFT_TIME_LIMIT``  soft limit (default hard - 60 s): the scan is
                                      marked failed
    ``CRMSCAN_COLLECT_TIMEOUT``       default collection deadline of a target without
                                      its own ``timeout`` (default soft - 60 s)
    ``CRMSCAN_VISIBILITY_TIMEOUT``    seconds before Redis hands an unacknowledged
                                      task (its worker died) to another worker
                                      (default hard limit + 300 s)
    ``CRMSCAN_RESTORE_INTERVAL``      how often workers look for such tasks (10 s)
    ``CRMSCAN_BROKER_PREFIX``         prefix of every Redis key (isolates fleets
                                      sharing one Redis)
    ``CRMSCAN_BUSY_RETRY``            seconds before a task whose target is being
                                      scanned elsewhere tries again (default 60)
    ``CRMSCAN_MAX_ATTEMPTS``          scans of one request that may die before it is
                                      given up (default 3)
    ================================  ==============================================
    """

    broker_url: str = DEFAULT_BROKER
    queue: str = DEFAULT_QUEUE
    store: str | None = None
    time_limit: float = 3600.0
    soft_time_limit: float = 3540.0
    collect_timeout: float = 3480.0
    visibility_timeout: float = 3900.0
    restore_interval: float = 10.0
    broker_prefix: str | None = None
    busy_retry: float = 60.0
    max_attempts: int = 3

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WorkerSettings:
        """The settings ``environ`` (default: this process's environment) gives."""
        env = os.environ if environ is None else environ
        hard = _number(env, "CRMSCAN_TASK_TIME_LIMIT", 3600.0)
        soft = _number(env, "CRMSCAN_TASK_SOFT_TIME_LIMIT", max(hard - 60.0, hard * 0.9))
        if soft >= hard:
            raise ConfigError("CRMSCAN_TASK_SOFT_TIME_LIMIT must be below CRMSCAN_TASK_TIME_LIMIT")
        collect = _number(env, "CRMSCAN_COLLECT_TIMEOUT", max(soft - 60.0, soft * 0.8))
        visibility = _number(env, "CRMSCAN_VISIBILITY_TIMEOUT", hard + 300.0)
        attempts = int(_number(env, "CRMSCAN_MAX_ATTEMPTS", 3))
        return cls(
            broker_url=env.get("CRMSCAN_BROKER_URL") or DEFAULT_BROKER,
            queue=env.get("CRMSCAN_QUEUE") or DEFAULT_QUEUE,
            store=env.get("CRMSCAN_STORE") or None,
            time_limit=hard,
            soft_time_limit=soft,
            collect_timeout=collect,
            visibility_timeout=visibility,
            restore_interval=_number(env, "CRMSCAN_RESTORE_INTERVAL", 10.0),
            broker_prefix=env.get("CRMSCAN_BROKER_PREFIX") or None,
            busy_retry=_number(env, "CRMSCAN_BUSY_RETRY", 60.0),
            max_attempts=attempts,
        )

    def require_store(self) -> str:
        """The store workers record into; a `ConfigError` when none is configured."""
        if not self.store:
            raise ConfigError(
                "workers record into the posture store: set CRMSCAN_STORE "
                "(postgresql://USER@HOST/DB when workers run on several machines)"
            )
        return self.store
