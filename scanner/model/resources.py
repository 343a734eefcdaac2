"""The inventory collections a check can evaluate, and how to read fields from them."""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from operator import attrgetter
from typing import Any, Union

from pydantic import BaseModel

from scanner.model.inventory import (
    EncryptionKey,
    FieldEncryption,
    FieldHistory,
    FieldPermission,
    HealthCheckRisk,
    HistoryRetention,
    Integration,
    Inventory,
    ObjectDataQuality,
    PermissionSet,
    RetentionCount,
    Role,
    User,
)

Getter = Callable[[Any], Any]


@dataclass(frozen=True)
class ResourceKind:
    """A collection checks iterate over: where it lives and how its items are named."""

    path: str
    model: type[BaseModel]
    id_field: str
    name_field: str
    collection: str  # the COLLECTIONS entry whose gap covers it


RESOURCE_KINDS: dict[str, ResourceKind] = {
    kind.path: kind
    for kind in (
        ResourceKind("tenant", Inventory, "tenant.id", "tenant.name", "tenant"),
        ResourceKind("users", User, "id", "username", "users"),
        ResourceKind("permission_sets", PermissionSet, "id", "name", "permission_sets"),
        ResourceKind("roles", Role, "id", "name", "roles"),
        ResourceKind(
            "field_permissions", FieldPermission, "field", "permission_set", "field_permissions"
        ),
        ResourceKind("integrations", Integration, "id", "name", "integrations"),
        ResourceKind("encryption.keys", EncryptionKey, "id", "id", "encryption.at_rest"),
        ResourceKind("encryption.fields", FieldEncryption, "name", "name", "encryption.fields"),
        ResourceKind("health_check.risks", HealthCheckRisk, "setting", "setting", "health_check"),
        ResourceKind("data.objects", ObjectDataQuality, "object", "object", "data.quality"),
        ResourceKind("data.field_history", FieldHistory, "name", "name", "data.field_history"),
        ResourceKind(
            "data.history_retention", HistoryRetention, "object", "object", "data.history_retention"
        ),
        ResourceKind("data.retention", RetentionCount, "object", "object", "data.retention"),
    )
}


@cache
def getter(path: str) -> Getter:
    """A fast accessor for a dotted attribute path; None when any step is missing.

    Cached: the paths are the checks' fields, and a report asks for the same few a
    million times."""
    get = attrgetter(path)

    def read(obj: Any) -> Any:
        try:
            return get(obj)
        except AttributeError:
            return None

    return read


def resource_items(inventory: Inventory, kind: ResourceKind) -> list[Any] | None:
    """The items of ``kind`` in ``inventory``; None when the collection was not collected."""
    if kind.path == "tenant":
        return [inventory]
    value = getter(kind.path)(inventory)
    if value is None:
        return None
    return list(value)


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """Strip Optional[...] and list[...]: (inner type, whether it was a list)."""
    is_list = False
    while True:
        origin = typing.get_origin(annotation)
        if origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else Any
        elif origin in (list, tuple, set, frozenset):
            is_list = True
            item_types = typing.get_args(annotation)
            annotation = item_types[0] if item_types else Any
        else:
            return annotation, is_list


def field_type(model: type[BaseModel], path: str) -> tuple[Any, bool]:
    """The type at ``path`` under ``model`` and whether it is a list.

    Raises KeyError naming the first unknown step, and ValueError when the path goes
    through a list (its items are tested with any_match / all_match / none_match).
    """
    current: Any = model
    is_list = False
    steps = path.split(".")
    for index, step in enumerate(steps):
        if is_list:
            through = ".".join(steps[:index])
            raise ValueError(
                f"'{through}' is a list: test its items with "
                f"{{field: {through}, op: any_match, match: {{field: {step}, ...}}}}"
            )
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            raise KeyError(step)
        info = current.model_fields.get(step)
        if info is None:
            raise KeyError(step)
        current, is_list = _unwrap(info.annotation)
    return current, is_list


def describe_type(annotation: Any) -> str:
    """A short name for a field's type: ``string``, ``list of string``, ``Mfa``, ..."""
    inner, is_list = _unwrap(annotation)
    if typing.get_origin(inner) is typing.Literal:
        name = "one of " + ", ".join(str(a) for a in typing.get_args(inner))
    elif isinstance(inner, type) and issubclass(inner, BaseModel):
        name = inner.__name__
    else:
        name = {str: "string", bool: "boolean", int: "integer", float: "number"}.get(
            inner, getattr(inner, "__name__", str(inner))
        )
        name = "timestamp" if name == "datetime" else name
    return f"list of {name}" if is_list else name


def field_table(model: type[BaseModel], prefix: str = "") -> list[tuple[str, str, str]]:
    """(dotted path, type, description) of every field under ``model``."""
    rows: list[tuple[str, str, str]] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        inner, is_list = _unwrap(info.annotation)
        rows.append((path, describe_type(info.annotation), info.description or ""))
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            # Items of a list are read inside any_match/all_match/none_match: path[].field
            rows.extend(field_table(inner, f"{path}[]." if is_list else f"{path}."))
    return rows


def field_names(model: type[BaseModel]) -> list[str]:
    """Every dotted field path under ``model`` (list items as ``path[].field``)."""
    return [path for path, _, _ in field_table(model)]
