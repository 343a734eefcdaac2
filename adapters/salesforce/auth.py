"""Signing in to an org with simple-salesforce, in whichever mode the options select.

Modes, tried in this order of the options given:

* access token + instance URL (``session_id``; no login call);
* username + password + security token (SOAP partner login);
* username + password + consumer key/secret (OAuth username-password flow);
* username + consumer key + private key file (OAuth JWT bearer flow);
* consumer key/secret + My Domain (OAuth client-credentials flow).

``domain`` is ``login`` (production, the default), ``test`` (sandboxes) or a My Domain
such as ``acme.my``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceAuthenticationFailed

from scanner.adapter_api import AdapterSettings
from scanner.errors import AuthenticationError, ConfigError
from scanner.redact import redact, register_secret

DEFAULT_API_VERSION = "62.0"


def normalize_domain(domain: str | None) -> str:
    """``https://acme.my.salesforce.com/`` → ``acme.my``; None → ``login``."""
    if not domain:
        return "login"
    value = domain.strip().removeprefix("https://").removeprefix("http://").strip("/")
    return value.removesuffix(".salesforce.com")


def connect(settings: AdapterSettings, session: requests.Session | None = None) -> Salesforce:
    """A logged-in `Salesforce` client, or AuthenticationError / ConfigError."""
    get = settings.get
    version = (get("api_version") or DEFAULT_API_VERSION).lstrip("v")
    domain = normalize_domain(get("domain"))
    for name in ("access_token", "password", "security_token", "client_secret"):
        register_secret(get(name))
    token, instance = get("access_token"), get("instance_url")
    username, password = get("username"), get("password")
    client_id, client_secret = get("client_id"), get("client_secret")
    key_file = get("jwt_key_file")
    common: dict[str, Any] = {
        "version": version,
        "session": session or requests.Session(),
        "object_pairs_hook": None,  # plain dicts, on json's fast path
    }

    if token and (username or password):
        raise ConfigError("give either an access token or login credentials, not both")
    if token and not instance:
        raise ConfigError("--access-token needs --instance-url (SF_INSTANCE_URL)")
    if instance and instance.strip().lower().startswith("http://"):
        raise ConfigError(
            f"refusing the plain-HTTP instance URL {instance.strip()!r}: the access token "
            "would cross the network in clear text; use https://"
        )
    if key_file:
        try:
            register_secret(Path(key_file).read_text(encoding="utf-8").strip())
        except OSError as exc:
            raise ConfigError(
                f"cannot read the JWT private key file {key_file}: {exc.strerror}"
            ) from None
    try:
        if token:
            return Salesforce(instance_url=instance, session_id=token, **common)
        if username and password and get("security_token") is not None:
            sf = Salesforce(
                username=username,
                password=password,
                security_token=get("security_token"),
                domain=domain,
                **common,
            )
        elif username and password and client_id and client_secret:
            sf = Salesforce(
                username=username,
                password=password,
                consumer_key=client_id,
                consumer_secret=client_secret,
                domain=domain,
                **common,
            )
        elif username and client_id and key_file:
            sf = Salesforce(
                username=username,
                consumer_key=client_id,
                privatekey_file=key_file,
                domain=domain,
                **common,
            )
        elif client_id and client_secret:
            if domain in ("login", "test"):
                raise ConfigError(
                    "the client-credentials flow needs your My Domain "
                    "(--domain / SF_DOMAIN, e.g. acme.my)"
                )
            sf = Salesforce(
                consumer_key=client_id, consumer_secret=client_secret, domain=domain, **common
            )
        elif username and password:
            raise ConfigError(
                "username and password need a security token "
                "(SF_SECURITY_TOKEN) or a connected app (SF_CLIENT_ID/SECRET)"
            )
        else:
            raise ConfigError(
                "no Salesforce credentials: give --instance-url with --access-token, or "
                "--username with --password and --security-token, or --username with "
                "--client-id and --jwt-key-file, or --client-id with --client-secret and "
                "--domain (or the SF_* environment variables)"
            )
    except SalesforceAuthenticationFailed as exc:
        raise AuthenticationError(
            redact(f"Salesforce rejected the credentials: {exc.code}: {exc.auth_message}")
        ) from None
    except requests.RequestException as exc:
        raise AuthenticationError(
            f"could not reach the Salesforce login endpoint for domain {domain!r} "
            f"({type(exc).__name__})"
        ) from None
    register_secret(sf.session_id)
    return sf
