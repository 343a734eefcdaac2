"""A targets file: several orgs to scan in one unattended run.

Secrets never live in the file; it names the environment variables that hold them::

    targets:
      - name: acme-prod
        platform: salesforce
        policy: strict
        options: {instance_url: "https://acme.my.salesforce.com"}
        env: {access_token: ACME_PROD_SF_TOKEN}
        timeout: 900        # seconds for the whole collection (like scan --timeout)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from scanner.adapter_api import ADAPTERS
from scanner.documents import load_file, validate
from scanner.errors import ConfigError


@dataclass(frozen=True)
class Target:
    """One org to scan."""

    name: str
    platform: str
    options: dict[str, str]
    env: dict[str, str]
    policy: str | None = None
    timeout: float | None = None  #: seconds for the whole collection; None: --timeout

    def flags(self, environ: Mapping[str, str]) -> dict[str, str | None]:
        """Adapter option values: inline options, then the named environment variables."""
        values: dict[str, str | None] = dict(self.options)
        for option, variable in self.env.items():
            if variable not in environ:
                raise ConfigError(f"target {self.name}: environment variable {variable} is not set")
            values[option] = environ[variable]
        return values


def load_targets(path: Path | str) -> list[Target]:
    """Read and check a targets file; mistakes name the file, line and field."""
    document = load_file(path)
    validate(document, "targets")
    targets: list[Target] = []
    names: set[str] = set()
    for i, entry in enumerate(document.data["targets"]):
        where: list[str | int] = ["targets", i]
        if entry["name"] in names:
            raise document.error([*where, "name"], f"target name {entry['name']!r} is used twice")
        names.add(entry["name"])
        if entry["platform"] not in ADAPTERS.names():
            known = ", ".join(ADAPTERS.names())
            raise document.error([*where, "platform"], f"unknown platform (known: {known})")
        adapter_options = {o.name: o for o in ADAPTERS.get(entry["platform"]).options}
        for section in ("options", "env"):
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
                        f"'{key}' is a secret: name its environment variable under env instead",
                    )
        targets.append(
            Target(
                name=entry["name"],
                platform=entry["platform"],
                options={k: str(v) for k, v in entry.get("options", {}).items()},
                env=dict(entry.get("env", {})),
                policy=entry.get("policy"),
                timeout=float(entry["timeout"]) if "timeout" in entry else None,
            )
        )
    return targets
