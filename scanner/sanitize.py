"""Neutralise text that CRM users control before a person reads it.

Usernames, emails, profile names, descriptions and server error texts come from the
CRM; any of its users can put terminal escape sequences (clear the screen, colour text
to hide it, OSC-8 hyperlinks), carriage returns that overwrite a line, newlines that
forge one, or bidirectional controls that reorder what is shown into them.

`neutralize` replaces every such character by a visible escape (``\\x1b``,
``\\u202e``), so the text stays readable and the attempt stays visible. It is applied in
one place for reports, `clean_document` (with redaction: one walk over the result
document before any writer renders it), and to error messages printed by the CLI.
Markdown-specific defusing (mentions, autolinks) is the Markdown writer's own escaping.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, overload

import orjson

from scanner.redact import holds_secret, redact

# C0 controls (but tab and newline), DEL, C1 controls, the Arabic letter mark, zero-width
# and directional marks, line and paragraph separators, bidi embeddings, overrides and
# isolates, word joiner and invisible operators, lone surrogates (a server's JSON can
# carry them; no file can be written with them), BOM, interlinear annotations.
_CONTROLS = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e"
    "\u2060-\u2064\u2066-\u2069\ud800-\udfff\ufeff\ufff9-\ufffb"
)
_UNSAFE_MULTILINE = re.compile(f"[{_CONTROLS}]")
_UNSAFE_LINE = re.compile(f"[\t\n{_CONTROLS}]")

#: Result-document fields whose text comes from the CRM and must stay on one line.
CRM_FIELDS = frozenset({"resource", "evidence", "message", "tenant", "tenant_id", "detail"})


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def neutralize(text: str, single_line: bool = False) -> str:
    """``text`` with control, invisible and bidi characters shown as escapes.

    ``single_line`` also escapes tabs and newlines (for values that a report shows on
    one line, where a newline could forge another line).
    """
    if text.isprintable():  # every character above is non-printable: the common case
        return text
    pattern = _UNSAFE_LINE if single_line else _UNSAFE_MULTILINE
    if pattern.search(text) is None:
        return text
    return pattern.sub(_escape, text)


@overload
def clean_text(text: str, single_line: bool = False) -> str: ...
@overload
def clean_text(text: None, single_line: bool = False) -> None: ...
def clean_text(text: str | None, single_line: bool = False) -> str | None:
    """`neutralize` that passes None through (a missing name or id)."""
    if text is None or text.isprintable():
        return text
    return neutralize(text, single_line)


def _clean(value: Any, single_line: bool, scrub: Callable[[str], str]) -> Any:
    """``value`` with ``scrub`` and `neutralize` applied to every string and key.

    Copy on change: a dict or list in which nothing changes is returned as it is, so a
    clean document costs one walk and no copy.
    """
    if isinstance(value, str):
        return neutralize(scrub(value), single_line)
    if isinstance(value, dict):
        changed: dict[Any, Any] | None = None
        for index, (key, item) in enumerate(value.items()):
            line = single_line or (isinstance(key, str) and key in CRM_FIELDS)
            new_key = neutralize(scrub(str(key)), True)
            new_item = _clean(item, line, scrub)
            if changed is None and (new_key != key or new_item is not item):
                changed = dict(list(value.items())[:index])
            if changed is not None:
                changed[new_key] = new_item
        return value if changed is None else changed
    if isinstance(value, list):
        copied: list[Any] | None = None
        for index, item in enumerate(value):
            new_item = _clean(item, single_line, scrub)
            if copied is None and new_item is not item:
                copied = value[:index]
            if copied is not None:
                copied.append(new_item)
        return value if copied is None else copied
    return value


def _keep(text: str) -> str:
    return text


# What an unsafe character looks like in orjson's output: a control character is escaped
# (\n, \t, \u001b, ...), the others are written as UTF-8. A backslash in the text
# (escaped as \\) may match too: then the slow walk decides, so nothing is missed.
_UNSAFE_JSON_LINE = re.compile(
    rb"\\[nrtbfu]|\x7f|\xc2[\x80-\x9f]|\xd8\x9c|\xe2\x80[\x8b-\x8f\xa8-\xae]"
    rb"|\xe2\x81[\xa0-\xa4\xa6-\xa9]|\xef\xbb\xbf|\xef\xbf[\xb9-\xbb]"
)


def plainly_safe(value: Any, secrets: bool = False) -> bool:
    """True when ``value`` holds no character `neutralize` would change, even on one
    line, (with ``secrets``) and nothing `redact` would change: one orjson encoding and
    one or two searches instead of a walk. JSON escapes a string's quotes, backslashes
    and controls, and the JSON-escaped forms of each secret are registered too."""
    try:
        encoded = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except (TypeError, orjson.JSONEncodeError):  # a lone surrogate, or not JSON data
        return False
    if _UNSAFE_JSON_LINE.search(encoded) is not None:
        return False
    return not (secrets and holds_secret(encoded))


def clean_value(value: Any, single_line: bool = False) -> Any:
    """``value`` (JSON data) with control characters neutralised, copied only on change.

    For data already redacted where it entered crmscan (`scanner.redact.redact_inventory`):
    the result document builds its CRM text through here.
    """
    if isinstance(value, str):
        return neutralize(value, single_line)
    if value is None or plainly_safe(value):
        return value
    return _clean(value, single_line, _keep)


def clean_document(value: Any, single_line: bool = False) -> Any:
    """``value`` (JSON data) with every string redacted and neutralised.

    Text under `CRM_FIELDS` keys is kept on one line. Keys are cleaned too. For data of
    unknown origin (a result file read back); nothing is copied where nothing changes,
    and a document with nothing to change costs one encoding and two searches.
    """
    if isinstance(value, (dict, list)) and plainly_safe(value, secrets=True):
        return value
    return _clean(value, single_line, redact)


def clean_message(text: str) -> str:
    """An error or note for the terminal: redacted, controls neutralised."""
    return neutralize(redact(text))
