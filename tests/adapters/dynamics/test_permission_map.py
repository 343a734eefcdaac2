"""The privilege/depth mapping table."""

from __future__ import annotations

import pytest

from adapters.dynamics.permission_map import (
    CORE_TABLES,
    PRIVILEGE_RULES,
    Depth,
    Holding,
    depth_of_mask,
    interpret,
    raw_name,
)
from scanner.model.inventory import PERMISSIONS

ALL = [f"prv{v}{t}" for t in CORE_TABLES for v in ("Read", "Write", "Delete")]


@pytest.mark.parametrize(
    ("mask", "depth"),
    [(1, Depth.BASIC), (2, Depth.LOCAL), (4, Depth.DEEP), (8, Depth.GLOBAL), (15, Depth.GLOBAL),
     (6, Depth.DEEP), (0, None), (16, None)],
)  # fmt: skip
def test_depth_of_mask(mask: int, depth: Depth | None) -> None:
    assert depth_of_mask(mask) is depth


def holding(**privileges: Depth) -> Holding:
    found = Holding()
    for name, depth in privileges.items():
        found.add(name, depth, "role:a")
    return found


def meanings(h: Holding, roles: dict[str, list[str]] | None = None) -> dict[str, tuple[str, ...]]:
    return {m.permission: m.privileges for m in interpret(h, ALL, roles or {})}


def test_every_rule_names_a_vocabulary_permission() -> None:
    assert all(r.permission in PERMISSIONS for rules in PRIVILEGE_RULES.values() for r in rules)


def test_misc_privileges_count_at_any_depth() -> None:
    found = meanings(
        holding(prvExportToExcel=Depth.GLOBAL, prvBulkDelete=Depth.GLOBAL,
                prvActOnBehalfOfAnotherUser=Depth.GLOBAL)
    )  # fmt: skip
    assert found == {
        "data.export": ("prvExportToExcel",),
        "data.mass_delete": ("prvBulkDelete",),
        "users.impersonate": ("prvActOnBehalfOfAnotherUser",),
    }


def test_editing_only_ones_own_user_is_not_managing_users() -> None:
    assert "users.manage" not in meanings(holding(prvWriteUser=Depth.BASIC))
    assert meanings(holding(prvWriteUser=Depth.LOCAL))["users.manage"] == ("prvWriteUser",)


def test_view_all_needs_global_read_on_every_core_table() -> None:
    reads = {f"prvRead{t}": Depth.GLOBAL for t in CORE_TABLES}
    assert "data.view_all" in meanings(holding(**reads))
    reads["prvReadIncident"] = Depth.DEEP
    assert "data.view_all" not in meanings(holding(**reads))


def test_modify_all_needs_global_write_and_delete() -> None:
    writes = {f"prv{v}{t}": Depth.GLOBAL for t in CORE_TABLES for v in ("Write", "Delete")}
    assert "data.modify_all" in meanings(holding(**writes))
    del writes["prvDeleteLead"]
    assert "data.modify_all" not in meanings(holding(**writes))


def test_core_tables_absent_from_the_environment_do_not_block() -> None:
    only_accounts = holding(prvReadAccount=Depth.GLOBAL)
    found = {m.permission for m in interpret(only_accounts, ["prvReadAccount"], {})}
    assert found == {"data.view_all"}
    assert interpret(Holding(), [], {}) == []


def test_system_administrator_is_super_admin_with_its_sources() -> None:
    result = interpret(Holding(), ALL, {"System Administrator": ["role:x", "team:t:role:x"]})
    assert [(m.permission, m.sources) for m in result] == [
        ("account.super_admin", ("role:x", "team:t:role:x"))
    ]


def test_the_widest_depth_of_all_sources_counts() -> None:
    h = Holding()
    h.add("prvWriteUser", Depth.BASIC, "role:a")
    h.add("prvWriteUser", Depth.GLOBAL, "team:t:role:b")
    h.add("prvWriteUser", Depth.LOCAL, "role:a")
    assert h.depth("prvWriteUser") is Depth.GLOBAL
    (manage,) = interpret(h, ALL, {})
    assert manage.sources == ("role:a", "team:t:role:b")  # both reach Local or wider
    assert raw_name("prvWriteUser", Depth.GLOBAL) == "prvWriteUser:global"
