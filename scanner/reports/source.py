"""What the auditor report reads from a result document, behind one small adapter.

`ResultView` is the only place that reads the native result document: per check the
findings that did not pass (in full) and the resources that passed (id and name), through
`scanner.results.reader.ResultReader`, which reads schema 1.0, 1.1 and 2.0 alike (2.0
keeps PASS verdicts compactly; tenant-level PASS findings, such as an attested control,
stay in full with their attestation). Every part of `scanner.reports` reads through it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.results.loading import load_result
from scanner.results.reader import read
from scanner.sanitize import clean_document


@dataclass(frozen=True)
class Passed:
    """A resource a check passed, and whether a person's attestation decided it."""

    id: str | None
    name: str | None
    attestation: Mapping[str, Any] | None = None


@dataclass
class ResultView:
    """A result document as the auditor report needs it (text already cleaned)."""

    document: dict[str, Any]
    checks: dict[str, dict[str, Any]]
    outcomes: dict[str, str]
    not_passed: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    passed: dict[str, list[Passed]] = field(default_factory=dict)

    def meta(self, key: str) -> Any:
        """A top-level field of the document (``scan_id``, ``tenant``, ``policy``...)."""
        return self.document.get(key)


def view_of(document: Mapping[str, Any]) -> ResultView:
    """The `ResultView` of a loaded (validated) result document.

    Every string is redacted and its control characters neutralised first
    (`scanner.sanitize.clean_document`), as for every other report format.
    """
    cleaned: dict[str, Any] = clean_document(dict(document))
    reader = read(cleaned)
    not_passed: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for finding in reader.attention():
        not_passed[finding["check_id"]].append(finding)
    attested: dict[tuple[str, Any, Any], Mapping[str, Any]] = {}
    for finding in reader.findings():
        resource = finding.get("resource") or {}
        if finding["status"] == "PASS" and finding.get("attestation"):
            key = (finding["check_id"], resource.get("id"), resource.get("name"))
            attested[key] = finding["attestation"]
    passed: dict[str, list[Passed]] = defaultdict(list)
    for entry in reader.passed():
        for ident, name in entry.resources:
            note = attested.get((entry.check_id, ident, name))
            passed[entry.check_id].append(Passed(ident, name, note))
    return ResultView(
        document=cleaned,
        checks={check["id"]: check for check in cleaned["checks"]},
        outcomes=dict(cleaned["summary"]["check_outcomes"]),
        not_passed=dict(not_passed),
        passed=dict(passed),
    )


def read_result(path: Path | str) -> ResultView:
    """Load and validate the result document at ``path`` (exit 2 on a bad file)."""
    return view_of(load_result(path))
