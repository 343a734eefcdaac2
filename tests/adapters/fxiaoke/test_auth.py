"""Sign-in, refused credentials, and the token's expiry honoured during a scan."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from adapters.fxiaoke import FxiaokeAdapter
from scanner.adapter_api import AdapterSettings, CollectionScope, NullProgress
from scanner.errors import AuthenticationError, ConfigError, UnreachableHostError
from scanner.model.inventory import GapReason, Inventory
from tests.adapters.fxiaoke.conftest import NOW, settings_for
from tests.emulators.fxiaoke import (
    DEPARTMENT_LIST,
    ROLE_LIST,
    TOKEN_PATH,
    USER_LIST,
    FakeClock,
    FxiaokeEmulator,
    sample_enterprise,
)


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("app_secret", "wrong-secret-value", "--app-secret"),
        ("app_id", "FSAID_nope", "--app-id"),
        ("permanent_code", "WRONGCODE", "--permanent-code"),
    ],
)
def test_refused_credentials_stop_the_scan_naming_what_to_fix(
    make_adapter: Callable[..., FxiaokeAdapter],
    emulator: FxiaokeEmulator,
    field: str,
    value: str,
    named: str,
) -> None:
    with pytest.raises(AuthenticationError) as refused:
        make_adapter(**{field: value}).collect(CollectionScope(), NullProgress())
    assert named in str(refused.value)
    assert value not in str(refused.value)
    assert [r.path for r in emulator.requests] == [TOKEN_PATH]


def test_missing_credentials_are_a_usage_error(make_adapter: Callable[..., FxiaokeAdapter]) -> None:
    with pytest.raises(ConfigError, match="--permanent-code / FXIAOKE_PERMANENT_CODE"):
        make_adapter(permanent_code="  ").collect(CollectionScope(), NullProgress())


def test_plain_http_is_refused(make_adapter: Callable[..., FxiaokeAdapter]) -> None:
    with pytest.raises(ConfigError, match="plain HTTP"):
        make_adapter(base_url="http://127.0.0.1:1").collect(CollectionScope(), NullProgress())


def test_an_untrusted_certificate_is_refused(clock: FakeClock) -> None:
    # The emulator's CA is not trusted here: TLS verification fails, nothing is sent.
    with FxiaokeEmulator(sample_enterprise(NOW), clock=clock) as server:
        adapter = FxiaokeAdapter(AdapterSettings(settings_for(server)), sleep=lambda _: None)
        with pytest.raises(UnreachableHostError, match="TLS"):
            adapter.collect(CollectionScope(), NullProgress())
        assert server.requests == []


def test_the_token_is_renewed_before_it_lapses_mid_scan(
    scan: Callable[..., Inventory], emulator: FxiaokeEmulator, clock: FakeClock
) -> None:
    # A long scan: 7000 of the token's 7200 seconds pass while the departments are read.
    emulator.mutate(DEPARTMENT_LIST, lambda body: clock.advance(7000))
    inventory = scan()
    assert len(emulator.tokens_issued) == 2
    (users,) = emulator.calls(USER_LIST)
    assert users.body["corpAccessToken"] == emulator.tokens_issued[1]
    assert inventory.users is not None and inventory.gap_for("users") is None
    assert inventory.extra["fxiaoke"]["token_renewals"] == 0  # renewed ahead, not refused


def test_a_token_the_server_expired_is_renewed_and_the_call_retried(
    scan: Callable[..., Inventory], emulator: FxiaokeEmulator
) -> None:
    emulator.mutate(DEPARTMENT_LIST, lambda body: emulator.expire_tokens())
    inventory = scan()
    user_calls = emulator.calls(USER_LIST)
    assert len(user_calls) == 2 and len(emulator.tokens_issued) == 2
    assert user_calls[0].body["corpAccessToken"] != user_calls[1].body["corpAccessToken"]
    assert inventory.users is not None and len(inventory.users) == 20
    assert inventory.extra["fxiaoke"]["token_renewals"] == 1


def test_a_token_refused_again_after_renewal_is_a_gap(
    scan: Callable[..., Inventory], emulator: FxiaokeEmulator
) -> None:
    emulator.fail(USER_LIST, 20016, "corpAccessToken不存在或者已经过期", times=2)
    inventory = scan()
    gap = inventory.gap_for("users")
    assert gap is not None and gap.reason is GapReason.API_ERROR and "renewed" in gap.detail
    assert inventory.permission_sets is not None  # the scan went on


def test_renewal_refused_mid_scan_becomes_gaps_not_an_exit(
    scan: Callable[..., Inventory], emulator: FxiaokeEmulator
) -> None:
    def revoke(body: dict[str, Any]) -> None:
        emulator.expire_tokens()
        emulator.enterprise.credentials.permanent_code = "REVOKED"

    emulator.mutate(USER_LIST, revoke)
    inventory = scan()
    assert inventory.users is not None
    gap = inventory.gap_for("permission_sets")
    assert gap is not None and gap.reason is GapReason.API_ERROR
    assert "could not be renewed" in gap.detail and "20015" in gap.detail
    assert len(emulator.calls(ROLE_LIST)) == 1  # answered 20016; the renewal was refused
