"""Each way of signing in, through the real simple-salesforce client, and each refusal."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.salesforce.auth import normalize_domain
from scanner.errors import EXIT_USAGE, AuthenticationError, ConfigError
from tests.adapters.salesforce.conftest import SCOPE, Progress, make_adapter
from tests.emulators.salesforce import SalesforceEmulator


def _key_pair(tmp_path: Path) -> tuple[Path, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "server.key"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return path, public


def _modes(emu: SalesforceEmulator, key_file: Path) -> dict[str, dict[str, str]]:
    creds = emu.credentials
    return {
        "access_token": {"instance_url": emu.url, "access_token": creds.access_token},
        "password_security_token": {
            "username": creds.username,
            "password": creds.password,
            "security_token": creds.security_token,
        },
        "oauth_password": {
            "username": creds.username,
            "password": creds.password + creds.security_token,
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
        },
        "jwt_bearer": {
            "username": creds.username,
            "client_id": creds.client_id,
            "jwt_key_file": str(key_file),
        },
        "client_credentials": {
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
            "domain": creds.my_domain,
        },
    }


MODES = [
    "access_token",
    "password_security_token",
    "oauth_password",
    "jwt_bearer",
    "client_credentials",
]
LOGIN_PATHS = {
    "access_token": None,
    "password_security_token": "/services/Soap/u/62.0",
    "oauth_password": "/services/oauth2/token",
    "jwt_bearer": "/services/oauth2/token",
    "client_credentials": "/services/oauth2/token",
}
WRONG = {
    "access_token": ("access_token", "00D000000000001!AQwrongwrongwrongwrongwrongwrong"),
    "password_security_token": ("password", "not-the-password"),
    "oauth_password": ("client_secret", "not-the-client-secret"),
    "jwt_bearer": ("username", "someone.else@acme-outfitters.example"),
    "client_credentials": ("client_secret", "not-the-client-secret"),
}


@pytest.mark.parametrize("mode", MODES)
def test_each_auth_mode_signs_in_and_collects(
    emulator: SalesforceEmulator, tmp_path: Path, mode: str
) -> None:
    key_file, public = _key_pair(tmp_path)
    emulator.credentials.jwt_public_key = public
    adapter = make_adapter(emulator, **_modes(emulator, key_file)[mode])
    inventory = adapter.collect(SCOPE, Progress())
    assert inventory.tenant.name == "Acme Outfitters"
    assert inventory.users is not None and len(inventory.users) == 50
    logins = [r for r in emulator.log if r.path == LOGIN_PATHS[mode]]
    if LOGIN_PATHS[mode] is None:
        assert not [r for r in emulator.log if r.method == "POST" and "Soap/m" not in r.path]
    else:
        assert len(logins) == 1 and logins[0].status == 200
        expected_host = f"{emulator.credentials.my_domain}.salesforce.com"
        assert logins[0].host == (
            expected_host if mode == "client_credentials" else "login.salesforce.com"
        )


@pytest.mark.parametrize("mode", MODES)
def test_wrong_credentials_are_an_authentication_error(
    emulator: SalesforceEmulator, tmp_path: Path, mode: str
) -> None:
    key_file, public = _key_pair(tmp_path)
    emulator.credentials.jwt_public_key = public
    values = _modes(emulator, key_file)[mode]
    name, wrong = WRONG[mode]
    values[name] = wrong
    with pytest.raises(AuthenticationError) as caught:
        make_adapter(emulator, **values).collect(SCOPE, Progress())
    assert caught.value.exit_code == EXIT_USAGE
    assert "rejected" in str(caught.value)
    for secret in (wrong, emulator.credentials.password, emulator.credentials.client_secret):
        assert secret not in str(caught.value)


def test_sandbox_logs_in_through_test_domain(emulator: SalesforceEmulator) -> None:
    emulator.sandbox = True
    emulator.org.sobjects["Organization"].records[0]["IsSandbox"] = True
    creds = emulator.credentials
    adapter = make_adapter(
        emulator,
        username=creds.username,
        password=creds.password,
        security_token=creds.security_token,
        domain="test",
    )
    inventory = adapter.collect(SCOPE, Progress())
    assert inventory.tenant.is_sandbox is True
    assert [r.host for r in emulator.log if "Soap/u" in r.path] == ["test.salesforce.com"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "no Salesforce credentials"),
        ({"access_token": "abc123456"}, "needs --instance-url"),
        ({"access_token": "abc123456", "instance_url": "https://x", "username": "u"}, "not both"),
        ({"client_id": "k", "client_secret": "s123456"}, "My Domain"),
        ({"username": "u", "password": "p123456"}, "security token"),
        (
            {"username": "u", "client_id": "k", "jwt_key_file": "/nonexistent/key.pem"},
            "cannot read",
        ),
    ],
)
def test_missing_or_contradictory_options_are_config_errors(
    emulator: SalesforceEmulator, values: dict[str, str], message: str
) -> None:
    adapter = make_adapter(emulator, **values) if values else make_adapter(emulator, domain=None)
    with pytest.raises(ConfigError, match=message):
        adapter.collect(SCOPE, Progress())
    assert emulator.log == []


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, "login"),
        ("test", "test"),
        ("acme.my", "acme.my"),
        ("https://acme.my.salesforce.com/", "acme.my"),
    ],
)
def test_domain_is_normalized(given: str | None, expected: str) -> None:
    assert normalize_domain(given) == expected
