"""The whole adapter against the emulator: inventory, gaps, auth, read-only, secrets."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from adapters.hubspot import HubSpotAdapter
from scanner.adapter_api import ADAPTERS, AdapterSettings, CollectionScope, NullProgress
from scanner.errors import EXIT_USAGE, AuthenticationError, ConfigError
from scanner.model.capabilities import Support
from scanner.model.inventory import COLLECTIONS, GapReason, Inventory
from tests.adapters.hubspot.conftest import NOW, SleepRecorder
from tests.emulators.hubspot import TOKEN, HubSpotEmulator, rate_limit_body, sample_account
from tests.emulators.hubspot.account import ADMIN, ALICE, BOB, CAROL, DAVE, ERIN

Build = Callable[..., HubSpotAdapter]
READ_ONLY_POST = "/oauth/v2/private-apps/get/access-token-info"


class Progress:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, bool | None]] = []

    def started(self, collection: str) -> None:
        self.events.append(("started", collection, None))

    def finished(self, collection: str, ok: bool) -> None:
        self.events.append(("finished", collection, ok))


def _scan(make_adapter: Build, **kw: str) -> Inventory:
    return make_adapter(**kw).collect(CollectionScope(), NullProgress())


def _gap(inv: Inventory, collection: str) -> tuple[GapReason, str]:
    gap = inv.gap_for(collection)
    assert gap is not None, f"no gap for {collection}"
    return gap.reason, gap.detail


def test_registered_with_its_options() -> None:
    cls = ADAPTERS.get("hubspot")
    assert cls is HubSpotAdapter
    options = {o.name: o for o in cls.options}
    assert options["access_token"].envvar == "HUBSPOT_ACCESS_TOKEN"
    assert options["access_token"].secret
    assert options["base_url"].envvar == "HUBSPOT_BASE_URL"


def test_settings_come_from_the_environment() -> None:
    env = {"HUBSPOT_ACCESS_TOKEN": "pat-env", "HUBSPOT_BASE_URL": "http://127.0.0.1:1"}
    settings = HubSpotAdapter.settings_from({"access_token": None}, env)
    assert settings.get("access_token") == "pat-env"
    assert settings.get("base_url") == "http://127.0.0.1:1"


def test_full_inventory(make_adapter: Build, emulator: HubSpotEmulator) -> None:
    inv = _scan(make_adapter)
    assert (inv.tenant.platform, inv.tenant.id, inv.tenant.is_sandbox) == (
        "hubspot",
        "62515",
        False,
    )
    users = {u.id: u for u in inv.users or []}
    assert set(users) == {ADMIN, ALICE, BOB, CAROL, DAVE, ERIN}
    # Erin is listed by the users API but is an archived owner: deactivated, not active.
    assert users[ERIN].active is False and users[ADMIN].active is True
    assert "account.super_admin" in (users[ADMIN].permissions or [])
    assert "account.super_admin" in (users[CAROL].permissions or [])
    assert users[ALICE].permissions is None  # role contents are not in the API
    assert users[ALICE].permission_sets == ["Sales Rep"]
    assert users[ALICE].teams == ["Sales", "Marketing"]
    bob_login, carol_login = users[BOB].login, users[CAROL].login
    assert bob_login is not None and bob_login.max_failures_per_hour == 6
    assert carol_login is not None and carol_login.successes == 0
    assert users[CAROL].never_logged_in is None and users[CAROL].last_login_at is None
    assert users[DAVE].never_logged_in is True
    active = [u for u in users.values() if u.id != ERIN]
    assert all(u.kind == "human" and u.active for u in active)
    # 2FA from security events: added by the admin and Alice, removed by Bob; no event
    # for Carol or Dave, so no claim about them.
    assert users[ADMIN].mfa is not None and users[ADMIN].mfa.status == "enrolled"
    assert users[BOB].mfa is not None and users[BOB].mfa.status == "not_enrolled"
    assert users[CAROL].mfa is None and users[DAVE].mfa is None
    assert [p.name for p in inv.permission_sets or []] == ["Sales Rep", "Marketing Manager",
                                                          "Finance"]  # fmt: skip
    assert inv.monitoring.login_history_days == 90
    assert inv.monitoring.audit_log_available is False
    assert _gap(inv, "monitoring.audit_log")[0] == GapReason.NOT_AVAILABLE
    assert inv.integrations is not None and inv.integrations[0].kind == "private_app"
    assert "settings.users.read" in (inv.integrations[0].scopes or [])
    assert inv.integrations[0].user == "admin@acme.test"
    assert inv.api_usage is not None
    # The emulator counts every request into the day's usage, as HubSpot does.
    usage_call = [r.path for r in emulator.requests].index(
        "/account-info/v3/api-usage/daily/private-apps"
    )
    assert (inv.api_usage.daily_used, inv.api_usage.daily_limit) == (1234 + usage_call + 1, 500_000)
    assert inv.api_usage.requests == len(emulator.requests)
    assert all(g.collection in COLLECTIONS for g in inv.gaps)
    Inventory.model_validate_json(inv.model_dump_json())  # round-trips


def test_mfa_is_declared_no_api_naming_the_settings(make_adapter: Build) -> None:
    inv = _scan(make_adapter)
    declared = HubSpotAdapter.capabilities
    user_mfa, account_mfa = declared.lookup("users.mfa"), declared.lookup("auth.mfa")
    assert user_mfa.support is Support.NO_API and "Settings > Users & Teams" in (
        user_mfa.review or ""
    )
    assert account_mfa.support is Support.NO_API
    assert "Require two-factor authentication" in (account_mfa.review or "")
    # A capability, not a collection failure: no gap, and the data stays null.
    assert inv.gap_for("users.mfa") is None and inv.gap_for("auth.mfa") is None
    assert inv.auth.mfa_enforced is None


def test_enterprise_account_has_audit_logs(make_adapter: Build, emulator: HubSpotEmulator) -> None:
    emulator.account = sample_account(NOW, enterprise=True)
    inv = _scan(make_adapter)
    assert inv.monitoring.audit_log_available is True
    assert inv.gap_for("monitoring.audit_log") is None


def test_sandbox_account(make_adapter: Build, emulator: HubSpotEmulator) -> None:
    emulator.account.details["accountType"] = "SANDBOX"
    inv = _scan(make_adapter)
    assert inv.tenant.is_sandbox is True and inv.tenant.edition == "SANDBOX"


def test_missing_security_scope_is_a_gap_and_the_scan_goes_on(
    make_adapter: Build, emulator: HubSpotEmulator
) -> None:
    emulator.account.scopes.discard("account-info.security.read")
    inv = _scan(make_adapter)
    reason, detail = _gap(inv, "users.login")
    assert reason == GapReason.PERMISSION_MISSING and "account-info.security.read" in detail
    reason, _ = _gap(inv, "monitoring.audit_log")
    assert reason == GapReason.PERMISSION_MISSING  # a scope, not the tier
    assert inv.monitoring.audit_log_available is None
    users = {u.id: u for u in inv.users or []}
    assert len(users) == 6 and users[ALICE].login is None and users[DAVE].never_logged_in is None
    assert inv.monitoring.login_history_days is None
    assert inv.permission_sets is not None  # the rest was collected


def test_missing_users_scope_leaves_users_none(
    make_adapter: Build, emulator: HubSpotEmulator
) -> None:
    emulator.account.scopes.discard("settings.users.read")
    inv = _scan(make_adapter)
    assert inv.users is None and inv.permission_sets is None
    assert _gap(inv, "users")[0] == GapReason.PERMISSION_MISSING
    assert "settings.users.read" in _gap(inv, "users")[1]


def test_teams_failure_only_loses_teams(make_adapter: Build, emulator: HubSpotEmulator) -> None:
    emulator.fail("/settings/v3/users/teams", 500, times=99)
    inv = _scan(make_adapter)
    assert _gap(inv, "users.teams")[0] == GapReason.API_ERROR
    assert all(u.teams is None for u in inv.users or [])
    assert inv.gap_for("users") is None


def test_daily_limit_on_login_activity_is_a_rate_limited_gap(
    make_adapter: Build, emulator: HubSpotEmulator, sleeps: SleepRecorder
) -> None:
    emulator.fail("/account-info/v3/activity/login", 429, rate_limit_body("DAILY"), times=99)
    inv = _scan(make_adapter)
    reason, detail = _gap(inv, "users.login")
    assert reason == GapReason.RATE_LIMITED and "DAILY" in detail
    assert sleeps.waits == []
    assert emulator.pages_served("/account-info/v3/activity/login") == 1


def test_secondly_limit_is_waited_out(
    make_adapter: Build, emulator: HubSpotEmulator, sleeps: SleepRecorder
) -> None:
    emulator.fail("/account-info/v3/activity/login", 429, rate_limit_body("SECONDLY"),
                  headers={"Retry-After": "1"})  # fmt: skip
    inv = _scan(make_adapter)
    assert inv.gap_for("users.login") is None
    assert sleeps.waits == [1.0]


def test_malformed_login_page_is_a_gap(make_adapter: Build, emulator: HubSpotEmulator) -> None:
    emulator.fail("/account-info/v3/activity/login", 200, b"<html>oops</html>")
    inv = _scan(make_adapter)
    assert _gap(inv, "users.login")[0] == GapReason.MALFORMED_RESPONSE
    assert all(u.login is None for u in inv.users or [])


def test_progress_reports_each_collection(make_adapter: Build, emulator: HubSpotEmulator) -> None:
    emulator.fail("/settings/v3/users/teams", 403, {"category": "MISSING_SCOPES"})
    progress = Progress()
    make_adapter().collect(CollectionScope(), progress)
    finished = {c: ok for kind, c, ok in progress.events if kind == "finished"}
    started = [c for kind, c, _ in progress.events if kind == "started"]
    assert sorted(started) == sorted(finished)
    assert finished["users"] is True and finished["users.teams"] is False


def test_bad_token_is_an_authentication_error_with_exit_2(
    make_adapter: Build, emulator: HubSpotEmulator
) -> None:
    bad = "pat-na1-99999999-8888-7777-6666-555555555555"
    with pytest.raises(AuthenticationError) as caught:
        _scan(make_adapter, token=bad)
    assert caught.value.exit_code == EXIT_USAGE
    assert bad not in str(caught.value)
    assert "access token" in str(caught.value)
    assert len(emulator.requests) == 1  # stopped at the first call


def test_missing_token_is_a_config_error() -> None:
    adapter = HubSpotAdapter(AdapterSettings({"access_token": None}))
    with pytest.raises(ConfigError, match="HUBSPOT_ACCESS_TOKEN"):
        adapter.collect(CollectionScope(), NullProgress())


def test_bad_base_url_is_a_config_error() -> None:
    adapter = HubSpotAdapter(AdapterSettings({"access_token": TOKEN, "base_url": "ftp://x"}))
    with pytest.raises(ConfigError, match="base-url"):
        adapter.collect(CollectionScope(), NullProgress())


def test_only_reads(make_adapter: Build, emulator: HubSpotEmulator) -> None:
    emulator.account = sample_account(NOW, enterprise=True)
    _scan(make_adapter)
    writes = [r for r in emulator.requests if r.method != "GET" and r.path != READ_ONLY_POST]
    assert emulator.requests and writes == []
    assert [r.path for r in emulator.requests if r.method == "POST"] == [READ_ONLY_POST]


def test_token_never_leaks(
    make_adapter: Build, emulator: HubSpotEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    emulator.fail("/settings/v3/users/teams", 500, {"message": f"echo {TOKEN}"}, times=99)
    emulator.fail("/account-info/v3/activity/login", 400, {"message": f"bad {TOKEN}"})
    inv = _scan(make_adapter)
    dumped = inv.model_dump_json()
    assert TOKEN not in dumped
    assert TOKEN not in caplog.text
    assert all(TOKEN not in g.detail for g in inv.gaps)
    assert "[REDACTED]" in dumped  # the echoed token was scrubbed, not dropped silently


@pytest.mark.parametrize(("n_users", "n_logins"), [(1001, 401), (1000, 400), (0, 0)])
def test_pages_used_are_the_minimum(
    make_adapter: Build, emulator: HubSpotEmulator, n_users: int, n_logins: int
) -> None:
    from tests.emulators.hubspot import large_account

    emulator.account = large_account(NOW, users=n_users, logins=n_logins)
    adapter = make_adapter()
    inv = adapter.collect(CollectionScope(), NullProgress())
    assert len(inv.users or []) == n_users
    assert adapter.calls.pages["users"] == max(1, -(-n_users // 100))
    assert adapter.calls.pages["login_activity"] == max(1, -(-n_logins // 200))
    assert (
        emulator.pages_served("/account-info/v3/activity/login")
        == adapter.calls.pages["login_activity"]
    )
    logins = [r for r in emulator.requests if r.path == "/account-info/v3/activity/login"]
    assert all(r.query["limit"] == "200" for r in logins)


def test_daily_allowance_reserve_is_left_for_other_integrations(
    make_adapter: Build, emulator: HubSpotEmulator
) -> None:
    emulator.account.daily_usage = 495_000  # 1% of 500,000 left; the scope keeps 10%
    inv = _scan(make_adapter)
    assert len(emulator.requests) == 1  # account details told us; nothing more was sent
    for collection in ("users", "permission_sets", "users.login", "integrations"):
        reason, detail = _gap(inv, collection)
        # HubSpot counts the one request made: 4,999 calls are left.
        assert reason == GapReason.API_LIMIT_RESERVE and "4999 of" in detail


def test_reserve_zero_lets_the_scan_use_the_allowance(
    make_adapter: Build, emulator: HubSpotEmulator
) -> None:
    emulator.account.daily_usage = 495_000
    inv = make_adapter().collect(CollectionScope(api_reserve_percent=0.0), NullProgress())
    assert inv.users is not None and inv.gap_for("users") is None


def test_authentication_error_reports_the_step_as_failed(make_adapter: Build) -> None:
    progress = Progress()
    with pytest.raises(AuthenticationError):
        make_adapter(token="pat-na1-wrong").collect(CollectionScope(), progress)
    assert progress.events == [("started", "tenant", None), ("finished", "tenant", False)]


def test_past_the_scan_deadline_every_collection_is_a_deadline_gap(
    make_adapter: Build, emulator: HubSpotEmulator
) -> None:
    import time

    inv = make_adapter().collect(CollectionScope(deadline=time.monotonic() - 1), NullProgress())
    assert emulator.requests == [] and emulator.probe_requests == []
    for collection in ("tenant", "users", "permission_sets", "users.login", "encryption.transport"):
        reason, detail = _gap(inv, collection)
        assert reason == GapReason.API_ERROR and "deadline" in detail
    assert inv.users is None and inv.api_usage is not None and inv.api_usage.requests == 0


def test_plain_http_base_url_is_refused_before_anything_is_sent() -> None:
    adapter = HubSpotAdapter(
        AdapterSettings({"access_token": TOKEN, "base_url": "http://127.0.0.1:1"})
    )
    with pytest.raises(ConfigError, match="plain HTTP") as caught:
        adapter.collect(CollectionScope(), NullProgress())
    assert caught.value.exit_code == EXIT_USAGE
