"""One tiny plugin registry, used for adapters and for output formats."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from typing import Generic, TypeVar

from scanner.errors import ConfigError

T = TypeVar("T")


class Registry(Generic[T]):
    """Named plugins of one kind.

    Built-in plugins register themselves with `register` when their module is imported;
    `load` imports the built-in package named at construction and every module
    advertised under the ``crmscan.<kind>`` entry-point group, so third-party packages
    can add adapters or formats without touching crmscan.
    """

    def __init__(self, kind: str, builtin_package: str) -> None:
        self.kind = kind
        self._builtin_package = builtin_package
        self._plugins: dict[str, T] = {}
        self._loaded = False

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator that registers a plugin under ``name``."""

        def decorate(plugin: T) -> T:
            if name in self._plugins and self._plugins[name] is not plugin:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            self._plugins[name] = plugin
            return plugin

        return decorate

    def load(self) -> None:
        """Import built-in and entry-point plugins once."""
        if self._loaded:
            return
        self._loaded = True
        importlib.import_module(self._builtin_package)
        for entry in entry_points(group=f"crmscan.{self.kind}"):
            entry.load()

    def get(self, name: str) -> T:
        """The plugin called ``name``; a ConfigError listing the known names otherwise."""
        self.load()
        try:
            return self._plugins[name]
        except KeyError:
            known = ", ".join(sorted(self._plugins)) or "none"
            raise ConfigError(f"unknown {self.kind} {name!r} (known: {known})") from None

    def names(self) -> list[str]:
        """Sorted names of every registered plugin."""
        self.load()
        return sorted(self._plugins)

    def __iter__(self) -> Iterator[tuple[str, T]]:
        self.load()
        return iter(sorted(self._plugins.items()))
