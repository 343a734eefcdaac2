"""Platform adapters. Importing this package registers every built-in adapter."""

from __future__ import annotations

import importlib
import logging

_log = logging.getLogger(__name__)

# Each platform is imported by name so that one platform's missing optional dependency
# does not hide the others.
for _platform in ("salesforce", "hubspot", "zoho", "fxiaoke", "dynamics"):
    try:
        importlib.import_module(f"adapters.{_platform}")
    except ModuleNotFoundError as exc:  # pragma: no cover - only before a platform exists
        if exc.name != f"adapters.{_platform}":
            raise
        _log.debug("adapter %s is not available: %s", _platform, exc)
