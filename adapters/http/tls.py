"""TLS for every transport: always verified, trust from the environment, HTTPS only.

Trust follows ``REQUESTS_CA_BUNDLE``, then ``SSL_CERT_FILE`` (the conventions of
requests and of OpenSSL / httpx), else certifi's bundle, for httpx, urllib3 and requests
alike, so one test CA (trustme) on loopback works for every client. A plain ``http://``
URL is refused: a token must never cross the network in clear text.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from urllib.parse import urlsplit

import certifi

from scanner.errors import ConfigError

#: Environment variables naming a CA bundle, in the order they are honoured.
CA_BUNDLE_VARIABLES = ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")


def ca_bundle(environ: Mapping[str, str] | None = None) -> str:
    """The CA bundle file to trust: the first variable set, else certifi's bundle."""
    env = os.environ if environ is None else environ
    for variable in CA_BUNDLE_VARIABLES:
        path = env.get(variable)
        if path:
            if not os.path.isfile(path):
                raise ConfigError(f"{variable}={path} is not a readable CA bundle file")
            return path
    return certifi.where()


def trust(environ: Mapping[str, str] | None = None) -> ssl.SSLContext:
    """A verifying client `ssl.SSLContext` that trusts `ca_bundle`."""
    path = ca_bundle(environ)
    try:
        return ssl.create_default_context(cafile=path)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"cannot load the CA bundle {path}: {exc}") from None


def require_https(url: str, option: str = "--base-url") -> str:
    """``url`` without a trailing slash if it is an ``https://`` URL with a host.

    Anything else is a `ConfigError` naming ``option``: plain HTTP would send the token
    in clear text.
    """
    value = (url or "").strip().rstrip("/")
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if scheme == "http":
        raise ConfigError(
            f"{option} {value!r} is plain HTTP: crmscan only talks HTTPS, so the token never "
            "crosses the network in clear text (use https://; a test CA can be trusted "
            "through SSL_CERT_FILE or REQUESTS_CA_BUNDLE)"
        )
    if scheme != "https" or not parts.hostname:
        raise ConfigError(f"{option} must be an https:// URL with a host name, got {value!r}")
    return value


def host_of(url: str) -> str:
    """``host[:port]`` of ``url``, for messages."""
    parts = urlsplit(url)
    return parts.netloc.rpartition("@")[2] or url
