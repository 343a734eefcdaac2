"""Broken record shapes, and what a scan must make of them (shared by the adapter tests).

A server can put anything where a documented record belongs: a null in every field, an
array or an object where a scalar was documented, a string where a number or boolean
was documented (and the reverse), a field left out, or no object at all. Whatever it
sends, the scan completes with an inventory, a record the adapter cannot map is a
``malformed_response`` gap on the collection it belongs to, and no check whose required
collection has a gap is PASS.
"""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from scanner.engine.scan import run_checks
from scanner.language.policy import load_policy
from scanner.model.inventory import Gap, GapReason, Inventory
from scanner.model.snapshot import load_snapshot, save_snapshot

#: Every field of the record set to one thing (the record stays an object).
FIELD_MODES = ("null", "array", "object", "wrong_scalar", "missing")
#: The whole record replaced by something that is not an object.
NOT_OBJECTS: dict[str, Any] = {
    "not_object_string": "record",
    "not_object_array": [{"id": "1"}],
    "not_object_null": None,
}
#: Every way of breaking one record, in the order the tests are parametrized.
MODES = (*FIELD_MODES, *NOT_OBJECTS)


def wrong_scalar(value: Any) -> Any:
    """A JSON value of another type than ``value``: the number for text, text for the rest.

    A boolean becomes the text ``"false"`` (truthy in Python, so reading it as a boolean
    inverts the verdict), a number its text, text a number, and a null, array or object
    a number.
    """
    if isinstance(value, bool):
        return "false" if value else "true"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return 12345
    return 0


def broken(record: Any, mode: str) -> Any:
    """``record`` broken the way ``mode`` (one of `MODES`) says; ``record`` is untouched."""
    if mode in NOT_OBJECTS:
        return copy.deepcopy(NOT_OBJECTS[mode])
    if not isinstance(record, dict):
        raise TypeError(f"only an object's fields can be broken, not {type(record).__name__}")
    if mode == "missing":
        return {}
    make = {
        "null": lambda _value: None,
        "array": lambda _value: ["unexpected", {"nested": 1}],
        "object": lambda _value: {"unexpected": ["nested"]},
        "wrong_scalar": wrong_scalar,
    }[mode]
    return {key: make(value) for key, value in record.items()}


def without(record: dict[str, Any], key: str) -> dict[str, Any]:
    """``record`` without ``key`` (a documented field that did not come back)."""
    return {k: v for k, v in record.items() if k != key}


def no_pass_on_gaps(
    inventory: Inventory, policy: str = "baseline", now: datetime | None = None
) -> None:
    """Assert that no finding is PASS while one of its check's required collections has a gap."""
    result = run_checks(inventory, load_policy(policy), now=now)
    for finding in result.findings:
        if finding.status.value != "PASS":
            continue
        for collection in finding.check.requires:
            gap = inventory.gap_for(collection)
            assert gap is None, f"{finding.check.id} PASS although {collection} has {gap}"


def malformed_gap(inventory: Inventory, collections: Iterable[str]) -> Gap:
    """The ``malformed_response`` gap on one of ``collections`` (or inside one); asserts one.

    ``collections`` are the inventory collections the broken record belongs to: a gap on
    one of them, or on a part of one (``users.permissions`` for ``users``), names it.
    """
    names = tuple(collections)
    for gap in inventory.gaps:
        if gap.reason is not GapReason.MALFORMED_RESPONSE:
            continue
        if any(gap.collection == n or gap.collection.startswith(n + ".") for n in names):
            return gap
    raise AssertionError(f"no malformed_response gap on {names}: {inventory.gaps}")


def safe_scan(inventory: Any, policy: str = "baseline", now: datetime | None = None) -> None:
    """Assert the scan's exit path is an inventory and no check PASSes on a gap.

    The inventory (whatever hostile text or numbers it now holds) also goes through a
    snapshot and back, as ``--save-snapshot`` and the evidence writer would take it.
    """
    assert isinstance(inventory, Inventory), type(inventory)
    with tempfile.TemporaryDirectory() as folder:
        path = save_snapshot(inventory, Path(folder) / "snapshot.json")
        reloaded = load_snapshot(path)
    assert [g.collection for g in reloaded.gaps] == [g.collection for g in inventory.gaps]
    no_pass_on_gaps(inventory, policy, now)
