"""``crmscan worker``, ``crmscan enqueue`` and ``crmscan schedule``: the Celery fleet.

Celery is imported only when one of these commands runs. Broker, queue, store and time
limits come from the environment (`scanner.workers.settings.WorkerSettings`); the
options here override the broker and queue.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import click

from scanner.errors import ConfigError
from scanner.fleet.targets import load_fleet
from scanner.language.check_spec import SEVERITIES

broker_option = click.option(
    "--broker",
    default=None,
    metavar="URL",
    help="Redis broker URL [env: CRMSCAN_BROKER_URL; default redis://127.0.0.1:6379/0].",
)
queue_option = click.option(
    "--queue",
    default=None,
    metavar="NAME",
    help="Queue name [env: CRMSCAN_QUEUE; default crmscan].",
)
config_option = click.option(
    "--config",
    "config",
    type=click.Path(path_type=Path),
    required=True,
    help="The targets file (credentials are named there, never sent through the broker).",
)


def _configure(broker: str | None, queue: str | None) -> Any:
    """The configured Celery app and its settings."""
    from scanner.workers.app import configure
    from scanner.workers.settings import WorkerSettings

    settings = WorkerSettings.from_env()
    if broker:
        settings = dataclasses.replace(settings, broker_url=broker)
    if queue:
        settings = dataclasses.replace(settings, queue=queue)
    return configure(settings), settings


def _options(fail_on: str, policy: str | None, config: Path) -> dict[str, Any]:
    from scanner.workers.tasks import scan_options

    return scan_options(fail_on=fail_on, policy=policy, notify=load_fleet(config).notify)


@click.command("worker")
@broker_option
@queue_option
@click.option(
    "--concurrency",
    type=click.IntRange(min=1, max=64),
    default=1,
    show_default=True,
    help="Scans this worker runs at the same time (one process each).",
)
@click.option(
    "--name", default=None, metavar="NAME", help="Worker node name (default crmscan-PID@HOST)."
)
@click.option(
    "--loglevel",
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
    default="INFO",
    show_default=True,
)
@click.option(
    "--logfile", type=click.Path(path_type=Path), default=None, help="Log here, not stderr."
)
def worker_command(
    broker: str | None,
    queue: str | None,
    concurrency: int,
    name: str | None,
    loglevel: str,
    logfile: Path | None,
) -> None:
    """Run a Celery worker that scans one target per task into the posture store.

    \b
    CRMSCAN_STORE=postgresql://crmscan@db/crmscan crmscan worker --concurrency 4
    """
    app, settings = _configure(broker, queue)
    from scanner.store import open_store

    with open_store(settings.require_store()):  # reachable, schema current: fail now
        pass
    argv = [
        "worker",
        f"--concurrency={concurrency}",
        f"--queues={settings.queue}",
        f"--hostname={name or f'crmscan-{os.getpid()}@%h'}",
        f"--loglevel={loglevel.upper()}",
        "--pool=prefork",  # time limits and reject-on-worker-lost need it
        "--without-gossip",
        "--without-mingle",
    ]
    if logfile is not None:
        argv.append(f"--logfile={logfile}")
    app.worker_main(argv)


@click.command("enqueue")
@config_option
@broker_option
@queue_option
@click.option(
    "--target",
    "names",
    multiple=True,
    metavar="NAME",
    help="Queue only this target (repeatable; default: every target in the file).",
)
@click.option("--fail-on", type=click.Choice(SEVERITIES), default="low", show_default=True)
@click.option("--policy", "policy", default=None, metavar="NAME|FILE", help="Default policy.")
def enqueue_command(
    config: Path,
    broker: str | None,
    queue: str | None,
    names: tuple[str, ...],
    fail_on: str,
    policy: str | None,
) -> None:
    """Queue a scan of every target of a targets file for the workers."""
    fleet = load_fleet(config)
    targets = fleet.targets
    if names:
        known = {t.name for t in targets}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ConfigError(f"no target {', '.join(unknown)} in {config}")
        targets = [t for t in targets if t.name in names]
    _configure(broker, queue)
    from scanner.workers.tasks import enqueue_targets

    ids = enqueue_targets(targets, _options(fail_on, policy, config))
    for target, task_id in zip(targets, ids, strict=True):
        click.echo(f"queued {target.name}  task {task_id}")


@click.command("schedule")
@config_option
@broker_option
@queue_option
@click.option("--fail-on", type=click.Choice(SEVERITIES), default="low", show_default=True)
@click.option("--policy", "policy", default=None, metavar="NAME|FILE", help="Default policy.")
@click.option(
    "--reap-every",
    type=click.FloatRange(min=1),
    default=300.0,
    show_default=True,
    metavar="SECONDS",
    help="How often a worker looks for scans stuck 'running' past the time limit.",
)
@click.option(
    "--schedule-file",
    type=click.Path(path_type=Path),
    default=None,
    help="Where beat keeps when each entry last ran (default: user state folder).",
)
@click.option(
    "--loglevel",
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
    default="INFO",
    show_default=True,
)
def schedule_command(
    config: Path,
    broker: str | None,
    queue: str | None,
    fail_on: str,
    policy: str | None,
    reap_every: float,
    schedule_file: Path | None,
    loglevel: str,
) -> None:
    """Run Celery beat: queue each target on its cron ``schedule`` (UTC), reap stuck scans."""
    import platformdirs

    fleet = load_fleet(config)
    app, _settings = _configure(broker, queue)
    from scanner.workers.beat import beat_schedule

    app.conf.beat_schedule = beat_schedule(fleet, _options(fail_on, policy, config), reap_every)
    for name, entry in app.conf.beat_schedule.items():
        click.echo(f"beat: {name}: {entry['task']} ({len(entry['args'][0])} target(s))", err=True)
    path = schedule_file or platformdirs.user_state_path("crmscan", appauthor=False) / "beat"
    path.parent.mkdir(parents=True, exist_ok=True)
    app.Beat(schedule=str(path), loglevel=loglevel.upper()).run()


def register(group: click.Group) -> None:
    """Add ``worker``, ``enqueue`` and ``schedule`` to ``group``."""
    for command in (worker_command, enqueue_command, schedule_command):
        group.add_command(command)
