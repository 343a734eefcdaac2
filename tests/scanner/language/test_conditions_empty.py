"""``empty`` / ``not_empty`` take no value (the schema forbids one) and still compile."""

from __future__ import annotations

from datetime import datetime, timezone

from scanner.language.conditions import ConditionCompiler
from scanner.model.inventory import IpRange, PermissionSet

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def _compiled(op: str):  # type: ignore[no-untyped-def]
    compiler = ConditionCompiler(PermissionSet, {}, NOW)
    return compiler.compile({"field": "login_ip_ranges", "op": op}, [])


def test_not_empty_without_value_is_three_valued() -> None:
    not_empty = _compiled("not_empty")
    some = PermissionSet(
        id="p",
        name="p",
        kind="profile",
        login_ip_ranges=[IpRange(start="10.0.0.0", end="10.0.0.255")],
    )
    none = PermissionSet(id="p", name="p", kind="profile", login_ip_ranges=[])
    unknown = PermissionSet(id="p", name="p", kind="profile")
    assert not_empty(some) is True
    assert not_empty(none) is False
    assert not_empty(unknown) is None


def test_empty_without_value() -> None:
    empty = _compiled("empty")
    assert empty(PermissionSet(id="p", name="p", kind="profile", login_ip_ranges=[])) is True
