"""The auditor report's formats, and writing them (redacted, without following links)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scanner.errors import ConfigError
from scanner.redact import redact
from scanner.reports.csv_report import render_csv
from scanner.reports.framework_report import AuditReport
from scanner.reports.html_report import render_html
from scanner.reports.md_report import render_markdown
from scanner.safe_write import write_file


@dataclass(frozen=True)
class AuditFormat:
    """One file format of the auditor report."""

    name: str
    extension: str
    render: Callable[[AuditReport], str]


AUDIT_FORMATS = {
    fmt.name: fmt
    for fmt in (
        AuditFormat("html", "html", render_html),
        AuditFormat("csv", "csv", render_csv),
        AuditFormat("md", "md", render_markdown),
    )
}
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def audit_formats(names: list[str]) -> list[AuditFormat]:
    """The formats named (``--format``); ConfigError for any other."""
    unknown = [n for n in names if n not in AUDIT_FORMATS]
    if unknown:
        raise ConfigError(
            f"--framework reports in {', '.join(AUDIT_FORMATS)}; not in {', '.join(unknown)}"
        )
    return [AUDIT_FORMATS[n] for n in names]


def audit_filename(report: AuditReport, fmt: AuditFormat) -> str:
    """``crmscan-audit-<framework id>.<ext>``, the id reduced to safe file-name characters."""
    safe = _UNSAFE_NAME.sub("-", report.framework.id).strip(".-") or "framework"
    return f"crmscan-audit-{safe}.{fmt.extension}"


def render_audit(report: AuditReport, fmt: AuditFormat) -> str:
    """The report in ``fmt``; the text is redacted once more as a last line of defence."""
    return redact(fmt.render(report))


def write_audit(report: AuditReport, fmt: AuditFormat, out_dir: Path) -> Path:
    """Write the report in ``fmt`` into ``out_dir``; returns the file written."""
    return write_file(out_dir, audit_filename(report, fmt), render_audit(report, fmt))
