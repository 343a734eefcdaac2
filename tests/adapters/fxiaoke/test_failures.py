"""Every failure becomes a gap and ERROR for the checks that need it: never a PASS."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from adapters.fxiaoke import FxiaokeAdapter
from scanner.adapter_api import AdapterSettings, CollectionScope, NullProgress
from scanner.engine.findings import Status
from scanner.engine.scan import run_checks
from scanner.language.policy import load_policy
from scanner.model.inventory import GapReason, Inventory
from tests.adapters.fxiaoke.conftest import NOW, SleepRecorder, settings_for
from tests.emulators.fxiaoke import (
    DEPARTMENT_LIST,
    ROLE_LIST,
    ROLE_USERS,
    USER_LIST,
    Enterprise,
    FakeClock,
    FxiaokeEmulator,
)

ROLE_CHECKS = ("PRIV-001", "PRIV-002", "PRIV-015")


def _statuses(inventory: Inventory, check_id: str) -> set[Status]:
    result = run_checks(inventory, load_policy(), [check_id])
    return {f.status for f in result.findings}


@pytest.mark.parametrize(
    ("path", "code", "collections", "reason"),
    [
        (DEPARTMENT_LIST, 20023, ("departments", "users"), GapReason.PERMISSION_MISSING),
        (USER_LIST, 15003, ("users",), GapReason.PERMISSION_MISSING),
        (USER_LIST, 20020, ("users",), GapReason.PERMISSION_MISSING),
        (USER_LIST, 30002, ("users",), GapReason.RATE_LIMITED),
        (ROLE_LIST, 10006, ("permission_sets", "users.permissions"), GapReason.API_ERROR),
        (ROLE_LIST, 30003, ("permission_sets", "users.permissions"), GapReason.NOT_AVAILABLE),
        (ROLE_USERS, 32000, ("users.permissions", "permission_sets"), GapReason.API_ERROR),
        (ROLE_USERS, -2, ("users.permissions", "permission_sets"), GapReason.API_ERROR),
    ],
)
def test_error_codes_become_gaps(
    scan: Callable[..., Inventory],
    emulator: FxiaokeEmulator,
    path: str,
    code: int,
    collections: tuple[str, ...],
    reason: GapReason,
) -> None:
    emulator.fail(path, code, "refused by the emulator")
    inventory = scan()
    for collection in collections:
        gap = inventory.gap_for(collection)
        assert gap is not None and gap.reason is reason, collection
        assert str(code) in gap.detail
    for check_id in ROLE_CHECKS:
        assert Status.PASS not in _statuses(inventory, check_id)


def test_rate_limits_are_retried_with_back_off(
    scan: Callable[..., Inventory], emulator: FxiaokeEmulator, sleeps: SleepRecorder
) -> None:
    emulator.fail(USER_LIST, 30004, "秒频次超限", times=2)
    emulator.fail(ROLE_LIST, -1, "系统繁忙")
    inventory = scan()
    assert inventory.gap_for("users") is None and inventory.gap_for("permission_sets") is None
    assert len(emulator.calls(USER_LIST)) == 3
    assert sleeps.waits == [0.5, 1.0, 0.5]


def test_rate_limited_until_the_last_attempt_is_a_gap(
    scan: Callable[..., Inventory], emulator: FxiaokeEmulator, sleeps: SleepRecorder
) -> None:
    emulator.fail(USER_LIST, 14001, "接口调用超过限制", times=10)
    inventory = scan()
    gap = inventory.gap_for("users")
    assert gap is not None and gap.reason is GapReason.RATE_LIMITED and "5 attempts" in gap.detail
    assert len(emulator.calls(USER_LIST)) == 5 and len(sleeps.waits) == 4


def test_the_per_interface_limit_is_waited_out(
    enterprise: Enterprise, clock: FakeClock, tmp_path: Path
) -> None:
    # One call per interface per 20 s: a second scan right after the first is refused
    # (30004) until the window has passed; each back-off wait moves the clock on.
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock.advance(20)

    with (
        FxiaokeEmulator(enterprise, clock=clock, interface_limit=(1, 20.0)) as server,
        server.trusted(tmp_path),
    ):
        settings = AdapterSettings(settings_for(server))
        for _ in range(2):
            adapter = FxiaokeAdapter(settings, sleep=sleep, clock=lambda: NOW, monotonic=clock)
            inventory = adapter.collect(CollectionScope(), NullProgress())
            assert inventory.users is not None and inventory.permission_sets is not None
    assert waits == [0.5]  # only the second scan's first call waited, once


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b'{"errorCode":0,"userList":[{"openUserId":"FSUID_A"', 200),  # truncated
        (b"<html>302 Found</html>", 200),
        (b'{"errorMessage":"no code"}', 200),
        (b'{"errorCode":0,"userList":{"openUserId":"FSUID_A"}}', 200),
    ],
)
def test_malformed_answers_are_gaps(
    scan: Callable[..., Inventory], emulator: FxiaokeEmulator, raw: bytes, status: int
) -> None:
    emulator.fail(USER_LIST, raw=raw, status=status)
    inventory = scan()
    gap = inventory.gap_for("users")
    assert gap is not None and gap.reason is GapReason.MALFORMED_RESPONSE
    assert inventory.users is None
    assert Status.PASS not in _statuses(inventory, "PRIV-001")


def test_a_redirect_to_html_is_a_gap(
    scan: Callable[..., Inventory], emulator: FxiaokeEmulator
) -> None:
    emulator.fail(DEPARTMENT_LIST, raw=b"<html>302 Found</html>", status=302)
    inventory = scan()
    for collection in ("departments", "users"):
        gap = inventory.gap_for(collection)
        assert gap is not None and gap.reason is GapReason.API_ERROR and "302" in gap.detail


def test_an_employee_without_a_status_is_malformed(
    scan: Callable[..., Inventory], emulator: FxiaokeEmulator
) -> None:
    def drop_status(body: dict[str, Any]) -> None:
        body["userList"][3]["isStop"] = None

    emulator.mutate(USER_LIST, drop_status)
    inventory = scan()
    gap = inventory.gap_for("users")
    assert gap is not None and gap.reason is GapReason.MALFORMED_RESPONSE and "isStop" in gap.detail


def test_documented_nulls_are_accepted(
    scan: Callable[..., Inventory], emulator: FxiaokeEmulator
) -> None:
    def blank(body: dict[str, Any]) -> None:
        for user in body["userList"]:
            user.update(email=None, position=None, leaderId=None, createTime=None)

    emulator.mutate(USER_LIST, blank)
    inventory = scan()
    assert inventory.users is not None and all(u.created_at is None for u in inventory.users)


def test_role_holders_in_another_shape_are_malformed_never_no_holders(
    scan: Callable[..., Inventory], emulator: FxiaokeEmulator
) -> None:
    emulator.mutate(ROLE_USERS, lambda body: {**body, "data": ["FSUID_A"]})
    inventory = scan()
    gap = inventory.gap_for("users.permissions")
    assert gap is not None and gap.reason is GapReason.MALFORMED_RESPONSE
    for check_id in ROLE_CHECKS:
        assert _statuses(inventory, check_id) == {Status.ERROR}


def test_a_hung_answer_ends_at_the_scan_deadline(
    scan: Callable[..., Inventory], emulator: FxiaokeEmulator
) -> None:
    emulator.fail(USER_LIST, 0, raw=b'{"errorCode":0,"userList":[]}', delay=3.0)
    started = time.monotonic()
    inventory = scan(CollectionScope(deadline=time.monotonic() + 1.5))
    assert time.monotonic() - started < 3.0
    gap = inventory.gap_for("users")
    assert gap is not None and gap.reason is GapReason.API_ERROR
    assert inventory.gap_for("permission_sets") is not None  # nothing after the deadline
