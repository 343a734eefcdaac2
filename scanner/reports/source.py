"""What the auditor report reads from a result document, behind one small adapter.

`ResultView` is the only place that knows the shape of the native result document: per
check its outcome, the findings that did not pass (in full) and the resources that
passed (id and name). Every part of `scanner.reports` reads through it, so a new schema
version changes this module only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.results.loading import load_result
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
    not_passed: dict[str, list[dict[str, Any]]] = defaultdict(list)
    passed: dict[str, list[Passed]] = defaultdict(list)
    for finding in cleaned["findings"]:
        check_id = finding["check_id"]
        if finding["status"] == "PASS":
            resource = finding.get("resource") or {}
            passed[check_id].append(
                Passed(resource.get("id"), resource.get("name"), finding.get("attestation"))
            )
        else:
            not_passed[check_id].append(finding)
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
