"""Reading fields of OData records, refusing what does not have the documented shape.

Dataverse and Microsoft Graph answer JSON records; each field the adapter relies on has
a documented type (docs/api/dynamics.md). A record whose key field is missing, or a
field of the wrong type, is a `MalformedResponseError`, which becomes a
``malformed_response`` gap on the collection: never a crash and never a guess.
``null`` is allowed wherever the documentation allows it, and stays None.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone
from typing import Any

from scanner.errors import MalformedResponseError

_EMPTY_DATES = ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00")


def bad(what: str, problem: str) -> MalformedResponseError:
    """The error for a record of ``what`` that does not have the documented shape."""
    return MalformedResponseError(f"{what}: malformed response: {problem}")


def record(value: Any, what: str) -> dict[str, Any]:
    """``value`` if it is a JSON object."""
    if not isinstance(value, dict):
        raise bad(what, f"a record is {type(value).__name__}, not an object")
    return value


def guid(rec: dict[str, Any], key: str, what: str, *, required: bool = False) -> str | None:
    """A ``Edm.Guid`` field, lower-cased; None when null (unless ``required``)."""
    value = rec.get(key)
    if value is None:
        if required:
            raise bad(what, f"{key} is missing")
        return None
    if not isinstance(value, str):
        raise bad(what, f"{key} is {type(value).__name__}, not a GUID string")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise bad(what, f"{key} {value[:40]!r} is not a GUID") from None


def required_guid(rec: dict[str, Any], key: str, what: str) -> str:
    """A ``Edm.Guid`` field that must be present."""
    value = guid(rec, key, what, required=True)
    assert value is not None
    return value


def text(rec: dict[str, Any], key: str, what: str) -> str | None:
    """A string field; None when null or absent."""
    value = rec.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad(what, f"{key} is {type(value).__name__}, not a string")
    return value


def boolean(rec: dict[str, Any], key: str, what: str) -> bool | None:
    """A boolean field; None when null or absent."""
    value = rec.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise bad(what, f"{key} is {type(value).__name__}, not a boolean")
    return value


def integer(rec: dict[str, Any], key: str, what: str) -> int | None:
    """An integer (or choice) field; None when null or absent."""
    value = rec.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad(what, f"{key} is {type(value).__name__}, not an integer")
    return value


def strings(rec: dict[str, Any], key: str, what: str) -> tuple[str, ...] | None:
    """A ``Collection(Edm.String)`` field; None when null or absent."""
    value = rec.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad(what, f"{key} is not a list of strings")
    return tuple(value)


_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?$")


def timestamp(rec: dict[str, Any], key: str, what: str) -> datetime | None:
    """An ``Edm.DateTimeOffset`` field as an aware UTC datetime.

    None when null, absent, or Graph's empty value ``0001-01-01T00:00:00Z``.
    """
    value = rec.get(key)
    if value is None or value in _EMPTY_DATES or value == "":
        return None
    if not isinstance(value, str) or not _ISO.match(value):
        raise bad(what, f"{key} {str(value)[:40]!r} is not an ISO 8601 timestamp")
    cleaned = value.replace("Z", "+00:00")
    # Python 3.10 accepts at most 6 fractional digits; Graph sends 7.
    cleaned = re.sub(r"\.(\d{6})\d+", r".\1", cleaned)
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        raise bad(what, f"{key} {value[:40]!r} is not an ISO 8601 timestamp") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def expanded(rec: dict[str, Any], key: str, id_key: str, what: str) -> tuple[str, ...]:
    """The ids of an expanded collection-valued navigation property (``$expand``)."""
    value = rec.get(key)
    if not isinstance(value, list):
        raise bad(what, f"{key} was not expanded into a list")
    return tuple(required_guid(record(item, what), id_key, what) for item in value)
