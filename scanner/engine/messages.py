"""Fill ``{field}`` placeholders in a message so that a missing value never shows.

A FAIL message says what was observed. A value that is null (not collected, or not
available on the platform) has nothing to say there: a parenthesised part that names it
is dropped — ``"{username} ({profile}) can export"`` becomes ``"bob can export"`` — and a
bare placeholder reads ``unknown``. The same rule fills capability review texts, where a
placeholder stands for the undecided resources' values.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from functools import lru_cache

_TOKEN = "\x00{}\x00"
_TOKEN_RE = re.compile(r"\x00(\d+)\x00")
_GROUP_RE = re.compile(r"(\s?)\(([^()]*)\)")
_SEPARATOR_RE = re.compile(r"(;\s+|,\s+)")
UNKNOWN = "unknown"


@lru_cache(maxsize=1024)
def _parse(text: str) -> tuple[tuple[str, str | None], ...]:
    try:
        return tuple(
            (literal, name or None) for literal, name, _, _ in string.Formatter().parse(text)
        )
    except ValueError:  # unbalanced braces: show the text as it is
        return ((text, None),)


@lru_cache(maxsize=1024)
def _format(text: str) -> str:
    """``text`` as a ``%`` format with one ``%s`` per placeholder, its literal text kept."""
    return "".join(
        literal.replace("%", "%%") + ("%s" if name else "") for literal, name in _parse(text)
    )


def placeholders(text: str) -> list[str]:
    """The ``{field}`` names in ``text``."""
    return [name for _, name in _parse(text) if name]


def has_placeholders(text: str) -> bool:
    """True when ``text`` names a ``{field}`` to fill in."""
    return any(name for _, name in _parse(text))


def render_template(text: str, lookup: Callable[[str], str | None]) -> str:
    """``text`` with each ``{name}`` replaced by ``lookup(name)``; None follows the rule above."""
    return render_values(text, [lookup(name) for _, name in _parse(text) if name])


def render_values(text: str, values: list[str | None]) -> str:
    """``text`` with its placeholders replaced by ``values``, in the order `placeholders`
    lists them (a caller that reads them itself); None follows the rule above."""
    if None not in values:  # the common case: nothing to drop
        return _format(text) % tuple(values)
    parts = _parse(text)
    pieces: list[str] = []
    index = 0
    for literal, name in parts:
        pieces.append(literal)
        if name:
            pieces.append(_TOKEN.format(index))
            index += 1
    shaped = _GROUP_RE.sub(lambda m: _without_nulls(m, values), "".join(pieces))
    return _TOKEN_RE.sub(lambda m: values[int(m.group(1))] or UNKNOWN, shaped)


def _has_null(segment: str, values: list[str | None]) -> bool:
    return any(values[int(i)] is None for i in _TOKEN_RE.findall(segment))


def _without_nulls(match: re.Match[str], values: list[str | None]) -> str:
    space, inner = match.group(1), match.group(2)
    if not _has_null(inner, values):
        return match.group(0)
    pieces = _SEPARATOR_RE.split(inner)
    segments, separators = pieces[0::2], pieces[1::2]
    kept = [s for s in segments if s.strip() and not _has_null(s, values)]
    if not kept:
        return ""
    joiner = separators[0] if separators else ", "
    return f"{space}({joiner.join(kept)})"
