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

Where: secrets can only enter an inventory by a server echoing them, so a collected or
loaded inventory is redacted once, as text, where it enters crmscan (`redact_inventory`);
log records are redacted by `RedactingFilter`; a result file read back is redacted when
it is loaded. Report files get one final pass over their bytes while they are written
(`RedactingStream`), only when secrets are registered.

Speed: every form of every secret and every shape is one combined RE2 pattern (linear
time whatever the number of forms), rebuilt when a secret is registered and read
without a lock. `redact` first tests a few literals (a run of letters and digits every
form of a secret contains, and each shape's literal) and runs the pattern only on text
holding one of them, so text without secrets costs a few substring tests
(``benchmarks/bench_redact.py``).
"""

from __future__ import annotations

import base64
import html
import io
import json
import logging
import re
import threading
from dataclasses import dataclass
from typing import Any, BinaryIO, TypeVar
from urllib.parse import quote, quote_plus

import re2
from pydantic import BaseModel

InventoryT = TypeVar("InventoryT", bound=BaseModel)

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
    r"((?i:bearer)(?:\s|%20|\+)+)[A-Za-z0-9._~+/=\-]{8,}",
    r"pat-[a-z]{2,4}\d?-[0-9a-f]{8}-[0-9a-f\-]{20,}",
    r"-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[A-Za-z0-9+/=\s]*"
    r"(?:-----END [A-Z ]{0,40}PRIVATE KEY-----)?",
)

# Cheap literal tests: text without any of them holds no shape.
_SHAPE_GATES = ("00D", "earer", "EARER", "pat-", "PRIVATE KEY")
_ALNUM_RUN = re.compile(r"[A-Za-z0-9]+")
#: Output bytes are redacted in chunks of this size; a match is searched this far past a
#: chunk's end (a secret, an encoded form or a private key is shorter).
CHUNK = 1 << 20
OVERLAP = 1 << 16


@dataclass(frozen=True)
class _Patterns:
    """What `redact` uses, replaced whole when a secret is registered (no lock to read)."""

    gates: tuple[str, ...]
    text: re.Pattern[str]  # every form, then every shape (short text: re is faster there)
    data: Any  # the same as an RE2 pattern over UTF-8 bytes (linear time on long output)
    secrets: bool


def _combined(forms: list[str]) -> str:
    # Longest forms first: a secret that contains another is replaced whole. The bearer
    # shape's prefix is group 1 (kept in the output).
    literal = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return "|".join(([literal] if literal else []) + list(_SHAPES))


def _build(forms: list[str], gates: tuple[str, ...]) -> _Patterns:
    pattern = _combined(forms)
    options = re2.Options()
    options.max_mem = 256 << 20
    return _Patterns(
        gates=gates + _SHAPE_GATES,
        text=re.compile(pattern),
        data=re2.compile(pattern.encode("utf-8"), options),
        secrets=bool(forms),
    )


_lock = threading.Lock()
_secrets: set[str] = set()
_forms: set[str] = set()
_gates: set[str] = set()
_patterns = _build([], ())


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
    global _patterns
    if not value or len(value) < MIN_SECRET_LENGTH:
        return
    with _lock:
        if value in _secrets:
            return
        _secrets.add(value)
        for group in _form_groups(value):
            _gates.add(_gate(group))
            _forms.update(group)
        _patterns = _build(sorted(_forms), tuple(sorted(_gates, key=len, reverse=True)))


def secrets_registered() -> bool:
    """True once any secret is registered (report files then get a final pass)."""
    return _patterns.secrets


def _bearer(match: re.Match[str]) -> str:
    return (match.group(1) or "") + REDACTED


def _bearer_bytes(match: Any) -> bytes:
    return (match.group(1) or b"") + _REDACTED_BYTES


_REDACTED_BYTES = REDACTED.encode("ascii")


def redact(text: str) -> str:
    """``text`` with every known secret, its encoded forms and secret shapes replaced."""
    patterns = _patterns
    for gate in patterns.gates:
        if gate in text:
            return patterns.text.sub(_bearer, text)
    return text


def redact_bytes(data: bytes) -> bytes:
    """`redact` over UTF-8 ``data`` (one pass of the combined pattern)."""
    patterns = _patterns
    if patterns.data.search(data) is None:
        return data
    return bytes(patterns.data.sub(_bearer_bytes, data))


def redact_inventory(inventory: InventoryT) -> InventoryT:
    """``inventory`` with every secret a server echoed into it replaced (one text pass).

    The inventory is serialized once; only when something had to be redacted is it
    rebuilt from the redacted text. Collected and loaded inventories pass through here
    before anything judges, saves or reports them.
    """
    text = inventory.model_dump_json()
    cleaned = redact(text)
    if cleaned == text:
        return inventory
    return type(inventory).model_validate_json(cleaned)


class RedactingStream(io.RawIOBase):
    """A binary file that redacts what is written through it before passing it on.

    Bytes are held until a chunk (`CHUNK`) is full, then redacted with `OVERLAP` bytes
    of look-ahead, so a secret split between two writes is still found. `close` (or
    leaving the ``with`` block) flushes the rest; the underlying file stays open.
    """

    def __init__(self, target: BinaryIO) -> None:
        super().__init__()
        self._target = target
        self._pending = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._pending += chunk
        if len(self._pending) >= CHUNK + OVERLAP:
            self._drain(final=False)
        return len(chunk)

    def _drain(self, final: bool) -> None:
        pending = bytes(self._pending)
        if final:
            self._target.write(redact_bytes(pending))
            self._pending.clear()
            return
        cut = len(pending) - OVERLAP
        pattern = _patterns.data
        # A match that starts before the cut is replaced whole; text after it waits.
        for match in pattern.finditer(pending):
            if match.start() >= cut:
                break
            if match.end() > cut:
                cut = match.end()
        head = pending[:cut]
        self._target.write(bytes(pattern.sub(_bearer_bytes, head)))
        del self._pending[:cut]

    def close(self) -> None:
        if not self.closed:
            self._drain(final=True)
        super().close()


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
