"""A targets file: several orgs to scan in one unattended run.

Secrets never live in the file; it names the environment variables, or the files (a
Kubernetes or Docker secret), that hold them::

    notify:
      - webhook_url_env: CRMSCAN_WEBHOOK_URL   # the URL is a secret too
        format: slack                          # or json (default)
        min_severity: high
    targets:
      - name: acme-prod
        platform: salesforce
        policy: strict
        schedule: "0 3 * * *"    # crmscan schedule queues it then (cron, UTC)
        options: {instance_url: "https://acme.my.salesforce.com"}
        env: {access_token: ACME_PROD_SF_TOKEN}
        timeout: 900             # seconds for the whole collection (like scan --timeout)
      - name: acme-marketing
        platform: hubspot
        secret_files: {access_token: /run/secrets/acme_hubspot_token}

A `Target` travels to Celery workers as `Target.to_message`: names of variables and
files only, never their values; each worker reads them from its own environment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.adapter_api import ADAPTERS
from scanner.documents import LoadedDocument, load_file, validate
from scanner.errors import ConfigError

#: A target name is one plain folder name below --out (the schema says the same).
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
#: Largest secret file read (a token or key, not a document).
MAX_SECRET_FILE_BYTES = 64 * 1024


def is_safe_name(name: str) -> bool:
    """True when ``name`` can only name a folder directly below the report folder."""
    return SAFE_NAME.fullmatch(name) is not None and name not in (".", "..")


@dataclass(frozen=True)
class Target:
    """One org to scan."""

    name: str
    platform: str
    options: dict[str, str]
    env: dict[str, str]
    policy: str | None = None
    timeout: float | None = None  #: seconds for the whole collection; None: --timeout
    #: adapter option -> absolute path of the file holding its value
    secret_files: dict[str, str] = field(default_factory=dict)
    schedule: str | None = None  #: five-field cron expression (UTC) for `crmscan schedule`

    def flags(self, environ: Mapping[str, str]) -> dict[str, str | None]:
        """Adapter option values: inline options, then secret files, then the named
        environment variables. Errors name the variable or file, never a value."""
        values: dict[str, str | None] = dict(self.options)
        for option, path in self.secret_files.items():
            values[option] = _read_secret(self.name, option, Path(path))
        for option, variable in self.env.items():
            if variable not in environ:
                raise ConfigError(f"target {self.name}: environment variable {variable} is not set")
            values[option] = environ[variable]
        return values

    def to_message(self) -> dict[str, Any]:
        """This target as plain JSON for a task queue: no secret values, only names."""
        return {
            "name": self.name,
            "platform": self.platform,
            "options": dict(self.options),
            "env": dict(self.env),
            "secret_files": dict(self.secret_files),
            "policy": self.policy,
            "timeout": self.timeout,
            "schedule": self.schedule,
        }

    @classmethod
    def from_message(cls, message: Mapping[str, Any]) -> Target:
        """The target `to_message` described."""
        return cls(
            name=str(message["name"]),
            platform=str(message["platform"]),
            options={str(k): str(v) for k, v in dict(message.get("options") or {}).items()},
            env={str(k): str(v) for k, v in dict(message.get("env") or {}).items()},
            secret_files={
                str(k): str(v) for k, v in dict(message.get("secret_files") or {}).items()
            },
            policy=message.get("policy"),
            timeout=None if message.get("timeout") is None else float(message["timeout"]),
            schedule=message.get("schedule"),
        )


@dataclass(frozen=True)
class Notification:
    """One webhook to tell about new failures and targets that could not be scanned."""

    webhook_url_env: str
    format: str = "json"  #: "json" or "slack"
    min_severity: str = "high"
    include_resources: bool = False
    on_scan_error: bool = True


@dataclass(frozen=True)
class Fleet:
    """A whole targets file: the targets and who to notify."""

    targets: list[Target]
    notify: list[Notification] = field(default_factory=list)


def _read_secret(target: str, option: str, path: Path) -> str:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_SECRET_FILE_BYTES + 1)
    except OSError as exc:
        raise ConfigError(
            f"target {target}: cannot read the secret file for {option} ({path}): "
            f"{exc.strerror or type(exc).__name__}"
        ) from None
    if len(raw) > MAX_SECRET_FILE_BYTES:
        raise ConfigError(f"target {target}: the secret file for {option} ({path}) is too large")
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise ConfigError(
            f"target {target}: the secret file for {option} ({path}) is not UTF-8 text"
        ) from None
    if not text:
        raise ConfigError(f"target {target}: the secret file for {option} ({path}) is empty")
    return text


def load_targets(path: Path | str) -> list[Target]:
    """Read and check a targets file; mistakes name the file, line and field."""
    return load_fleet(path).targets


def load_fleet(path: Path | str) -> Fleet:
    """Read and check a targets file with its notifications."""
    document = load_file(path)
    validate(document, "targets")
    base = Path(path).resolve().parent
    targets: list[Target] = []
    names: set[str] = set()
    for i, entry in enumerate(document.data["targets"]):
        where: list[str | int] = ["targets", i]
        if not is_safe_name(entry["name"]):
            raise document.error(
                [*where, "name"], f"target name {entry['name']!r} is not path-safe"
            )
        # Case-insensitive file systems would put two such targets in one folder.
        if entry["name"].casefold() in names:
            raise document.error([*where, "name"], f"target name {entry['name']!r} is used twice")
        names.add(entry["name"].casefold())
        _check_options(document, where, entry)
        schedule = entry.get("schedule")
        if schedule is not None:
            problem = cron_problem(schedule)
            if problem:
                raise document.error([*where, "schedule"], f"schedule {schedule!r}: {problem}")
        targets.append(
            Target(
                name=entry["name"],
                platform=entry["platform"],
                options={k: str(v) for k, v in entry.get("options", {}).items()},
                env=dict(entry.get("env", {})),
                policy=entry.get("policy"),
                timeout=float(entry["timeout"]) if "timeout" in entry else None,
                secret_files={k: str(base / v) for k, v in entry.get("secret_files", {}).items()},
                schedule=" ".join(schedule.split()) if schedule else None,
            )
        )
    notify = [
        Notification(
            webhook_url_env=n["webhook_url_env"],
            format=n.get("format", "json"),
            min_severity=n.get("min_severity", "high"),
            include_resources=bool(n.get("include_resources", False)),
            on_scan_error=bool(n.get("on_scan_error", True)),
        )
        for n in document.data.get("notify", [])
    ]
    return Fleet(targets, notify)


def _check_options(document: LoadedDocument, where: list[str | int], entry: dict[str, Any]) -> None:
    if entry["platform"] not in ADAPTERS.names():
        known = ", ".join(ADAPTERS.names())
        raise document.error([*where, "platform"], f"unknown platform (known: {known})")
    adapter_options = {o.name: o for o in ADAPTERS.get(entry["platform"]).options}
    given: dict[str, str] = {}
    for section in ("options", "env", "secret_files"):
        for key in entry.get(section, {}):
            option = adapter_options.get(key)
            if option is None:
                known = ", ".join(sorted(adapter_options))
                raise document.error(
                    [*where, section, key],
                    f"'{key}' is not a {entry['platform']} option (known: {known})",
                )
            if section == "options" and option.secret:
                raise document.error(
                    [*where, section, key],
                    f"'{key}' is a secret: name its environment variable under env "
                    "or its file under secret_files instead",
                )
            if key in given:
                raise document.error(
                    [*where, section, key], f"'{key}' is given under {given[key]} already"
                )
            given[key] = section


def cron_problem(expression: str) -> str | None:
    """Why ``expression`` is not a five-field cron expression Celery beat accepts, or None."""
    from celery.schedules import crontab  # Celery parses it the way beat will

    fields = expression.split()
    if len(fields) != 5:
        return "a cron expression has five fields: minute hour day-of-month month day-of-week"
    minute, hour, day_of_month, month, day_of_week = fields
    try:
        crontab(minute, hour, day_of_week, day_of_month, month)
    except (ValueError, TypeError) as exc:
        return f"not a valid cron expression ({exc})"
    return None
