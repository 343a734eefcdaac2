"""Output formats, one registry: each format renders the native result document.

A format is registered with ``@FORMATS.register(name)`` on an `OutputFormat`; the CLI
looks formats up by name (``--format json,csv``) and never branches on them.

A format either streams (``write(document, file)``: writes UTF-8 bytes into a binary
file as it goes, so a report of 100,000 users is never held in memory whole) or renders
text (``render(document) -> str``); each gets the other derived. Report files are always
streamed into place (`write_report`).

Cleaning: every format receives a document whose strings are redacted and neutralised
(control and bidi characters shown as escapes, `scanner.sanitize`). The pipeline's own
document is clean by construction (the inventory is redacted where it enters, the
result document neutralises CRM text as it is built) and is passed with
``cleaned=True``; any other document is cleaned once, without a copy where nothing
changes. When secrets are registered, the written bytes also pass through one combined
pattern (`scanner.redact.RedactingStream`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

from scanner.redact import RedactingStream, secrets_registered
from scanner.registry import Registry
from scanner.safe_write import write_file
from scanner.sanitize import clean_document

Document = dict[str, Any]
Writer = Callable[..., None]  # (document, binary file, **the format's options)


@dataclass(frozen=True)
class OutputFormat:
    """How to render a result document into one file format.

    Give ``render`` (text), ``write`` (streamed UTF-8 bytes) or both. ``options``
    names the keyword options ``write`` takes (``indent`` for ``--indent``); other
    formats never see them.
    """

    name: str
    filename: str
    description: str
    render: Callable[[Document], str] | None = None
    write: Writer | None = None
    options: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.render is None and self.write is None:
            raise ValueError(f"format {self.name} needs render or write")

    def write_to(self, document: Document, out: BinaryIO, **options: Any) -> None:
        """Write ``document`` (already cleaned) into the binary file ``out``."""
        if self.write is not None:
            self.write(document, out, **{k: v for k, v in options.items() if k in self.options})
        else:
            assert self.render is not None
            out.write(self.render(document).encode("utf-8"))

    def render_text(self, document: Document) -> str:
        """``document`` (already cleaned) as text."""
        if self.render is not None and self.write is None:
            return self.render(document)
        buffer = io.BytesIO()
        self.write_to(document, buffer)
        return buffer.getvalue().decode("utf-8")


FORMATS: Registry[OutputFormat] = Registry("formats", "scanner.outputs.builtin")


def register(fmt: OutputFormat) -> OutputFormat:
    """Register ``fmt`` under its name."""
    return FORMATS.register(fmt.name)(fmt)


@contextmanager
def text_stream(out: BinaryIO) -> Iterator[IO[str]]:
    """A buffered UTF-8 text view of the binary file ``out`` (left open afterwards)."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
    try:
        yield text
        text.flush()
    finally:
        text.detach()


def _redacting(
    out: BinaryIO, fmt: OutputFormat, document: Document, options: dict[str, Any]
) -> None:
    if not secrets_registered():
        fmt.write_to(document, out, **options)
        return
    stream = RedactingStream(out)
    fmt.write_to(document, stream, **options)  # type: ignore[arg-type]
    stream.close()


def prepare(document: Document, cleaned: bool = False) -> Document:
    """``document`` ready for the writers: redacted and neutralised once (or as given,
    when the caller built it clean)."""
    return document if cleaned else clean_document(document)


def render_report(
    document: Document, format_name: str, cleaned: bool = False, **options: Any
) -> str:
    """``document`` rendered as ``format_name``, cleaned first (see the module notes)."""
    fmt = FORMATS.get(format_name)
    buffer = io.BytesIO()
    _redacting(buffer, fmt, prepare(document, cleaned), options)
    return buffer.getvalue().decode("utf-8")


def write_report(
    document: Document,
    format_name: str,
    out_dir: Path,
    cleaned: bool = False,
    **options: Any,
) -> Path:
    """Stream ``document`` as ``format_name`` into ``out_dir``; returns the file written.

    ``cleaned`` says the document is clean by construction (the pipeline's); otherwise
    its strings are redacted and neutralised first. ``options`` (``indent=True``) reach
    the formats that take them. The file is written under a temporary name and renamed
    into place (`scanner.safe_write`).
    """
    fmt = FORMATS.get(format_name)
    ready = prepare(document, cleaned)
    return write_file(out_dir, fmt.filename, lambda out: _redacting(out, fmt, ready, options))
