"""Every object and field the adapter queries is in docs/api/salesforce.md.

The queries are taken from what the adapter actually sent to the emulator (its request
log), not from the adapter's constants; every permission name it maps must have its
row too. A field that is missing from the table fails here: look it up in Salesforce's
documentation and add the row with its URL and properties.
"""

from __future__ import annotations

import re
from pathlib import Path

from adapters.salesforce.permission_map import PERMISSION_MAP
from tests.adapters.salesforce.conftest import SCOPE, Progress, make_adapter
from tests.emulators.salesforce import SalesforceEmulator
from tests.emulators.salesforce.soql import parse, referenced_fields

TABLE = Path(__file__).resolve().parents[3] / "docs/api/salesforce.md"
_ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|")


def documented() -> set[str]:
    """The items of the table's first column (``Object``, ``Object.Field``, ...)."""
    return {m.group(1) for line in TABLE.read_text().splitlines() if (m := _ROW.match(line))}


def test_every_queried_object_and_field_is_documented(emulator: SalesforceEmulator) -> None:
    make_adapter(emulator).collect(SCOPE, Progress())
    items = documented()
    missing: set[str] = set()
    queried = 0
    for request in emulator.log:
        if "/query" not in request.path or "#page" in request.text:
            continue
        query = parse(request.text, emulator.now or __import__("datetime").datetime.now())
        queried += 1
        if query.obj not in items:
            missing.add(query.obj)
        for name in referenced_fields(query) | ({query.order_by} - {None}):
            if name.startswith("Permissions") and f"{query.obj}.Permissions*" in items:
                continue
            if f"{query.obj}.{name}" not in items:
                missing.add(f"{query.obj}.{name}")
    for request in emulator.requests_matching("/describe"):
        obj = request.path.split("/")[-2]
        if f"{obj} describe" not in items:
            missing.add(f"{obj} describe")
    assert queried > 20
    assert not missing, sorted(missing)


def test_every_mapped_permission_is_documented() -> None:
    items = documented()
    missing = [p for p in PERMISSION_MAP if f"Permissions{p}" not in items]
    assert not missing, missing


def test_every_metadata_type_read_is_documented(emulator: SalesforceEmulator) -> None:
    make_adapter(emulator).collect(SCOPE, Progress())
    items = documented()
    kinds = {
        m.group(1)
        for r in emulator.requests_matching("/services/Soap/m/")
        if (m := re.search(rb"<met:type>(\w+)</met:type>", r.body))
        for _ in [0]
    }
    kinds_text = {k.decode() for k in kinds}
    assert kinds_text and not [k for k in kinds_text if f"Metadata: {k}" not in items]
