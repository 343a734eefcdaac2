"""Save an inventory to a snapshot file and load it back, validated.

A snapshot is the serialized `Inventory` (its JSON Schema is
``scanner/schemas/inventory.schema.json``). It never holds credentials: the inventory has
no field for them, and the text is passed through `redact` before it is written.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from scanner.documents import LoadedDocument, load_file
from scanner.model.inventory import Inventory
from scanner.redact import redact
from scanner.safe_write import write_file


def inventory_from_document(document: LoadedDocument) -> Inventory:
    """Validate a parsed snapshot; errors name the file, line and field."""
    if not isinstance(document.data, dict):
        raise document.error([], "a snapshot must be a JSON object (an inventory)")
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
    """Load and validate the snapshot at ``path``."""
    return inventory_from_document(load_file(path))


def save_snapshot(inventory: Inventory, path: Path | str) -> Path:
    """Write ``inventory`` as an indented JSON snapshot."""
    path = Path(path)
    return write_file(path.parent, path.name, redact(inventory.model_dump_json(indent=2)) + "\n")
