"""Normalization of Zoho records: statuses, kinds, sign-in evidence, permissions, fields."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from adapters.zoho import normalize, permission_map
from scanner.errors import PermissionMissingError
from tests.emulators.zoho import org as z

NOW = datetime(2026, 3, 2, tzinfo=timezone.utc)


def _profiles() -> tuple[dict[str, Any], dict[str, Any]]:
    admin = z.profile(
        "Administrator",
        z.module_grants(tuple(z.MODULE_ACTIONS)) | {"customize", "manage_users", "api"},
        custom=False,
    )
    export = z.profile("Exporters", z.module_grants(("View", "Export")))
    return admin, export


def _user(profile: dict[str, Any], **kw: Any) -> dict[str, Any]:
    role = z.role("CEO")
    return z.user("Ana", "Ortiz", "ana@x.example", profile_record=profile, role_record=role,
                  created=NOW, **kw)  # fmt: skip


def _infos(*profiles: dict[str, Any]) -> dict[str, normalize.ProfileInfo]:
    return {p["id"]: normalize.profile_info(p, p) for p in profiles}


@pytest.mark.parametrize(
    ("status", "active"),
    [("active", True), ("disabled", False), ("inactive", False), ("deleted", False),
     ("suspended-by-magic", None), (None, None)],
)  # fmt: skip
def test_status_maps_to_active_and_unknown_stays_unknown(status: Any, active: Any) -> None:
    admin, _ = _profiles()
    (user,) = normalize.users(
        [_user(admin, status=status)], profiles=_infos(admin), primary_zuid=None
    )
    assert user.active is active


def test_confirm_is_the_only_sign_in_evidence() -> None:
    admin, _ = _profiles()
    invited, joined = _user(admin, confirm=False), _user(admin, confirm=True)
    no_flag = _user(admin)
    del no_flag["confirm"]
    users = normalize.users([invited, joined, no_flag], profiles=_infos(admin), primary_zuid=None)
    assert [u.never_logged_in for u in users] == [True, False, None]
    assert all(u.last_login_at is None for u in users)  # Zoho has no last sign-in time


def test_kind_from_type_or_category_else_unknown() -> None:
    assert normalize.user_kind({"type__s": "Client Portal User"}) == "portal"
    assert normalize.user_kind({"type__s": "Support User"}) == "system"
    assert normalize.user_kind({"category": "regular_user"}) == "human"
    assert normalize.user_kind({"category": "something_new"}) is None


def test_permissions_come_from_the_profile_with_grants() -> None:
    admin, export = _profiles()
    users = normalize.users(
        [_user(admin), _user(export)], profiles=_infos(admin, export), primary_zuid=None
    )
    assert set(users[0].permissions or []) >= {
        "setup.customize", "users.manage", "api.enabled", "data.export",
        "data.view_all", "data.modify_all", "data.mass_update", "data.mass_delete",
    }  # fmt: skip
    assert users[1].permissions == ["data.export"]
    assert {g.source_name for g in users[1].grants or []} == {"Exporters"}
    assert users[1].profile == "Exporters"


def test_a_custom_profile_named_administrator_is_not_the_builtin_one() -> None:
    fake = z.profile("Administrator", z.module_grants(("View", "Export")) | {"api"}, custom=True)
    info = normalize.profile_info(fake, fake)
    assert info.mapped is not None and "data.view_all" not in info.mapped.permissions


def test_primary_user_is_super_admin() -> None:
    admin, _ = _profiles()
    record = _user(admin, zuid="808233918")
    (user,) = normalize.users([record], profiles=_infos(admin), primary_zuid="808233918")
    assert "account.super_admin" in (user.permissions or [])
    assert any(g.source_name == permission_map.SUPER_ADMIN_GRANT for g in user.grants or [])


def test_unread_or_unrecognised_profile_leaves_permissions_unknown() -> None:
    admin, export = _profiles()
    unread = normalize.profile_info(export, None)
    odd = dict(admin, permissions_details=[{"id": "1", "name": "Something_Else", "enabled": True}])
    strange = normalize.profile_info(admin, odd)
    assert unread.mapped is None and strange.mapped is None
    assert "data.export" in (strange.problem or "")
    users = normalize.users(
        [_user(export), _user(admin)],
        profiles={export["id"]: unread, admin["id"]: strange},
        primary_zuid=None,
    )
    assert [u.permissions for u in users] == [None, None]  # unknown, never "none"


def test_permission_sets_count_active_assignees() -> None:
    admin, export = _profiles()
    infos = _infos(admin, export)
    users = normalize.users(
        [_user(admin), _user(admin, status="disabled"), _user(export)],
        profiles=infos,
        primary_zuid=None,
    )
    sets = {p.name: p for p in normalize.permission_sets(list(infos.values()), users)}
    assert (sets["Administrator"].assignee_count, sets["Administrator"].active_assignee_count) == (
        2,
        1,
    )
    assert sets["Exporters"].kind == "profile" and sets["Exporters"].custom is True


def test_roles_hierarchy_and_counts() -> None:
    ceo = z.role("CEO")
    rep = z.role("Rep", ceo)
    admin, _ = _profiles()
    records = [
        z.user("A", "B", "a@x", profile_record=admin, role_record=rep, created=NOW),
        z.user(
            "C", "D", "c@x", profile_record=admin, role_record=rep, created=NOW, status="deleted"
        ),
    ]
    roles = normalize.roles([ceo, rep], normalize.active_role_counts(records))
    assert [(r.name, r.parent_id, r.user_count) for r in roles] == [
        ("CEO", None, 0), ("Rep", ceo["id"], 1),
    ]  # fmt: skip


def test_field_security_per_profile_and_encryption() -> None:
    admin, export = _profiles()
    fields = {
        "Contacts": [
            z.field_record("SSN", {"Exporters": "hidden"}, [admin, export], encrypted=True),
            z.field_record("Email", {"Exporters": "read_only"}, [admin, export]),
        ],
        "Nope": None,
    }
    wanted = ["Contacts.SSN", "Contacts.Email", "Contacts.Missing", "Nope.X", "Unread.Y"]
    encryption = normalize.field_encryption(wanted, fields)
    assert [(f.name, f.exists, f.encrypted) for f in encryption] == [
        ("Contacts.SSN", True, True),
        ("Contacts.Email", True, False),
        ("Contacts.Missing", False, None),
        ("Nope.X", False, None),
    ]
    access = normalize.field_permissions(wanted, fields, None)
    assert {(a.field, a.permission_set, a.read, a.edit) for a in access} == {
        ("Contacts.SSN", "Administrator", True, True),
        ("Contacts.SSN", "Exporters", False, False),
        ("Contacts.Email", "Administrator", True, True),
        ("Contacts.Email", "Exporters", True, False),
    }


def test_hidden_field_permissions_are_a_permission_gap_and_odd_types_are_refused() -> None:
    admin, _ = _profiles()
    field = z.field_record("SSN", {}, [admin])
    with pytest.raises(PermissionMissingError, match="module customization"):
        normalize.field_permissions(
            ["Contacts.SSN"], {"Contacts": [dict(field, profiles=None)]}, None
        )
    odd = dict(field, profiles=[{"permission_type": "sometimes", "name": "X", "id": "1"}])
    with pytest.raises(normalize.UnmappedRecordError, match="sometimes"):
        normalize.field_permissions(["Contacts.SSN"], {"Contacts": [odd]}, None)


def test_crypt_states() -> None:
    enc = normalize._encrypted
    assert enc(None) is False
    assert enc({"mode": "encryption", "status": 1}) is True
    assert enc({"mode": "encryption", "status": 2}) is None  # in progress: unknown
    assert enc("garbage") is None


def test_tenant_edition_and_sandbox() -> None:
    org = z.org_record("N", edition="enterprise", users_licensed=3, primary_zuid="1", created=NOW)
    tenant = normalize.tenant(org, "https://www.zohoapis.eu", "eu", NOW)
    assert (tenant.edition, tenant.is_sandbox, tenant.name) == ("enterprise", False, "N")
    free = z.org_record("N", edition="free", users_licensed=3, primary_zuid="1", created=NOW)
    assert normalize.tenant(dict(free, type="sandbox"), "", "us", NOW).edition == "free"
    assert normalize.tenant(dict(free, type="sandbox"), "", "us", NOW).is_sandbox is True
    assert normalize.tenant(None, "https://x", "us", NOW).id is None


def test_parse_time() -> None:
    assert normalize.parse_time("2023-04-12T02:08:05-07:00") == datetime(
        2023, 4, 12, 9, 8, 5, tzinfo=timezone.utc
    )
    assert normalize.parse_time("not a time") is None
    assert normalize.parse_time(12) is None
