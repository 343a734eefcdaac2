"""Keep secrets out of logs, messages, reports, snapshots and evidence.

Adapters call `register_secret` with every credential they are given (tokens, passwords,
session ids, private keys). `redact` replaces each registered value, and anything shaped
like a bearer token or Salesforce session id, with ``[REDACTED]``. `install_log_filter`
applies it to every log record.

Servers echo what they are sent in other shapes than the original: a token inside a URL
is percent-encoded (a Salesforce session id's ``!`` becomes ``%21``), a JSON body escapes
it, an HTML or XML page entity-encodes it, an ``Authorization: Basic`` header or a JWT
carries it in base64. So `register_secret` also registers the encoded forms of each
secret (`encoded_forms`): URL-encoded (upper and lower-case hex, ``+`` for spaces,
twice-encoded), JSON-escaped (with ``\\u`` escapes and ``\\/``), HTML/XML-escaped, and
base64 / base64url at each of the three byte alignments, so that the secret is found
inside a longer base64 text too (only the characters that depend on the secret alone are
matched; at most two characters at each end of such a span can depend on neighbouring
bytes).

Speed: the forms of a secret are grouped under one "gate" (a run of letters and digits
they all contain); `redact` looks for a group's forms only in text holding its gate, and
runs a shape's regex only on text holding its literal (``00D``, ``pat-``...). A string
without secrets costs a few substring tests per secret (``benchmarks/bench_redact.py``).
"""

from __future__ import annotations

import base64
import html
import json
import logging
import re
import threading
from urllib.parse import quote, quote_plus

REDACTED = "[REDACTED]"

#: Shortest secret registered (shorter values would redact ordinary words).
MIN_SECRET_LENGTH = 4
#: Shortest encoded fragment registered (a base64 core of a short secret is skipped).
MIN_FORM_LENGTH = 6

# Patterns that are secrets whoever registered them: Salesforce session ids
# (00D...!..., the "!" possibly percent- or JSON-escaped), "Bearer xxx" headers (the
# word "Bearer " is kept), HubSpot private-app tokens (pat-na1-...), PEM private keys
# (also when truncated: the body is matched without a lazy scan, so many BEGIN lines
# cannot make it quadratic).
_SHAPES = (
    r"00D[A-Za-z0-9]{12,15}(?:!|%21|\\u0021)[A-Za-z0-9._\-]{20,}",
    r"(?P<bearer>(?i:bearer)(?:\s|%20|\+)+)[A-Za-z0-9._~+/=\-]{8,}",
    r"pat-[a-z]{2,4}\d?-[0-9a-f]{8}-[0-9a-f\-]{20,}",
    r"-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[A-Za-z0-9+/=\s]*"
    r"(?:-----END [A-Z ]{0,40}PRIVATE KEY-----)?",
)

_SHAPE_PATTERNS = tuple(re.compile(p) for p in _SHAPES)
# Cheap literal tests: a shape's regex only runs on text that contains its literal.
_SHAPE_GATES: tuple[tuple[str, ...], ...] = (
    ("00D",),
    ("earer", "EARER"),
    ("pat-",),
    ("PRIVATE KEY",),
)
_SHAPE_CHECKS = tuple(zip(_SHAPE_GATES, _SHAPE_PATTERNS, strict=True))
_ALNUM_RUN = re.compile(r"[A-Za-z0-9]+")

_lock = threading.Lock()
_secrets: set[str] = set()
#: gate → the forms that contain it: `redact` only looks for a secret's forms in text
#: that contains its gate, so a string is scanned a few times per secret, not once per
#: form.
_gated: dict[str, set[str]] = {}
_snapshot: tuple[tuple[str, tuple[str, ...]], ...] = ()


def _lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), text)


def _base64_cores(raw: bytes) -> list[tuple[str, str]]:
    """Base64 and base64url text that encodes ``raw`` at each of the 3 byte alignments.

    For ``raw`` preceded by 0, 1 or 2 other bytes, the characters whose six bits all come
    from ``raw`` are the same whatever surrounds it; those spans are returned, as
    (standard, url-safe) pairs.
    """
    cores: list[tuple[str, str]] = []
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode("ascii")
        start = -(-8 * offset // 6)  # the first character made only of raw's bits
        end = 8 * (offset + len(raw)) // 6
        core = encoded[start:end]
        cores.append((core, core.replace("+", "-").replace("/", "_")))
    return cores


def _textual_forms(secret: str) -> set[str]:
    forms = {secret}
    for url in (quote(secret, safe=""), quote(secret), quote_plus(secret, safe="")):
        forms |= {url, _lower_hex(url), quote(url, safe="")}
    for escaped in (json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]):
        forms |= {escaped, escaped.replace("/", "\\/")}
    for entities in (html.escape(secret), html.escape(secret, quote=False)):
        forms |= {entities, entities.replace("&#x27;", "&apos;").replace("&quot;", "&#34;")}
    return forms


def _gate(forms: set[str]) -> str:
    """The longest run of letters and digits that every form contains (else the shortest
    form itself)."""
    shortest = min(forms, key=len)
    runs: list[str] = sorted(_ALNUM_RUN.findall(shortest), key=len, reverse=True)
    for run in runs:
        if len(run) >= MIN_SECRET_LENGTH and all(run in f for f in forms):
            return run
    return shortest


def _form_groups(secret: str) -> list[set[str]]:
    """``secret``'s encoded forms, in groups that share a gate."""
    groups = [_textual_forms(secret)]
    for standard, url_safe in _base64_cores(secret.encode("utf-8")):
        cores = {c for c in (standard, url_safe) if len(c) >= MIN_FORM_LENGTH}
        if cores:
            groups.append(cores)
    return groups


def encoded_forms(secret: str) -> set[str]:
    """``secret`` and the encoded forms a server may echo it in."""
    return set().union(*_form_groups(secret))


def register_secret(value: str | None) -> None:
    """Remember ``value`` (and its encoded forms) so that `redact` removes it anywhere."""
    global _snapshot
    if not value or len(value) < MIN_SECRET_LENGTH:
        return
    with _lock:
        if value in _secrets:
            return
        _secrets.add(value)
        for group in _form_groups(value):
            _gated.setdefault(_gate(group), set()).update(group)
        # Longest forms first, across groups too: a secret that contains another is
        # replaced whole.
        groups = [(g, tuple(sorted(f, key=len, reverse=True))) for g, f in _gated.items()]
        _snapshot = tuple(sorted(groups, key=lambda group: -len(group[1][0])))


def _bearer(match: re.Match[str]) -> str:
    return match.group("bearer") + REDACTED


def redact(text: str) -> str:
    """``text`` with every known secret, its encoded forms and secret shapes replaced."""
    for gate, forms in _snapshot:
        if gate in text:
            for form in forms:
                if form in text:
                    text = text.replace(form, REDACTED)
    for gates, pattern in _SHAPE_CHECKS:
        for gate in gates:
            if gate in text:
                text = pattern.sub(_bearer if pattern.groups else REDACTED, text)
                break
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
