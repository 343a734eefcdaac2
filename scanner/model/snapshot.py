"""Save an inventory to a snapshot file and load it back, validated.

A snapshot is the serialized `Inventory` (its JSON Schema is
``scanner/schemas/inventory.schema.json``). It never holds credentials: the inventory has
no field for them, and the text is passed through `redact` before it is written.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticSerializationError

from scanner.documents import LoadedDocument, load_file
from scanner.model.inventory import SCHEMA_VERSION, Inventory
from scanner.redact import redact, redact_inventory, secrets_registered
from scanner.safe_write import write_file


def _version(text: object) -> tuple[int, int] | None:
    match = re.fullmatch(r"(\d{1,4})\.(\d{1,4})", text) if isinstance(text, str) else None
    return (int(match[1]), int(match[2])) if match else None


def _check_version(document: LoadedDocument) -> None:
    """Refuse a snapshot written by a newer crmscan (or with no readable version)."""
    if "schema_version" not in document.data:
        return  # the model's default: the current version
    given = document.data["schema_version"]
    version, ours = _version(given), _version(SCHEMA_VERSION)
    assert ours is not None
    if version is None:
        raise document.error(["schema_version"], f"{given!r} is not a schema version (N.N)")
    if version[0] != ours[0] or version > ours:
        raise document.error(
            ["schema_version"],
            f"schema_version {given} is not one this crmscan reads (it reads {ours[0]}.0 to "
            f"{SCHEMA_VERSION}): upgrade crmscan, or save the snapshot again",
        )


@cache
def _datetime_fields(model: type[BaseModel]) -> dict[str, Any]:
    """Field name → True (a timestamp), a model (nested), or (model,) (a list of them);
    only fields that hold a timestamp somewhere below them."""
    found: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        for arg in (info.annotation, *get_args(info.annotation)):
            if arg is datetime:
                found[key] = True
            elif isinstance(arg, type) and issubclass(arg, BaseModel):
                if _datetime_fields(arg):
                    found[key] = arg
            elif get_origin(arg) is list:
                inner = get_args(arg)[0] if get_args(arg) else None
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    if _datetime_fields(inner):
                        found[key] = (inner,)
    return found


def _numeric_timestamp(
    model: type[BaseModel], data: Any, path: list[str | int]
) -> list[str | int] | None:
    """The path of the first timestamp given as a number (pydantic would take it as
    seconds since 1970), or None."""
    if not isinstance(data, dict):
        return None
    for key, kind in _datetime_fields(model).items():
        value = data.get(key)
        if value is None:
            continue
        if kind is True:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return [*path, key]
        elif isinstance(kind, tuple) and isinstance(value, list):
            for index, item in enumerate(value):
                found = _numeric_timestamp(kind[0], item, [*path, key, index])
                if found:
                    return found
        elif isinstance(kind, type):
            found = _numeric_timestamp(kind, value, [*path, key])
            if found:
                return found
    return None


def inventory_from_document(document: LoadedDocument) -> Inventory:
    """Validate a parsed snapshot; errors name the file, line and field.

    Refused besides what the model refuses: a ``schema_version`` this crmscan does not
    read, and a timestamp given as a number.
    """
    if not isinstance(document.data, dict):
        raise document.error([], "a snapshot must be a JSON object (an inventory)")
    _check_version(document)
    numeric = _numeric_timestamp(Inventory, document.data, [])
    if numeric is not None:
        raise document.error(
            numeric,
            "a timestamp must be an ISO 8601 string (e.g. 2026-11-23T12:00:00Z), not a number",
        )
    try:
        return Inventory.model_validate(document.data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = list(error["loc"])
        field = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
        problem = f"field '{field}': {error['msg']}" if field else error["msg"]
        more = exc.error_count() - 1
        if more:
            problem += f" (and {more} more problem{'s' if more > 1 else ''})"
        raise document.error(loc, problem) from None


def load_snapshot(path: Path | str) -> Inventory:
    """Load and validate the snapshot at ``path``, redacted of any secret it carries
    (a snapshot is where saved data enters crmscan again)."""
    document = load_file(path)
    inventory = inventory_from_document(document)
    if document.text is not None and _nothing_to_redact(document.text):
        return inventory
    return redacted_inventory(inventory)


def _nothing_to_redact(text: str) -> bool:
    """True when `redacted_inventory` provably leaves the inventory parsed from ``text``
    (JSON) as it is, so that it need not serialize it (at 100,000 users: 0.7 s).

    `redacted_inventory` redacts the inventory's JSON text (its dump). With no secret
    registered, `redact` changes a text only where a secret shape matches, after finding
    that shape's literal (``00D``, ``earer``, ``pat-``, ...). No shape or literal holds a
    quote, comma, colon or bracket, so each match and literal of the (compact) dump lies
    inside one JSON string or key; none fits in a number, ``null``, ``true``, a field
    name, an enumerated value, a default or a timestamp. When ``text`` holds no
    backslash, every other string of the dump is written exactly as in ``text`` (the
    dump escapes only quotes, backslashes and control characters, which ``text`` then
    cannot hold in a string). So a match or literal of the dump is in ``text`` too, and
    ``text`` unchanged by `redact` proves the dump unchanged. Anything else (a secret
    registered, an escape in ``text``, a shape or literal in it) takes the exact path.
    """
    return not secrets_registered() and "\\" not in text and redact(text) == text


def redacted_inventory(inventory: Inventory) -> Inventory:
    """``inventory`` with any secret a server echoed into it redacted: one pass over its
    JSON text (`scanner.redact.redact_inventory`), lone surrogates tolerated."""
    return redact_inventory(inventory, lambda value: inventory_json(value, None))


#: A lone UTF-16 surrogate: what a server's ``"\\ud800"`` decodes to; UTF-8 cannot hold it.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_lone_surrogates(v) for v in value]
    return value


def inventory_json(inventory: Inventory, indent: int | None = 2) -> str:
    """``inventory`` as JSON text (snapshots and evidence bundles write it).

    A CRM's JSON can carry a lone surrogate escape (``"\\ud800"``), which decodes to a
    Python string that UTF-8 cannot encode; such characters are written as U+FFFD, the
    replacement character, instead of failing the whole write. The common case pays
    nothing: only a failed serialization takes the slow path.
    """
    try:
        return inventory.model_dump_json(indent=indent)
    except PydanticSerializationError:
        data = _without_lone_surrogates(inventory.model_dump(mode="python"))
        return Inventory.model_validate(data).model_dump_json(indent=indent)


def save_snapshot(inventory: Inventory, path: Path | str) -> Path:
    """Write ``inventory`` as an indented JSON snapshot."""
    path = Path(path)
    return write_file(path.parent, path.name, redact(inventory_json(inventory)) + "\n")
