"""Turn observed inventory values into JSON evidence and into text for messages."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel

NOT_COLLECTED = "not collected"


def to_json(value: Any) -> Any:
    """``value`` as plain JSON data (models dumped, timestamps in ISO 8601)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and all(type(v) is str for v in value):
        return list(value)  # the common case (permission names): no call per item
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [to_json(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    return str(value)


def display(value: Any) -> str:
    """A short human form of ``value`` for messages."""
    if value is None:
        return NOT_COLLECTED
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, BaseModel):
        name = getattr(value, "name", None) or getattr(value, "id", None)
        return str(name) if name is not None else value.model_dump_json()
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(display(v) for v in value) if value else "none"
    return str(value)
