"""Read a saved native result document back (``crmscan report``, ``crmscan diff``).

The document is validated against the result schema, then for what the schema cannot
say: every finding (and, in 2.0, every ``passed`` entry) names a check listed in
``checks[]``, and every check has an outcome in the summary. Documents of every version
(1.0, 1.1, 2.0) load; read them through `scanner.results.reader`. A damaged or
hand-edited result is refused with its file, line and field (exit 2) instead of failing
inside a writer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scanner.documents import load_file, validate


def load_result(path: Path | str) -> dict[str, Any]:
    """The validated result document at ``path`` (raises `InputFileError`)."""
    loaded = load_file(path)
    if not isinstance(loaded.data, dict):
        raise loaded.error([], "a crmscan result must be a JSON object")
    validate(loaded, "result")
    document: dict[str, Any] = loaded.data
    checks = {check["id"] for check in document["checks"]}
    for index, finding in enumerate(document["findings"]):
        if finding["check_id"] not in checks:
            raise loaded.error(
                ["findings", index, "check_id"],
                f"finding for check {finding['check_id']!r}, which is not in checks[]",
            )
    for index, entry in enumerate(document.get("passed") or []):
        if entry["check_id"] not in checks:
            raise loaded.error(
                ["passed", index, "check_id"],
                f"passed resources for check {entry['check_id']!r}, which is not in checks[]",
            )
        if entry["count"] != len(entry["resources"]):
            raise loaded.error(
                ["passed", index, "count"],
                f"count {entry['count']} but {len(entry['resources'])} resources listed",
            )
    outcomes = document["summary"]["check_outcomes"]
    for index, check in enumerate(document["checks"]):
        if check["id"] not in outcomes:
            raise loaded.error(
                ["checks", index, "id"],
                f"check {check['id']} has no outcome in summary.check_outcomes",
            )
    return document
