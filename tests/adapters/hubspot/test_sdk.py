"""hubspot-api-client (urllib3) paths against the loopback emulator."""

from __future__ import annotations

import pytest

from adapters.hubspot.sdk import USERS_PAGE_LIMIT, SettingsReader
from adapters.hubspot.wire import MAX_ATTEMPTS, CallLog, Forbidden
from scanner.errors import (
    ApiError,
    AuthenticationError,
    ConfigError,
    MalformedResponseError,
    RateLimitedError,
    UnreachableHostError,
)
from tests.adapters.hubspot.conftest import NOW, SleepRecorder
from tests.emulators.hubspot import (
    TOKEN,
    HubSpotEmulator,
    error_body,
    large_account,
    rate_limit_body,
)

USERS = "/settings/v3/users"


def _reader(emulator: HubSpotEmulator, sleeps: SleepRecorder, token: str = TOKEN) -> SettingsReader:
    return SettingsReader(emulator.url, token, calls=CallLog(), sleep=sleeps)


def _all_users(reader: SettingsReader) -> list[str]:
    return [u.id for page in reader.user_pages() for u in page]


def test_users_roles_teams_with_fields(emulator: HubSpotEmulator, sleeps: SleepRecorder) -> None:
    reader = _reader(emulator, sleeps)
    users = {u.id: u for page in reader.user_pages() for u in page}
    assert users["1001"].super_admin is True
    assert users["1002"].role_ids == ("201",)
    assert users["1002"].primary_team_id == "11"
    assert users["1002"].secondary_team_ids == ("12",)
    assert users["1004"].primary_team_id is None
    assert [r.name for r in reader.roles()] == ["Sales Rep", "Marketing Manager", "Finance"]
    assert [(t.name, t.secondary_user_ids) for t in reader.teams()] == [
        ("Sales", ()),
        ("Marketing", ("1002",)),
    ]
    assert all(r.authorized for r in emulator.requests)


def test_users_follow_every_page(emulator: HubSpotEmulator, sleeps: SleepRecorder) -> None:
    emulator.account = large_account(NOW, users=250, logins=0)
    reader = _reader(emulator, sleeps)
    ids = _all_users(reader)
    assert len(ids) == len(set(ids)) == 250
    requests = [r for r in emulator.requests if r.path == USERS]
    assert len(requests) == 3
    assert all(r.query["limit"] == str(USERS_PAGE_LIMIT) for r in requests)
    assert "after" not in requests[0].query
    assert requests[1].query["after"] and requests[2].query["after"] != requests[1].query["after"]


def test_secondly_rate_limit_waits_and_retries(
    emulator: HubSpotEmulator, sleeps: SleepRecorder
) -> None:
    emulator.fail(USERS, 429, rate_limit_body("SECONDLY"), headers={"Retry-After": "1"}, times=2)
    reader = _reader(emulator, sleeps)
    assert len(_all_users(reader)) == 6
    assert sleeps.waits == [1.0, 1.0]


def test_rate_limit_on_a_later_page_resumes_that_page(
    emulator: HubSpotEmulator, sleeps: SleepRecorder
) -> None:
    emulator.account = large_account(NOW, users=150, logins=0)
    emulator.fail(USERS, 429, rate_limit_body("SECONDLY"),
                  headers={"X-HubSpot-RateLimit-Interval-Milliseconds": "250"}, skip=1)  # fmt: skip
    reader = _reader(emulator, sleeps)
    assert len(_all_users(reader)) == 150
    assert sleeps.waits == [0.25]
    retried = [r for r in emulator.requests if r.path == USERS][1:]
    assert retried[0].query == retried[1].query  # the same page, asked again


def test_daily_rate_limit_stops_without_retrying(
    emulator: HubSpotEmulator, sleeps: SleepRecorder
) -> None:
    emulator.fail(USERS, 429, rate_limit_body("DAILY"), times=99)
    with pytest.raises(RateLimitedError, match="DAILY"):
        _all_users(_reader(emulator, sleeps))
    assert emulator.pages_served(USERS) == 1
    assert sleeps.waits == []


def test_5xx_is_retried_then_succeeds(emulator: HubSpotEmulator, sleeps: SleepRecorder) -> None:
    emulator.fail(USERS, 502, b"<html>Bad Gateway</html>", times=2)
    assert len(_all_users(_reader(emulator, sleeps))) == 6
    assert len(sleeps.waits) == 2 and sleeps.waits[1] > sleeps.waits[0]


def test_persistent_5xx_becomes_api_error(emulator: HubSpotEmulator, sleeps: SleepRecorder) -> None:
    emulator.fail("/settings/v3/users/roles", 503, error_body("down", "INTERNAL_ERROR"), times=99)
    with pytest.raises(ApiError, match="503"):
        _reader(emulator, sleeps).roles()
    assert emulator.pages_served("/settings/v3/users/roles") == MAX_ATTEMPTS


def test_missing_scope_is_forbidden_naming_it(
    emulator: HubSpotEmulator, sleeps: SleepRecorder
) -> None:
    emulator.account.scopes.discard("settings.users.teams.read")
    with pytest.raises(Forbidden, match="settings.users.teams.read") as caught:
        _reader(emulator, sleeps).teams()
    assert caught.value.category == "MISSING_SCOPES"


def test_bad_token_on_first_call_is_authentication_error(
    emulator: HubSpotEmulator, sleeps: SleepRecorder
) -> None:
    bad = "pat-na1-00000000-0000-0000-0000-000000000000"
    with pytest.raises(AuthenticationError) as caught:
        _all_users(_reader(emulator, sleeps, token=bad))
    assert bad not in str(caught.value)


@pytest.mark.parametrize(
    "body",
    [b"<html>not json</html>", b'{"results": [{"email": "no-id@x.test"}]}', b'{"paging": {}}'],
)
def test_malformed_responses_are_reported(
    emulator: HubSpotEmulator, sleeps: SleepRecorder, body: bytes
) -> None:
    emulator.fail(USERS, 200, body)
    with pytest.raises(MalformedResponseError):
        _all_users(_reader(emulator, sleeps))


def test_unreachable_host_is_unreachable_host_error_at_once(sleeps: SleepRecorder) -> None:
    reader = SettingsReader("https://127.0.0.1:9", TOKEN, calls=CallLog(), sleep=sleeps)
    with pytest.raises(UnreachableHostError, match=r"127\.0\.0\.1:9"):
        reader.roles()
    assert sleeps.waits == []


def test_connection_failure_after_a_success_is_retried_then_api_error(
    emulator: HubSpotEmulator, sleeps: SleepRecorder
) -> None:
    reader = _reader(emulator, sleeps)
    reader.roles()
    emulator.stop()  # the host goes away mid-scan: transient until the attempts run out
    with pytest.raises(ApiError):
        reader.teams()
    assert len(sleeps.waits) == MAX_ATTEMPTS - 1


def test_plain_http_base_url_is_refused() -> None:
    with pytest.raises(ConfigError, match="plain HTTP"):
        SettingsReader("http://127.0.0.1:9", TOKEN, calls=CallLog())
