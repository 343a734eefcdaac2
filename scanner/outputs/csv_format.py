"""CSV: one row per verdict, for spreadsheets and data tools (streamed).

A PASS kept compactly in a 2.0 document (`scanner.results.reader`) is a row with its
resource and an empty evidence (``{}``); ``--full-pass`` gives its evidence too.

Encoded as UTF-8 with a byte-order mark (``utf-8-sig``) so that Excel detects the
encoding, with CRLF line ends and RFC 4180 quoting. Any cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return is prefixed with ``'`` so that a
spreadsheet shows CRM data as text and never evaluates it as a formula (CSV injection).
"""

from __future__ import annotations

import csv
import json
from typing import Any, BinaryIO

from scanner.outputs import Document, OutputFormat, register, text_stream
from scanner.results.reader import read

BOM = "\ufeff"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = (
    "check_id",
    "title",
    "severity",
    "status",
    "domain",
    "platform",
    "tenant_id",
    "resource_type",
    "resource_id",
    "resource_name",
    "message",
    "evidence",
    "remediation",
    "frameworks",
    "exception",
    "exception_reason",
    "exception_approved_by",
    "exception_expires",
    "exception_ticket",
    "scan_id",
    "scanned_at",
)


def neutralize(value: object) -> str:
    """``value`` as a cell that a spreadsheet will not evaluate as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def _exception_state(exception: dict[str, Any] | None) -> str:
    if not exception:
        return ""
    return "expired" if exception.get("expired") else "active"


def _row(finding: dict[str, Any], frameworks: str, document: Document) -> list[str]:
    resource = finding["resource"]
    exception = finding.get("exception") or {}
    values: list[object] = [
        finding["check_id"],
        finding["title"],
        finding["severity"],
        finding["status"],
        finding["domain"],
        finding["platform"],
        finding["tenant_id"],
        resource.get("type"),
        resource.get("id"),
        resource.get("name"),
        finding["message"],
        json.dumps(finding.get("evidence") or {}, ensure_ascii=False, sort_keys=True),
        finding["remediation"],
        frameworks,
        _exception_state(finding.get("exception")),
        exception.get("reason"),
        exception.get("approved_by"),
        exception.get("expires"),
        exception.get("ticket"),
        document["scan_id"],
        document["finished_at"],
    ]
    return [neutralize(v) for v in values]


def write_csv(document: Document, out: BinaryIO) -> None:
    """A BOM, one header row and one row per verdict, streamed into ``out``."""
    frameworks = {
        check["id"]: "; ".join(
            f"{m['framework']} {m['requirement']}" for m in check.get("frameworks", [])
        )
        for check in document["checks"]
    }
    with text_stream(out) as text:
        text.write(BOM)
        writer = csv.writer(text, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(COLUMNS)
        for finding in read(document).every_finding():
            writer.writerow(_row(finding, frameworks.get(finding["check_id"], ""), document))


CSV_FORMAT = register(
    OutputFormat(
        "csv", "crmscan-findings.csv", "one row per finding (UTF-8 with BOM)", write=write_csv
    )
)
