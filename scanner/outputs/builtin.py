"""Import every built-in output format so that each registers itself."""

from __future__ import annotations

from scanner.outputs import (  # noqa: F401
    console,
    csv_format,
    html_format,
    json_format,
    junit_format,
    markdown_format,
    ocsf_format,
    sarif_format,
)
