"""The native JSON report, streamed with orjson.

Compact by default (one line, no spaces); ``--indent`` indents by two spaces, as
``json.dumps(indent=2)`` would. The document is written key by key and its long lists
(``findings``, ``passed``) a batch of items at a time, so the encoded text is never held
whole in memory. Text is UTF-8, not ``\\u``-escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, BinaryIO

import orjson

from scanner.outputs import Document, OutputFormat, register

#: Top-level lists written item by item.
STREAMED = frozenset({"findings", "passed", "groups", "checks"})
BATCH = 256
_OPTIONS = orjson.OPT_NON_STR_KEYS


def _dumps(value: Any, indent: bool, depth: int) -> bytes:
    if not indent:
        return orjson.dumps(value, option=_OPTIONS)
    text = orjson.dumps(value, option=_OPTIONS | orjson.OPT_INDENT_2)
    return text.replace(b"\n", b"\n" + b"  " * depth) if depth else text


def _write_list(out: BinaryIO, items: list[Any], indent: bool) -> None:
    if not items:
        out.write(b"[]")
        return
    separator = b",\n    " if indent else b","
    out.write(b"[\n    " if indent else b"[")
    for start in range(0, len(items), BATCH):
        batch: Iterable[Any] = items[start : start + BATCH]
        if start:
            out.write(separator)
        out.write(separator.join(_dumps(item, indent, 2) for item in batch))
    out.write(b"\n  ]" if indent else b"]")


#: Stands for a list in a skeleton that `write_skeleton` streams into its place.
PLACEHOLDER = "\x00crmscan-streamed-list\x00"


def write_skeleton(
    out: BinaryIO, skeleton: Any, items: Iterable[Any], indent: bool = False, depth: int = 0
) -> None:
    """Write ``skeleton`` with the one `PLACEHOLDER` string in it replaced by the JSON
    array of ``items``, encoded one item at a time (``depth``: the array's nesting, for
    indentation)."""
    head, tail = _dumps(skeleton, indent, 0).split(orjson.dumps(PLACEHOLDER), 1)
    out.write(head)
    pad = b"\n" + b"  " * (depth + 1)
    out.write(b"[")
    first = True
    for item in items:
        out.write((b"" if first else b",") + (pad if indent else b""))
        out.write(_dumps(item, indent, depth + 1))
        first = False
    if indent and not first:
        out.write(b"\n" + b"  " * depth)
    out.write(b"]")
    out.write(tail)


def write_json(document: Document, out: BinaryIO, indent: bool = False) -> None:
    """Stream ``document`` as JSON into ``out`` (compact, or indented by two spaces)."""
    out.write(b"{")
    for number, (key, value) in enumerate(document.items()):
        if number:
            out.write(b",")
        if indent:
            out.write(b"\n  ")
        out.write(orjson.dumps(str(key)) + (b": " if indent else b":"))
        if key in STREAMED and isinstance(value, list):
            _write_list(out, value, indent)
        else:
            out.write(_dumps(value, indent, 1))
    out.write(b"\n}\n" if indent and document else b"}\n")


JSON_FORMAT = register(
    OutputFormat(
        "json",
        "crmscan-results.json",
        "native result document (JSON)",
        write=write_json,
        options=("indent",),
    )
)
