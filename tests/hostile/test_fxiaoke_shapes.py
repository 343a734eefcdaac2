"""Hostile Fxiaoke records: one record of every answer broken in every way.

Through the emulator (tests/emulators/fxiaoke): the department list, the detailed user
list, the CRM role list and the role holders answer as they would, except that one
record (`tests.hostile.shapes`) is broken. The scan completes, the broken record is a
``malformed_response`` gap on its collection, and nothing that needs a collection with
a gap is PASS.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.fxiaoke import FxiaokeAdapter
from scanner.adapter_api import AdapterSettings, CollectionScope, NullProgress
from scanner.model.inventory import Inventory
from tests.adapters.fxiaoke.conftest import NOW, settings_for
from tests.emulators.fxiaoke import FakeClock, FxiaokeEmulator, sample_enterprise
from tests.emulators.fxiaoke.api import DEPARTMENT_LIST, ROLE_LIST, ROLE_USERS, USER_LIST
from tests.hostile.shapes import MODES, broken, malformed_gap, safe_scan, without

Edit = Callable[[Any], Any]


def in_list(key: str, index: int = 0) -> Callable[[Edit], Callable[[dict[str, Any]], Any]]:
    """Break ``body[key][index]`` of the answer."""

    def where(edit: Edit) -> Callable[[dict[str, Any]], Any]:
        def apply(body: dict[str, Any]) -> Any:
            body[key][index] = edit(body[key][index])
            return body

        return apply

    return where


def holders(edit: Edit) -> Callable[[dict[str, Any]], Any]:
    """Break the holders answer's ``data``: the object of roleCode → holders' openUserIds."""

    def apply(body: dict[str, Any]) -> Any:
        body["data"] = edit(body["data"])
        return body

    return apply


#: name → (path, where in the answer, the collections its gap may name).
READS: dict[str, tuple[str, Callable[[Edit], Callable[[dict[str, Any]], Any]], tuple[str, ...]]] = {
    "department": (DEPARTMENT_LIST, in_list("departments"), ("departments", "users", "roles")),
    "employee": (USER_LIST, in_list("userList"), ("users",)),
    "role": (ROLE_LIST, in_list("data"), ("permission_sets", "users.permissions")),
    "role holders": (ROLE_USERS, holders, ("users.permissions", "permission_sets")),
}  # fmt: skip


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[FxiaokeEmulator]:
    with (
        FxiaokeEmulator(sample_enterprise(NOW), clock=FakeClock()) as server,
        server.trusted(tmp_path),
    ):
        yield server


def _collect(emulator: FxiaokeEmulator) -> Inventory:
    adapter = FxiaokeAdapter(AdapterSettings(settings_for(emulator)), sleep=lambda s: None)
    return adapter.collect(CollectionScope(), NullProgress())


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", list(READS))
def test_a_broken_record_is_a_gap_never_a_crash_or_a_pass(
    emulator: FxiaokeEmulator, name: str, mode: str
) -> None:
    path, where, collections = READS[name]
    edit: Edit = lambda record: broken(record, mode)  # noqa: E731
    emulator.mutate(path, where(edit))
    inventory = _collect(emulator)
    malformed_gap(inventory, collections)
    safe_scan(inventory, now=NOW)


#: A field the mapping reads, left out of one record.
MISSING = [
    ("department", "id"),
    ("department", "parentId"),
    ("department", "isStop"),
    ("employee", "openUserId"),
    ("employee", "isStop"),
    ("employee", "departmentIds"),
    ("employee", "mainDepartmentId"),
    ("role", "roleCode"),
    ("role", "delFlag"),
    ("role", "roleType"),
]


@pytest.mark.parametrize(("name", "field"), MISSING, ids=[f"{n}.{f}" for n, f in MISSING])
def test_a_missing_field_never_crashes_or_passes(
    emulator: FxiaokeEmulator, name: str, field: str
) -> None:
    path, where, _ = READS[name]
    emulator.mutate(path, where(lambda record: without(record, field)))
    inventory = _collect(emulator)
    safe_scan(inventory, now=NOW)


def _fields() -> list[tuple[str, str]]:
    enterprise = sample_enterprise(NOW)
    records = {
        "department": enterprise.departments[0].wire(),
        "employee": enterprise.employees[0].wire([0], True),
        "role": enterprise.roles[0].wire(),
    }
    return [(name, key) for name, record in records.items() for key in record]


FIELDS = _fields()


@pytest.mark.parametrize("mode", ["array", "wrong_scalar"])
@pytest.mark.parametrize(("name", "field"), FIELDS, ids=[f"{n}.{f}" for n, f in FIELDS])
def test_one_field_of_the_wrong_type_never_crashes_or_passes(
    emulator: FxiaokeEmulator, name: str, field: str, mode: str
) -> None:
    path, where, _ = READS[name]

    def edit(record: dict[str, Any]) -> dict[str, Any]:
        return {**record, field: broken({field: record[field]}, mode)[field]}

    emulator.mutate(path, where(edit))
    inventory = _collect(emulator)
    safe_scan(inventory, now=NOW)


@pytest.mark.parametrize(
    ("name", "edit"),
    [
        ("employee", lambda r: {**r, "openUserId": 92}),
        ("employee", lambda r: {**r, "leaderId": 7}),
        ("role holders", lambda data: {code: [1, 2] for code in data}),
    ],
    ids=["employee.openUserId", "employee.leaderId", "role holders"],
)
def test_an_open_user_id_sent_as_a_number_is_malformed(
    emulator: FxiaokeEmulator, name: str, edit: Edit
) -> None:
    """``openUserId`` is ``FSUID_…`` text: a number made into text would match no holder
    list, and the administrator it belongs to would silently lose the role."""
    path, where, collections = READS[name]
    emulator.mutate(path, where(edit))
    inventory = _collect(emulator)
    malformed_gap(inventory, collections)
    safe_scan(inventory, now=NOW)
