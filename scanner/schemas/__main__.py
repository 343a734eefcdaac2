"""Regenerate ``inventory.schema.json`` from `scanner.inventory.Inventory`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scanner.model.inventory import Inventory


def inventory_schema() -> dict[str, Any]:
    """The inventory's JSON Schema (Draft 2020-12), generated from the model."""
    schema = Inventory.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://crmscan.dev/schemas/inventory.schema.json",
        **schema,
    }


def render() -> str:
    """The schema file's text."""
    return json.dumps(inventory_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    target = Path(__file__).with_name("inventory.schema.json")
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")
