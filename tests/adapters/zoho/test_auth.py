"""Sign-in: each data centre's accounts server, the API domain from the token response,
refused credentials (exit 2 naming the data centre), renewal before and after lapse."""

from __future__ import annotations

import httpx
import pytest
import respx

from adapters.http import RetryCore
from adapters.zoho import ZohoAdapter
from adapters.zoho.auth import ClientCredentials, ZohoTokens
from adapters.zoho.datacentres import DATA_CENTRES, data_centre
from scanner.adapter_api import AdapterSettings, NullProgress
from scanner.errors import AuthenticationError, ConfigError
from tests.adapters.zoho.conftest import NOW, SCOPE, SleepRecorder, settings_for
from tests.emulators.zoho import ZohoEmulator
from tests.emulators.zoho.sample import sample_org

CREDS = ClientCredentials("1000.CLIENT", "s3cret-client", "1000.refresh.tok")

#: Each data centre's accounts server and the API domain Zoho's token response names.
EXPECTED = {
    "us": ("https://accounts.zoho.com", "https://www.zohoapis.com"),
    "eu": ("https://accounts.zoho.eu", "https://www.zohoapis.eu"),
    "in": ("https://accounts.zoho.in", "https://www.zohoapis.in"),
    "au": ("https://accounts.zoho.com.au", "https://www.zohoapis.com.au"),
    "jp": ("https://accounts.zoho.jp", "https://www.zohoapis.jp"),
    "cn": ("https://accounts.zoho.com.cn", "https://www.zohoapis.com.cn"),
    "ca": ("https://accounts.zohocloud.ca", "https://www.zohoapis.ca"),
    "sa": ("https://accounts.zoho.sa", "https://www.zohoapis.sa"),
    "uk": ("https://accounts.zoho.uk", "https://www.zohoapis.uk"),
}


def _tokens(region: str, accounts_url: str | None = None) -> ZohoTokens:
    dc = data_centre(region)
    url = accounts_url or dc.accounts_url
    return ZohoTokens(
        CREDS, accounts_url=url, data_centre=dc.name, core=RetryCore(sleep=lambda _s: None),
        strict_api_domain=url == dc.accounts_url,
    )  # fmt: skip


def test_every_data_centre_is_covered() -> None:
    assert set(DATA_CENTRES) == set(EXPECTED)
    assert data_centre(".com.au").name == "au" and data_centre("COM").name == "us"
    with pytest.raises(ConfigError, match="unknown Zoho data centre 'mars'"):
        data_centre("mars")


@pytest.mark.parametrize("region", sorted(EXPECTED))
@respx.mock(assert_all_called=True)
def test_each_data_centre_signs_in_at_its_accounts_server(
    region: str, respx_mock: respx.MockRouter
) -> None:
    accounts, api_domain = EXPECTED[region]
    route = respx_mock.post(f"{accounts}/oauth/v2/token").mock(
        return_value=httpx.Response(
            200,
            json={"access_token": "1000.at", "expires_in": 3600, "api_domain": api_domain,
                  "token_type": "Bearer", "scope": "ZohoCRM.users.READ"},
        )
    )  # fmt: skip
    tokens = _tokens(region)
    assert tokens.api_domain() == api_domain
    form = dict(httpx.QueryParams(route.calls.last.request.content.decode()))
    assert form == {"grant_type": "refresh_token", "client_id": CREDS.client_id,
                    "client_secret": CREDS.client_secret, "refresh_token": CREDS.refresh_token}  # fmt: skip
    assert "refresh" not in str(route.calls.last.request.url)  # secrets stay out of URLs
    assert tokens.sign_in.scopes == ("ZohoCRM.users.READ",)


@respx.mock
def test_refused_refresh_token_names_the_data_centre(respx_mock: respx.MockRouter) -> None:
    respx_mock.post("https://accounts.zoho.eu/oauth/v2/token").mock(
        return_value=httpx.Response(200, json={"error": "invalid_code"})
    )
    with pytest.raises(AuthenticationError) as caught:
        _tokens("eu").api_domain()
    assert "eu data centre" in str(caught.value) and "invalid_code" in str(caught.value)
    assert CREDS.refresh_token not in str(caught.value)


@respx.mock
def test_a_non_zoho_api_domain_is_refused_from_zohos_own_accounts_server(
    respx_mock: respx.MockRouter,
) -> None:
    respx_mock.post("https://accounts.zoho.com/oauth/v2/token").mock(
        return_value=httpx.Response(
            200,
            json={
                "access_token": "1000.at",
                "expires_in": 3600,
                "api_domain": "https://evil.example",
            },
        )
    )
    with pytest.raises(ConfigError, match="not a Zoho API domain"):
        _tokens("us").api_domain()


def test_wrong_client_secret_exits_before_any_api_call(
    emulator: ZohoEmulator, sleeps: SleepRecorder
) -> None:
    adapter = ZohoAdapter(settings_for(emulator, client_secret="nope"), sleep=sleeps)
    with pytest.raises(AuthenticationError, match="invalid_client_secret"):
        adapter.collect(SCOPE, NullProgress())
    assert [r.path for r in emulator.requests] == ["/oauth/v2/token"]


def test_missing_credentials_are_a_config_error() -> None:
    adapter = ZohoAdapter(AdapterSettings({"client_id": "x"}))
    with pytest.raises(ConfigError, match="--client-secret / ZOHO_CLIENT_SECRET.*--refresh-token"):
        adapter.collect(SCOPE, NullProgress())


def test_token_is_renewed_before_it_lapses(trust, sleeps: SleepRecorder) -> None:  # type: ignore[no-untyped-def]
    # One-second tokens and a slow server: the scan outlives several tokens and never
    # sends a lapsed one (the emulator would answer INVALID_TOKEN).
    with ZohoEmulator(sample_org(NOW), token_lifetime=1.0, latency=0.12) as server:
        trust(server)
        inventory = ZohoAdapter(settings_for(server), sleep=sleeps).collect(SCOPE, NullProgress())
        assert server.tokens_issued >= 2
        assert not [g for g in inventory.gaps if g.reason.value not in ("no_api", "not_available")]
        assert server.lapsed_tokens_refused == 0
        assert inventory.extra["zoho"]["tokens_issued"] == server.tokens_issued


def test_a_lapsed_token_is_renewed_once_and_the_call_repeated(
    collect, emulator: ZohoEmulator
) -> None:  # type: ignore[no-untyped-def]
    emulator.fail("/crm/v8/settings/roles", 401,
                  {"code": "INVALID_TOKEN", "details": {}, "message": "invalid oauth token", "status": "error"})  # fmt: skip
    inventory = collect()
    assert inventory.roles is not None and emulator.tokens_issued == 2
    assert len(emulator.calls("/crm/v8/settings/roles")) == 2


def test_tokens_from_another_accounts_server_are_an_authentication_error(
    collect, emulator: ZohoEmulator
) -> None:  # type: ignore[no-untyped-def]
    body = {
        "code": "INVALID_TOKEN",
        "details": {},
        "message": "invalid oauth token",
        "status": "error",
    }
    emulator.fail("/crm/v8/org", 401, body, times=5)
    with pytest.raises(AuthenticationError, match="--data-centre / --accounts-url"):
        collect()
