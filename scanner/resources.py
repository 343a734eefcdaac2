"""The inventory collections a check can evaluate, and how to read fields from them."""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Union

from pydantic import BaseModel

from scanner.inventory import (
    EncryptionKey,
    FieldEncryption,
    FieldPermission,
    HealthCheckRisk,
    Integration,
    Inventory,
    PermissionSet,
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
    )
}


def getter(path: str) -> Getter:
    """A fast accessor for a dotted attribute path; None when any step is missing."""
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

    Raises KeyError naming the first unknown step.
    """
    current: Any = model
    is_list = False
    for step in path.split("."):
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            raise KeyError(step)
        info = current.model_fields.get(step)
        if info is None:
            raise KeyError(step)
        current, is_list = _unwrap(info.annotation)
    return current, is_list


def field_names(model: type[BaseModel]) -> list[str]:
    """Every dotted field path under ``model`` (for error hints and documentation)."""
    names: list[str] = []
    for name, info in model.model_fields.items():
        inner, _ = _unwrap(info.annotation)
        names.append(name)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            names.extend(f"{name}.{sub}" for sub in field_names(inner))
    return names
