"""Fxiaoke (纷享销客) adapter: departments, employees and CRM roles, read-only.

Importing this package registers ``fxiaoke`` in `scanner.adapter_api.ADAPTERS`.
"""

from __future__ import annotations

from adapters.fxiaoke.adapter import FxiaokeAdapter

__all__ = ["FxiaokeAdapter"]
