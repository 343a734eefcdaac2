"""Secrets are removed from text and log records."""

from __future__ import annotations

import logging

import pytest

from scanner.redact import REDACTED, install_log_filter, redact, register_secret


@pytest.mark.parametrize(
    "secret",
    [
        "00D5g000004abcd!AQ4AQFKxyz.abcdefghijklmnopqrstuvwxyz0123456789",
        "pat-na1-12345678-aaaa-bbbb-cccc-1234567890ab",
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq\n-----END PRIVATE KEY-----",
    ],
)
def test_secret_shapes_are_redacted(secret: str) -> None:
    assert secret not in redact(f"got {secret} back")


def test_bearer_header_is_redacted() -> None:
    assert redact("Authorization: Bearer abcdefghijkl123") == f"Authorization: Bearer {REDACTED}"


def test_registered_secret_is_redacted() -> None:
    register_secret("hunter2-password")
    assert redact("login with hunter2-password failed") == f"login with {REDACTED} failed"


def test_log_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    register_secret("tok-abcdef-123")
    logger = logging.getLogger("crmscan.test.redact")
    install_log_filter(logger)
    with caplog.at_level(logging.INFO, logger="crmscan.test.redact"):
        logger.info("calling with %s", "tok-abcdef-123")
    assert "tok-abcdef-123" not in caplog.text and REDACTED in caplog.text
