"""Keep secrets out of logs, messages, reports, snapshots and evidence.

Adapters call `register_secret` with every credential they are given (tokens, passwords,
session ids, private keys). `redact` replaces each registered value, and anything shaped
like a bearer token or Salesforce session id, with ``[REDACTED]``. `install_log_filter`
applies it to every log record.
"""

from __future__ import annotations

import logging
import re
import threading

REDACTED = "[REDACTED]"

# Patterns that are secrets whoever registered them: Salesforce session ids
# (00D...!...), "Bearer xxx" headers, HubSpot private-app tokens (pat-na1-...).
_PATTERNS = [
    re.compile(r"00D[A-Za-z0-9]{12,15}![A-Za-z0-9._\-]{20,}"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=\-]{8,}"),
    re.compile(r"pat-[a-z]{2,4}\d?-[0-9a-f]{8}-[0-9a-f\-]{20,}"),
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"),
]

_lock = threading.Lock()
_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Remember ``value`` so that `redact` removes it wherever it appears."""
    if value and len(value) >= 4:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    """``text`` with every known secret and secret-shaped string replaced."""
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    for pattern in _PATTERNS:
        if pattern.groups:
            text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
        else:
            text = pattern.sub(REDACTED, text)
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that redacts the formatted message of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install_log_filter(logger: logging.Logger | None = None) -> None:
    """Attach a `RedactingFilter` to ``logger`` (default: root) and its handlers."""
    target = logger or logging.getLogger()
    redacting = RedactingFilter()
    target.addFilter(redacting)
    for handler in target.handlers:
        handler.addFilter(redacting)
