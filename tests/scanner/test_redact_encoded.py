"""Secrets a server echoes back in an encoded form are redacted too, in every format."""

from __future__ import annotations

import base64
import html
import json
import re
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from scanner.outputs import FORMATS, render_report
from scanner.redact import REDACTED, encoded_forms, redact, register_secret

SECRET = "00D5g000004abcd!AQ4AQFKxyz.abc/defgh+ijk=lmnop"
PASSWORD = "S3cr3t p@ss&w\"rd'"


@pytest.fixture(autouse=True)
def _registered() -> None:
    register_secret(SECRET)
    register_secret(PASSWORD)


def _echoes(secret: str) -> list[str]:
    raw = secret.encode()
    return [
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), quote(secret, safe="")),
        quote(quote(secret, safe=""), safe=""),
        json.dumps(secret)[1:-1],
        json.dumps(secret)[1:-1].replace("/", "\\/"),
        html.escape(secret),
        base64.b64encode(raw).decode(),
        base64.b64encode(raw).decode().rstrip("="),
        base64.urlsafe_b64encode(raw).decode(),
    ]


@pytest.mark.parametrize("secret", [SECRET, PASSWORD])
def test_encoded_echoes_are_redacted(secret: str) -> None:
    for echo in _echoes(secret):
        assert echo not in redact(f"server said: {echo} (end)"), echo


@pytest.mark.parametrize("prefix", [b"", b"u:", b"us:", b"use:"])
def test_base64_inside_a_longer_value_is_redacted(prefix: bytes) -> None:
    """An Authorization: Basic header holds base64(client_id:secret), at any alignment."""
    header = base64.b64encode(prefix + SECRET.encode()).decode()
    cleaned = redact(f"Authorization: Basic {header}")
    assert REDACTED in cleaned
    leaked = cleaned.split(REDACTED)
    assert all(len(part) < len("Authorization: Basic ") + 8 for part in leaked)


def test_every_form_is_registered() -> None:
    forms = encoded_forms(SECRET)
    assert SECRET in forms and quote(SECRET, safe="") in forms


def _document(text: str) -> dict[str, Any]:
    from tests.hostile.generate import base_result

    document = base_result()
    document["findings"][0]["message"] = text
    document["findings"][0]["resource"]["name"] = text
    document["gaps"] = [{"collection": "users", "reason": "api_error", "detail": text}]
    return document


@pytest.mark.parametrize("name", [n for n in FORMATS.names()])
def test_no_format_carries_an_encoded_secret(name: str) -> None:
    echoes = _echoes(SECRET) + _echoes(PASSWORD)
    rendered = render_report(_document(" | ".join(echoes)), name)
    for echo in echoes:
        assert echo not in rendered, (name, echo)


def test_shapes_still_redacted() -> None:
    assert redact("Authorization: Bearer abcdefghijkl123") == f"Authorization: Bearer {REDACTED}"
    assert "MIIE" not in redact("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN\n")  # truncated key
    assert redact("sid=00D5g000004wxyz%21AQ4AQFKxyzabcdefghijklmnop") == f"sid={REDACTED}"
