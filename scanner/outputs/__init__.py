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


def write_report(document: Document, format_name: str, out_dir: Path) -> Path:
    """Render ``document`` as ``format_name`` into ``out_dir``; returns the file written.

    Every rendered text passes through `redact`, a last line of defence for secrets.
    """
    fmt = FORMATS.get(format_name)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / fmt.filename
    path.write_text(redact(fmt.render(document)), encoding="utf-8")
    return path
