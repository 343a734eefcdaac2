"""Output formats, one registry: each format renders the native result document.

A format is registered with ``@FORMATS.register(name)`` on an `OutputFormat`; the CLI
looks formats up by name (``--format json,csv``) and never branches on them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.redact import redact
from scanner.registry import Registry
from scanner.safe_write import write_file
from scanner.sanitize import clean_document

Document = dict[str, Any]


@dataclass(frozen=True)
class OutputFormat:
    """How to render a result document into one file format."""

    name: str
    filename: str
    description: str
    render: Callable[[Document], str]


FORMATS: Registry[OutputFormat] = Registry("formats", "scanner.outputs.builtin")


def register(fmt: OutputFormat) -> OutputFormat:
    """Register ``fmt`` under its name."""
    return FORMATS.register(fmt.name)(fmt)


def redact_document(value: Any) -> Any:
    """A copy of ``value`` (JSON data) with `redact` applied to every string in it.

    Formats escape text (HTML entities, JSON ``\\u`` escapes, CSV quoting), which could
    hide a secret from a redaction of the rendered text; redacting the data first closes
    that gap.
    """
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact(str(k)): redact_document(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_document(v) for v in value]
    return value


def render_report(document: Document, format_name: str) -> str:
    """``document`` rendered as ``format_name``, with secrets redacted before and after.

    Before rendering, `clean_document` also neutralises control and bidi characters in
    every string (CRM text reaches every format through here, and the console).
    """
    fmt = FORMATS.get(format_name)
    return redact(fmt.render(clean_document(document)))


def write_report(document: Document, format_name: str, out_dir: Path) -> Path:
    """Render ``document`` as ``format_name`` into ``out_dir``; returns the file written.

    Every string of the document and every rendered text pass through `redact`, a last
    line of defence for secrets.
    """
    fmt = FORMATS.get(format_name)
    return write_file(out_dir, fmt.filename, render_report(document, format_name))
