"""The native JSON report."""

from __future__ import annotations

import json

from scanner.outputs import Document, OutputFormat, register


def render_json(document: Document) -> str:
    """The result document as indented JSON."""
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


JSON_FORMAT = register(
    OutputFormat("json", "crmscan-results.json", "native result document (JSON)", render_json)
)
