"""Import every built-in output format so that each registers itself."""

from __future__ import annotations

from scanner.outputs import console, json_format  # noqa: F401
