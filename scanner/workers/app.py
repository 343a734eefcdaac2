"""The Celery application: Redis broker, late acknowledgement, time limits.

Every setting that makes a killed worker's scan run again elsewhere is here:

- ``task_acks_late``: a task is acknowledged when it ends, not when it is received, so
  a task whose worker dies stays in Redis and another worker gets it;
- ``task_reject_on_worker_lost``: a task whose pool process was killed (the hard time
  limit, the OOM killer, ``kill -9``) is put back in the queue rather than marked failed;
- ``worker_prefetch_multiplier = 1``: a worker holds one task per process at a time, so
  queued targets are not stranded behind a long scan;
- the broker's ``visibility_timeout`` (longer than the hard time limit) is when Redis
  hands a dead worker's unacknowledged task to another worker;
- no result backend: results go to the posture store.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, signals

from scanner.redact import install_log_filter
from scanner.workers.settings import WorkerSettings

app = Celery("crmscan", include=["scanner.workers.tasks"])


def _redact_logs(logger: Any, **_kwargs: Any) -> None:
    """Celery's own log handlers redact secrets too."""
    install_log_filter(logger)


signals.after_setup_logger.connect(_redact_logs, weak=False)
signals.after_setup_task_logger.connect(_redact_logs, weak=False)


def configure(settings: WorkerSettings | None = None) -> Celery:
    """Apply ``settings`` (default: from the environment) to `app`; returns it."""
    chosen = settings or WorkerSettings.from_env()
    transport: dict[str, Any] = {
        "visibility_timeout": chosen.visibility_timeout,
        "unacked_restore_interval": chosen.restore_interval,
        "unacked_restore_throttle": 1,
    }
    if chosen.broker_prefix:
        transport["global_keyprefix"] = chosen.broker_prefix
    app.conf.update(
        broker_url=chosen.broker_url,
        broker_transport_options=transport,
        broker_connection_retry_on_startup=True,
        result_backend=None,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        task_default_queue=chosen.queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_time_limit=chosen.time_limit,
        task_soft_time_limit=chosen.soft_time_limit,
        worker_prefetch_multiplier=1,
        worker_send_task_events=True,
        timezone="UTC",
        enable_utc=True,
    )
    app.conf.crmscan_settings = chosen
    return app


def current_settings() -> WorkerSettings:
    """The settings `configure` applied (configuring from the environment if none)."""
    settings = app.conf.get("crmscan_settings")
    if not isinstance(settings, WorkerSettings):
        configure()
        settings = app.conf.crmscan_settings
    assert isinstance(settings, WorkerSettings)
    return settings
