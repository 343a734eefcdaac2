"""PASS messages name the resource they are about, and never show a raw ``{field}``."""

from __future__ import annotations

import re

from scanner import pipeline
from scanner.engine.scan import run_checks
from scanner.language.policy import load_policy
from scanner.results.document import to_document

PLACEHOLDER = re.compile(r"\{[a-z_.]+\}")


def test_pass_messages_are_filled_in_and_compact_entries_name_no_single_resource() -> None:
    policy = load_policy("baseline")
    result = run_checks(pipeline.collect_demo("salesforce", policy), policy)
    passes = [f for f in result.findings if f.status.value == "PASS"]
    assert sorted(f.message() for f in passes if f.check.id == "DATA-001") == [
        "Account has active validation rules.",
        "Contact has active validation rules.",
        "Lead has active validation rules.",
    ]
    assert not [f.message() for f in passes if PLACEHOLDER.search(f.message())]

    document = to_document(result)
    entry = next(e for e in document["passed"] if e["check_id"] == "DATA-001")
    # One message stands for every passing resource: it must not name the first one.
    assert entry["message"] == "Passed: The policy's key objects have active validation rules"
    assert entry["count"] == 3
    assert not [e["message"] for e in document["passed"] if PLACEHOLDER.search(e["message"])]
