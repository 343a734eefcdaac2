"""The batched stored form of findings (`StoredFindings`, `passed_entries`) is exactly
what building each finding in full and storing it gives, hostile CRM text included."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.synthetic_org import NOW, make_inventory
from scanner.engine.findings import Status
from scanner.engine.scan import ScanResult, run_checks
from scanner.language.policy import load_policy
from scanner.results import stored as stored_module
from scanner.results.document import to_document
from scanner.results.stored import StoredFindings, finding_document, stored_finding

#: Text a CRM user can put in a name: escapes, forged lines, bidi overrides, a lone
#: surrogate (not encodable as UTF-8), a backslash, a percent sign, braces.
HOSTILE = [
    "\x1b[2Jcleared",
    "line\nforged",
    "tab\there",
    "evil\u202egnp.exe",
    "zero\u200bwidth",
    "lone \ud800 surrogate",
    "C:\\new\\table",
    "100% {name} {{x}}",
    "del\x7f and c1 \x85",
]


def _result(users: int = 300) -> ScanResult:
    inventory = make_inventory(users=users, permission_sets=30)
    assert inventory.users is not None
    for index, text in enumerate(HOSTILE):
        user = inventory.users[index * 7]
        user.name, user.username = f"{text} {index}", f"{text}@example.com"
        user.profile = text
    return run_checks(inventory, load_policy(None), now=NOW)


def _exact(result: ScanResult, records: bool) -> list[dict[str, Any]]:
    """Each finding in full, then stored: the path `StoredFindings` must agree with."""
    return [
        stored_finding(finding_document(f, result, records), f.check.spec.resource)
        for f in result.findings
        if not (f.status is Status.PASS and f.resource_type != "tenant")
        and f.status not in (Status.ERROR, Status.MANUAL)
    ]


@pytest.mark.parametrize("records", [False, True])
@pytest.mark.parametrize("batch", [1, 5, 2048])
def test_the_batched_stored_form_is_the_exact_one(
    records: bool, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stored_module, "BATCH", batch)
    result = _result()
    builder = StoredFindings(result, records)
    for finding in result.findings:
        if (
            finding.status is Status.FAIL
            or finding.status is Status.NOT_APPLICABLE
            or (finding.status is Status.PASS and finding.resource_type == "tenant")
        ):
            builder.add(finding)
    built = builder.finish()
    assert built == _exact(result, records)
    text = repr(built)
    assert "\x1b" not in text and "\u202e" not in text and "\ud800" not in text
    assert "\\x1b[2Jcleared" in text and "\\u202egnp.exe" in text  # shown, not hidden


def test_hostile_names_in_passed_entries_are_neutralised_like_every_other_text() -> None:
    result = _result()
    document = to_document(result, records=False)
    names = [name for entry in document["passed"] for _, name in entry["resources"]]
    assert names, "the synthetic org has passing users"
    for raw in ("\x1b", "\u202e", "\ud800", "\n", "\t", "\x7f", "\x85"):
        assert not [n for n in names if n and raw in n]
    assert any(n.startswith("\\x1b[2Jcleared") for n in names if n)


def test_a_document_built_in_batches_equals_one_built_a_finding_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = _result(users=120)
    batched = to_document(result, "low", records=True)
    monkeypatch.setattr(stored_module, "BATCH", 1)
    monkeypatch.setattr(stored_module, "plainly_safe", lambda value: False)  # always exact
    exact = to_document(result, "low", records=True)
    for key in ("scan_id", "started_at", "finished_at"):
        batched.pop(key), exact.pop(key)
    assert batched == exact
