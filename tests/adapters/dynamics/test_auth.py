"""Sign-in through MSAL against the emulated Entra ID: successes and every refusal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import trustme

from adapters.dynamics import DynamicsAdapter
from scanner.adapter_api import AdapterSettings
from scanner.errors import AuthenticationError, ConfigError, UnreachableHostError
from scanner.model.inventory import Inventory
from tests.adapters.dynamics.conftest import SCOPE, Progress, settings_for
from tests.emulators.dynamics import DynamicsEmulator


def test_client_secret_signs_in_without_instance_discovery(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator
) -> None:
    collect()
    entra = emulator.served("entra")
    # An explicit --authority-host: MSAL is told not to ask Microsoft's instance
    # discovery (which would refuse a host it does not know), so nothing leaves loopback.
    assert not any(r.path.endswith("/discovery/instance") for r in emulator.requests)
    assert entra[0].path.endswith("/v2.0/.well-known/openid-configuration")
    assert {r.path for r in entra if r.method == "POST"} == {
        f"/{emulator.env.tenant_id}/oauth2/v2.0/token"
    }
    assert sorted(emulator.entra.issued) == sorted(
        [emulator.environment_url, "https://graph.microsoft.com"]
    )


def test_certificate_signs_in_with_a_client_assertion(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator, tmp_path: Path
) -> None:
    key = trustme.CA(key_type=trustme.KeyType.RSA).issue_cert(
        "crmscan.example", key_type=trustme.KeyType.RSA
    )
    pem = tmp_path / "app.pem"
    pem.write_bytes(key.private_key_pem.bytes() + key.cert_chain_pems[0].bytes())
    emulator.env.app.certificate_pem = key.cert_chain_pems[0].bytes().decode()
    emulator.env.app.client_secret = None
    inventory = collect(client_secret=None, certificate_file=str(pem))
    assert inventory.users is not None
    posts = [r for r in emulator.served("entra") if r.method == "POST"]
    assert len(posts) == 2


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"client_secret": "wrong-secret-value"}, "client secret of app"),
        ({"client_id": "11111111-2222-3333-4444-555555555555"}, "is not an application in tenant"),
        ({"tenant_id": "contoso-nobody.onmicrosoft.com"}, "does not know tenant"),
    ],
)
def test_refused_credentials_name_what_was_refused(
    collect: Callable[..., Inventory], change: dict[str, str], expected: str
) -> None:
    with pytest.raises(AuthenticationError, match=expected) as caught:
        collect(**change)
    assert "wrong-secret-value" not in str(caught.value)


def test_an_environment_of_another_tenant_is_named(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator
) -> None:
    emulator.resources = lambda: {emulator.graph_resource}  # type: ignore[method-assign]
    with pytest.raises(AuthenticationError, match="AADSTS500011") as caught:
        collect()
    assert emulator.environment_url in str(caught.value)


def test_an_app_that_is_no_application_user_is_refused(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator
) -> None:
    emulator.env.app.systemuserid = None
    with pytest.raises(AuthenticationError, match="application user"):
        collect()


def test_a_certificate_that_does_not_match_is_refused(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator, tmp_path: Path
) -> None:
    ca = trustme.CA(key_type=trustme.KeyType.RSA)
    rsa = trustme.KeyType.RSA
    registered = ca.issue_cert("a.example", key_type=rsa)
    other = ca.issue_cert("b.example", key_type=rsa)
    emulator.env.app.certificate_pem = registered.cert_chain_pems[0].bytes().decode()
    pem = tmp_path / "other.pem"
    pem.write_bytes(other.private_key_pem.bytes() + other.cert_chain_pems[0].bytes())
    with pytest.raises(AuthenticationError, match="certificate of app"):
        collect(client_secret=None, certificate_file=str(pem))


def test_secret_or_certificate_exactly_one(
    collect: Callable[..., Inventory], tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match="exactly one"):
        collect(client_secret=None)
    with pytest.raises(ConfigError, match="exactly one"):
        collect(certificate_file=str(tmp_path / "x.pem"))
    with pytest.raises(ConfigError, match="not a readable file"):
        collect(client_secret=None, certificate_file=str(tmp_path / "missing.pem"))
    ec = trustme.CA().issue_cert("ec.example")  # trustme's default key type is EC
    pem = tmp_path / "ec.pem"
    pem.write_bytes(ec.private_key_pem.bytes() + ec.cert_chain_pems[0].bytes())
    with pytest.raises(ConfigError, match="RSA"):
        collect(client_secret=None, certificate_file=str(pem))


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("environment_url", "", "environment URL"),
        ("environment_url", "http://org.crm.dynamics.com", "plain HTTP"),
        ("tenant_id", "", "--tenant-id"),
        ("cloud", "moon", "not a Microsoft cloud"),
    ],
)
def test_configuration_errors(
    collect: Callable[..., Inventory], option: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        collect(**{option: value})


def test_an_unreachable_authority_is_a_configuration_error(
    collect: Callable[..., Inventory],
) -> None:
    with pytest.raises(UnreachableHostError, match="cannot connect"):
        collect(authority_host="https://127.0.0.1:9")


def test_an_expired_token_is_renewed_once(
    collect: Callable[..., Inventory], emulator: DynamicsEmulator
) -> None:
    # Let WhoAmI and the organization through, then expire every token.
    original = emulator.dataverse.handle
    calls = {"n": 0}

    def expire_after_two(request):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            emulator.entra.expire_all()
        return original(request)

    emulator.dataverse.handle = expire_after_two  # type: ignore[method-assign]
    inventory = collect()
    assert inventory.users is not None and not any(g.collection == "users" for g in inventory.gaps)
    dataverse_tokens = [r for r in emulator.entra.issued if r == emulator.environment_url]
    assert len(dataverse_tokens) == 2


def test_the_cloud_is_inferred_from_the_environment_host(emulator: DynamicsEmulator) -> None:
    adapter = DynamicsAdapter(AdapterSettings(settings_for(emulator)))
    assert adapter._cloud("https://contoso.crm.microsoftdynamics.us").name == "gcc-high"
    assert adapter._cloud("https://contoso.crm9.dynamics.com").name == "gcc"
    assert adapter._cloud("https://contoso.crm4.dynamics.com").name == "public"
    assert adapter._cloud("https://contoso.crm.dynamics.cn").name == "china"


def test_progress_is_reported(make_adapter: Callable[..., DynamicsAdapter]) -> None:
    progress = Progress()
    make_adapter().collect(SCOPE, progress)
    finished = {c for kind, c, ok in progress.events if kind == "finished" and ok}
    assert {"tenant", "users", "permission_sets", "users.mfa", "auth.mfa"} <= finished
