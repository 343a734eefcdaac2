"""Checks on decoded JSON bodies: anything unexpected is a `MalformedResponseError`."""

from __future__ import annotations

from typing import Any

from scanner.errors import MalformedResponseError


def require(condition: bool, what: str, problem: str) -> None:
    """Raise `MalformedResponseError` about ``what`` unless ``condition`` holds."""
    if not condition:
        raise MalformedResponseError(f"{what}: malformed response: {problem}")


def as_dict(value: Any, what: str) -> dict[str, Any]:
    """``value`` if it is a JSON object, else `MalformedResponseError`."""
    require(isinstance(value, dict), what, f"expected an object, got {type(value).__name__}")
    result: dict[str, Any] = value
    return result


def as_list(value: Any, what: str) -> list[Any]:
    """``value`` if it is a JSON array, else `MalformedResponseError`."""
    require(isinstance(value, list), what, f"expected an array, got {type(value).__name__}")
    result: list[Any] = value
    return result


def as_records(value: Any, what: str) -> list[dict[str, Any]]:
    """``value`` if it is a JSON array of objects, else `MalformedResponseError`."""
    items = as_list(value, what)
    require(all(isinstance(item, dict) for item in items), what, "an entry is not an object")
    return items
