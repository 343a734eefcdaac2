"""docs/api/dynamics.md names everything the adapter asks Dataverse and Graph for."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from scanner.model.inventory import Inventory
from tests.emulators.dynamics import DynamicsEmulator

DOC = Path(__file__).resolve().parents[3] / "docs/api/dynamics.md"


def _names(text: str) -> set[str]:
    return set(re.findall(r"`([^`]+)`", text))


def _expand_parts(expand: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in expand:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current] if current else parts


def test_every_requested_entity_set_column_expansion_and_path_is_documented(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator
) -> None:
    collect()
    documented = _names(DOC.read_text(encoding="utf-8"))
    # Every column, navigation property and path segment appears in backticks somewhere;
    # expansions appear whole, as requested.
    missing: list[str] = []
    for request in emulator.requests:
        if request.service == "dataverse" and request.path.startswith("/api/data/v9.2/"):
            entity_set = request.path.removeprefix("/api/data/v9.2/")
            if entity_set not in documented:
                missing.append(f"entity set {entity_set}")
            for column in request.query.get("$select", "").split(","):
                if column and column not in documented:
                    missing.append(f"{entity_set}.{column}")
            for part in _expand_parts(request.query.get("$expand", "")):
                if part not in documented:
                    missing.append(f"{entity_set} $expand {part}")
        elif request.service == "graph":
            if request.path not in documented:
                missing.append(f"Graph {request.path}")
            for column in request.query.get("$select", "").split(","):
                if column and column not in DOC.read_text():
                    missing.append(f"Graph {request.path} {column}")
    assert not missing, f"not in docs/api/dynamics.md: {sorted(set(missing))}"
