"""What an adapter is, and the registry the scanner finds adapters through.

An adapter fetches one platform's data and normalizes it into an `Inventory`. It never
evaluates anything and never writes to the CRM. The scanner never imports an adapter
module directly: it asks `ADAPTERS` for a platform name.

To add a platform, subclass `Adapter` in ``adapters/<platform>/`` and decorate it with
``@ADAPTERS.register("<platform>")``; import the module from ``adapters/__init__.py`` (or
advertise it under the ``crmscan.adapters`` entry-point group).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from scanner.model.capabilities import Capabilities
from scanner.model.inventory import Inventory
from scanner.registry import Registry


@dataclass(frozen=True)
class AdapterOption:
    """A command-line option an adapter takes.

    ``name`` is the option's key (``instance_url`` for ``--instance-url``); ``envvar`` is
    read when the flag is not given. ``secret`` values are registered for redaction and
    never echoed.
    """

    name: str
    help: str
    envvar: str | None = None
    secret: bool = False
    is_flag: bool = False


@dataclass(frozen=True)
class CollectionScope:
    """What the policy asks the adapter to look at beyond the fixed collections."""

    sensitive_objects: tuple[str, ...] = ()
    sensitive_fields: tuple[str, ...] = ()  # "Object.Field"
    login_history_days: int = 30
    api_reserve_percent: float = 10.0
    max_workers: int = 4
    health_check_baseline: str | None = None  # path to a Health Check baseline XML
    #: Objects whose validation, duplicate and matching rules are collected (DATA-001/002).
    key_objects: tuple[str, ...] = ()
    #: Objects whose records older than ``retention_days`` are counted, never read (DATA-007).
    personal_data_objects: tuple[str, ...] = ()
    retention_days: int = 1095
    #: When the whole collection must end, as a `time.monotonic()` instant (``--timeout``);
    #: None = no deadline. Past it, adapters record what is left as ``api_error`` gaps
    #: (`adapters.http.Deadline` reads it).
    deadline: float | None = None


class ProgressReporter(Protocol):
    """Told about collection progress, so the CLI can show it."""

    def started(self, collection: str) -> None: ...

    def finished(self, collection: str, ok: bool) -> None: ...


class NullProgress:
    """A `ProgressReporter` that shows nothing."""

    def started(self, collection: str) -> None:
        """Ignore."""

    def finished(self, collection: str, ok: bool) -> None:
        """Ignore."""


@dataclass
class AdapterSettings:
    """Option values for one adapter: from flags, then environment variables."""

    values: dict[str, str | None] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        """The value of option ``name``, or None."""
        return self.values.get(name)


class Adapter(ABC):
    """Collects one platform's inventory. Subclasses set `platform` and `options`."""

    platform: ClassVar[str]
    options: ClassVar[tuple[AdapterOption, ...]] = ()
    #: What this platform provides, per collection (see `scanner.model.capabilities`).
    #: `collect` copies the declarations into ``Inventory.capabilities``.
    capabilities: ClassVar[Capabilities] = Capabilities()

    def __init__(self, settings: AdapterSettings) -> None:
        self.settings = settings

    @classmethod
    def settings_from(
        cls, flags: Mapping[str, str | None], environ: Mapping[str, str]
    ) -> AdapterSettings:
        """Resolve this adapter's options from CLI flags, falling back to ``environ``."""
        from scanner.redact import register_secret

        values: dict[str, str | None] = {}
        for option in cls.options:
            value = flags.get(option.name)
            if value in (None, "") and option.envvar:
                value = environ.get(option.envvar)
            if option.secret:
                register_secret(value)
            values[option.name] = value
        return AdapterSettings(values)

    @classmethod
    def demo(cls) -> Adapter | None:
        """An instance wired to bundled, offline sample data (for ``crmscan demo``).

        None when the platform ships no sample org.
        """
        return None

    @classmethod
    def has_demo(cls) -> bool:
        """True when the adapter overrides `demo` (ships a sample org)."""
        return cls.demo.__func__ is not Adapter.demo.__func__  # type: ignore[attr-defined]

    @abstractmethod
    def collect(self, scope: CollectionScope, progress: ProgressReporter) -> Inventory:
        """Fetch and normalize the tenant's inventory.

        Raises `AuthenticationError` or `ConfigError` when nothing can be collected;
        every other failure becomes a gap in the returned inventory.
        """


ADAPTERS: Registry[type[Adapter]] = Registry("adapters", "adapters")
