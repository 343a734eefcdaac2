"""HTTPS only; CA trust from REQUESTS_CA_BUNDLE, then SSL_CERT_FILE, else certifi."""

from __future__ import annotations

from pathlib import Path

import certifi
import pytest

from adapters.http import ca_bundle, require_https, trust
from scanner.errors import ConfigError


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.hubapi.com/", "https://api.hubapi.com"),
        ("  HTTPS://Example.test:8443/base ", "HTTPS://Example.test:8443/base"),
    ],
)
def test_https_urls_pass(url: str, expected: str) -> None:
    assert require_https(url) == expected


@pytest.mark.parametrize("url", ["http://api.hubapi.com", "HTTP://127.0.0.1:80"])
def test_plain_http_is_refused_naming_the_option(url: str) -> None:
    with pytest.raises(ConfigError, match="--environment-url .* plain HTTP") as caught:
        require_https(url, "--environment-url")
    assert caught.value.exit_code == 2


@pytest.mark.parametrize("url", ["ftp://x", "api.hubapi.com", "https://", ""])
def test_non_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigError, match="https://"):
        require_https(url)


def test_bundle_precedence(tmp_path: Path) -> None:
    a, b = tmp_path / "a.pem", tmp_path / "b.pem"
    a.write_text("x")
    b.write_text("y")
    both = {"REQUESTS_CA_BUNDLE": str(a), "SSL_CERT_FILE": str(b)}
    assert ca_bundle(both) == str(a)
    assert ca_bundle({"SSL_CERT_FILE": str(b)}) == str(b)
    assert ca_bundle({}) == certifi.where()


def test_missing_or_broken_bundle_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SSL_CERT_FILE"):
        ca_bundle({"SSL_CERT_FILE": str(tmp_path / "nope.pem")})
    broken = tmp_path / "broken.pem"
    broken.write_text("not a certificate")
    with pytest.raises(ConfigError, match="cannot load the CA bundle"):
        trust({"SSL_CERT_FILE": str(broken)})
