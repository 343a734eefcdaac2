"""Checks on decoded JSON bodies: anything unexpected is a `MalformedResponseError`."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from scanner.errors import MalformedResponseError

M = TypeVar("M", bound=BaseModel)

#: Pydantic error types in words ("expected text" rather than ``string_type``).
_EXPECTED = {
    "string_type": "text",
    "int_type": "an integer",
    "bool_type": "a boolean",
    "float_type": "a number",
    "list_type": "an array",
    "model_type": "an object",
    "dict_type": "an object",
    "model_attributes_type": "an object",
    "missing": "present",
    "literal_error": "one of the documented values",
}


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


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def shape_problem(exc: ValidationError) -> str:
    """The first problem of ``exc`` in words: the field's path, what it is, what it should be.

    Never the value itself (a record's values stay out of messages and gaps).
    """
    error = exc.errors(include_url=False, include_context=False)[0]
    where = ".".join(str(part) for part in error["loc"]) or "the record"
    expected = _EXPECTED.get(error["type"], error["type"])
    if error["type"] == "missing":
        return f"field {where} is missing"
    return f"field {where} is {_json_type(error['input'])}, expected {expected}"


def as_model(value: Any, model: type[M], what: str) -> M:
    """``value`` checked against ``model`` (strict JSON types), else `MalformedResponseError`.

    The one typed check where a record enters an adapter: a field the adapter reads that
    holds another JSON type than documented (an array for text, the text ``"false"`` for a
    boolean, a number for text), or a required field that is absent, is a malformed
    response, never a value the mapping guesses at.
    """
    try:
        return model.model_validate(value, strict=True)
    except ValidationError as exc:
        raise MalformedResponseError(f"{what}: malformed response: {shape_problem(exc)}") from None


def as_shaped(value: Any, model: type[BaseModel], what: str) -> dict[str, Any]:
    """``value``, a JSON object whose fields ``model`` checks; `MalformedResponseError` if not.

    For mappings that keep reading the raw object: the check gates what enters.
    """
    record = as_dict(value, what)
    as_model(record, model, what)
    return record
