"""Normalization: permissions, login summaries, never-logged-in and tenant."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from adapters.hubspot import evidence, normalize
from adapters.hubspot.sdk import HsRole, HsTeam, HsUser
from tests.emulators.hubspot.account import iso

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def _user(uid: str, *, super_admin: bool | None = False, roles: tuple[str, ...] = ()) -> HsUser:
    return HsUser(uid, f"{uid}@x.test", roles, "t1", ("t2",), super_admin)


def _login(uid: str, at: datetime, ok: bool) -> dict[str, Any]:
    return {"userId": int(uid), "loginAt": iso(at), "loginSucceeded": ok,
            "ipAddress": "192.0.2.1", "countryCode": "de"}  # fmt: skip


def _one(hs: HsUser, security: list[dict[str, Any]] | None = None, **kw: Any):  # type: ignore[no-untyped-def]
    log = evidence.read(security or [], [hs.id])
    args: dict[str, Any] = {"roles": [], "teams": [], "logins": [], "evidence": log,
                            "status": {hs.id: True}, "now": NOW}  # fmt: skip
    args.update(kw)
    return normalize.users([hs], **args)[0]


def test_parse_time_accepts_iso_and_epoch_millis() -> None:
    expected = datetime(2022, 4, 1, 19, 36, 24, 303000, tzinfo=timezone.utc)
    assert normalize.parse_time("2022-04-01T19:36:24.303Z") == expected
    assert normalize.parse_time(1648841784303) == expected
    assert normalize.parse_time("not a date") is None
    assert normalize.parse_time(None) is None


def test_max_per_hour_uses_a_sliding_window() -> None:
    base = NOW - timedelta(days=1)
    times = [base + timedelta(minutes=m) for m in (0, 10, 50, 65, 69, 200)]
    assert (
        normalize.max_per_hour(times) == 4
    )  # 10, 50, 65, 69 (10 and 70 would be a full hour apart)
    assert normalize.max_per_hour([]) == 0


def test_super_admin_gets_every_admin_permission_with_its_grant() -> None:
    user = _one(_user("1", super_admin=True))
    assert set(user.permissions) == set(normalize.SUPER_ADMIN_PERMISSIONS)
    assert {"account.super_admin", "users.manage", "data.modify_all"} <= set(user.permissions)
    assert {g.source_name for g in user.grants} == {"Super Admin"}
    assert user.raw_permissions == ["superAdmin"]


def test_other_users_permissions_are_unknown_not_empty() -> None:
    user = _one(_user("2", roles=("r1",)), roles=[HsRole("r1", "Sales", False)])
    assert user.permissions is None
    assert user.permission_sets == ["Sales"]


def test_roles_and_teams_not_collected_stay_none() -> None:
    user = _one(_user("2", roles=("r1",)), roles=None, teams=None)
    assert user.permission_sets is None
    assert user.teams is None


def test_teams_are_primary_then_secondary_names() -> None:
    teams = [HsTeam("t1", "Sales", ("2",), ()), HsTeam("t2", "EMEA", (), ("2",))]
    assert _one(_user("2"), teams=teams).teams == ["Sales", "EMEA"]


def test_login_summary_and_last_login() -> None:
    events = [
        _login("3", NOW - timedelta(days=2), True),
        _login("3", NOW - timedelta(days=1), True),
        *(_login("3", NOW - timedelta(days=3, minutes=m), False) for m in range(0, 50, 10)),
    ]
    user = _one(_user("3"), logins=events)
    assert user.last_login_at == NOW - timedelta(days=1)
    assert user.never_logged_in is False
    assert user.login.successes == 2
    assert user.login.failures == 5
    assert user.login.max_failures_per_hour == 5
    assert user.login.window_days == 90
    assert user.login.countries == ["DE"]


def test_events_without_user_id_are_matched_by_email() -> None:
    event = {"email": "4@X.test", "loginAt": iso(NOW - timedelta(days=1)), "loginSucceeded": True}
    assert _one(_user("4"), logins=[event]).login.successes == 1


def test_no_login_for_user_added_inside_window_means_never_logged_in() -> None:
    added = {"type": "ADD_USER", "objectId": "5", "createdAt": iso(NOW - timedelta(days=10))}
    user = _one(_user("5"), security=[added])
    assert user.created_at == NOW - timedelta(days=10)
    assert user.never_logged_in is True


def test_no_login_for_older_user_is_unknown_never_logged_in_but_zero_successes() -> None:
    # Could have logged in before the 90-day window: "never" cannot be known.
    user = _one(_user("6"))
    assert user.never_logged_in is None
    assert user.last_login_at is None
    assert user.login.successes == 0


def test_login_activity_not_collected_leaves_login_fields_none() -> None:
    added = {"type": "ADD_USER", "objectId": "7", "createdAt": iso(NOW - timedelta(days=10))}
    user = _one(_user("7"), logins=None, security=[added])
    assert user.login is None
    assert user.never_logged_in is None
    assert user.last_login_at is None


def test_permission_sets_count_assignees() -> None:
    roles = [HsRole("r1", "Sales", False), HsRole("r2", "Finance", True)]
    users = [_user("1", roles=("r1",)), _user("2", roles=("r1",))]
    sets = normalize.permission_sets(roles, users, {u.id: True for u in users})
    assert [(p.name, p.kind, p.assignee_count, p.permissions) for p in sets] == [
        ("Sales", "role", 2, None),
        ("Finance", "role", 0, None),
    ]


def test_tenant_sandbox_and_ids() -> None:
    sandbox = normalize.tenant({"portalId": 5, "accountType": "SANDBOX"}, "https://h", NOW)
    standard = normalize.tenant({"portalId": 6, "accountType": "STANDARD"}, "https://h", NOW)
    unknown = normalize.tenant(None, "https://h", NOW)
    assert (sandbox.id, sandbox.is_sandbox, sandbox.edition) == ("5", True, "SANDBOX")
    assert standard.is_sandbox is False
    assert unknown.is_sandbox is None and unknown.id is None


def test_events_before_the_window_give_last_login_but_not_window_counts() -> None:
    old = _login("8", NOW - timedelta(days=95), True)
    user = _one(_user("8"), logins=[old])
    assert user.last_login_at == NOW - timedelta(days=95)
    assert user.never_logged_in is False
    assert user.login.successes == 0
