"""The HTML payload of a document's stored findings is the payload of its completed view.

`stored_payload` encodes most 2.0 findings without completing them and dedupes their
shapes by a tuple key; these tests hold it to `encode_payload(view_of(document))` (the
exact path), compared by ``repr`` so that key order and NaN count too.
"""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest

from scanner.outputs.html_data import (
    ReportView,
    decode_payload,
    encode_payload,
    stored_payload,
    view_of,
)
from scanner.outputs.html_encode import _runs, sort_key
from scanner.results.reader import PASS, ResultReader
from tests.scanner.outputs.conftest import build_document


def _agrees(document: dict[str, Any]) -> dict[str, Any]:
    expected = encode_payload(view_of(copy.deepcopy(document)))
    payload, findings, passing = stored_payload(document)
    assert repr(payload) == repr(expected)
    assert findings == [f for f in document["findings"] if f["status"] != PASS]
    assert passing == {check: len(listed) for check, listed in view_of(document).passing.items()}
    return payload


def _document(findings: list[dict[str, Any]]) -> dict[str, Any]:
    """A 2.0 document with ``findings`` as stored (check fields in ``checks[]``)."""
    checks = [
        {"id": "A-1", "title": "One", "severity": "high", "domain": "AUTH", "resource": "users"},
        {"id": "A-2", "title": "Two", "severity": "low", "domain": "PRIV", "resource": "users"},
    ]
    return {
        "schema_version": "2.0",
        "pass_detail": "compact",
        "tenant": {"platform": "salesforce", "id": "00D"},
        "checks": checks,
        "findings": findings,
        "passed": [
            {
                "check_id": "A-1",
                "resource_type": "users",
                "message": "ok",
                "resources": [["005p", "passer"], ["0051", "user1"]],
            }
        ],
    }


def _stored(name: Any, ident: Any, check: str = "A-1", **extra: Any) -> dict[str, Any]:
    finding = {
        "check_id": check,
        "status": "FAIL",
        "resource": {"id": ident, "name": name},
        "message": f"{name} has no MFA ({ident})",
        "evidence": {"user": name, "ids": [ident, "x"], "nested": {"n": f"{name}\n"}},
    }
    finding.update(extra)
    return finding


def test_the_engines_documents_agree(document: dict[str, Any]) -> None:
    payload = _agrees(document)
    assert payload["shapes"] and payload["passing"]
    _agrees(build_document(users=60, full_pass=True))


def test_a_1x_document_agrees(document: dict[str, Any]) -> None:
    reader = ResultReader(document)
    old = {k: v for k, v in document.items() if k not in ("passed", "pass_detail")}
    old["schema_version"] = "1.1"
    old["findings"] = list(reader.every_finding())
    for finding in old["findings"]:
        finding.pop("compact", None)
    assert any(f["status"] == PASS for f in old["findings"])
    _agrees(old)


NAMES = [
    ("user1@example.com", "005000000000001"),
    ("n", "u"),  # letters JSON escapes (\n, \u) are made of
    ("e", "1"),  # in the evidence's keys, in true and in numbers
    ('quo"te\\back', 'id"1'),
    ("has\x00placeholder", "005"),
    ("name", "id\x01"),
    ("\x00", "\x01"),
    (None, None),
    ("", ""),
    ("user1", "user1-id"),  # the name inside the id
    ("005-full-name", "005"),  # the id inside the name
    ("has", "no"),  # substrings of the message's own words
    ("<\u2028>&\t\x1f", "é\U0001f600"),
    ("lone\ud800surrogate", "id\udfff"),
    ("FAIL", "A-1"),
]


@pytest.mark.parametrize(("name", "ident"), NAMES)
def test_awkward_names_agree(name: Any, ident: Any) -> None:
    findings = [
        _stored(name, ident),
        _stored(name, ident, check="A-2"),
        _stored("other", "002", message="\x00 literal"),
        _stored("other2", "003"),
        _stored(name, ident, status="MANUAL"),
        _stored(f"{name}{name}", f"{ident}x"),
    ]
    document = _document(findings)
    payload = _agrees(document)
    assert decode_payload(payload).findings == sorted(view_of(document).findings, key=sort_key)


def test_hostile_evidence_and_fields_agree() -> None:
    deep: Any = "user1"
    for _ in range(60):
        deep = {"d": [deep]}
    findings = [
        _stored("user1", "0051", evidence={"n": float("nan"), "s": "user1"}),
        _stored("user2", "0052", evidence={"n": None, "s": "user2"}),  # orjson: NaN is null
        _stored("user3", "0053", evidence={"n": float("inf"), "s": "user3"}),
        _stored("user4", "0054", evidence={"big": 2**80, "s": "user4"}),
        _stored("user5", "0055", evidence={"big": 2**80, "s": "user5"}),
        _stored("user6", "0056", evidence={"s": "lone\udc00 user6"}),
        _stored("user7", "0057", evidence={"s": "lone\udc00 user7"}),
        _stored("user8", "0058", evidence={"n": 1, "s": "1"}),
        _stored("user9", "0059", evidence={"n": 1.0, "s": "1"}),
        _stored("user10", "00510", evidence={"n": True, "s": "1"}),
        _stored("user11", "00511", evidence=deep),
        _stored("user12", "00512", evidence={1: "int key", "s": "user12"}),
        _stored("user13", "00513", message="lone\ud800 user13"),
        _stored("user14", "00514", message="lone\ud800 user14"),
        # the shape's JSON is the fallback's, which tells NaN from null: two shapes
        _stored("user27", "00527", message="lone\ud800 user27", evidence={"n": float("nan")}),
        _stored("user28", "00528", message="lone\ud800 user28", evidence={"n": None}),
        _stored("user15", "00515", message=["not", "a", "string"]),
        _stored("user16", "00516", severity="critical"),  # its own severity: report order
        _stored("user17", "00517", title="Own title", extra={"kept": True}),
        _stored("user18", "00518", resource={"id": "00518", "name": "user18", "url": "u"}),
        _stored("user19", "00519", resource={"type": "profiles", "id": "00519", "name": "x"}),
        _stored("user20", "00520", status="ERROR"),
        _stored("user21", "00521", status="NOT_APPLICABLE"),
        _stored("user22", "00522", status="UNKNOWN"),
        _stored("user23", "00523", check="NOT-IN-CHECKS"),
        _stored("user24", "00524", evidence={"s": "\x00 already"}),
        _stored("user25", "00525", evidence={"s": "user25", "secret": "[REDACTED]"}),
        _stored("user26", "00526", exception=None, attestation=None),
    ]
    rng = random.Random(7)
    findings += [_stored(f"u{i}", f"005{i}", check=rng.choice(["A-1", "A-2"])) for i in range(40)]
    _agrees(_document(findings))


def test_title_and_remediation_that_do_not_serialise_agree() -> None:
    document = _document([_stored("user1", "0051"), _stored("user2", "0052")])
    document["checks"][0]["title"] = "lone\ud800 title"
    document["checks"][0]["remediation"] = {"steps": [2**70, "do it"]}
    _agrees(document)


def test_runs_agree_with_the_indices() -> None:
    rng = random.Random(12)
    for _ in range(300):
        indices = [rng.randrange(60) for _ in range(rng.randrange(50))]
        runs, ordered, end = _runs(indices), [], 0
        for position in range(0, len(runs), 2):
            start = end + runs[position]
            end = start + runs[position + 1]
            assert runs[position + 1] > 0 and (position == 0 or runs[position] > 0)
            ordered.extend(range(start, end))
        assert ordered == sorted(set(indices))


@pytest.mark.parametrize(
    "names",
    [
        ["b", "a", "", "ab", "a\x00", "A", "é", "z"],  # strings only: sorted as they are
        ["b", None, "", "a"],  # None sorts as ""
    ],
)
def test_the_resource_table_is_sorted_by_type_id_and_name(names: list[Any]) -> None:
    passing = {
        "P": [(kind, ident, name) for kind in ("t", "") for ident in names for name in names]
    }
    if None in names:  # None and "" tie: only ask for the order of the rest
        passing = {"P": [r for r in passing["P"] if "" not in r]}
    payload = encode_payload(ReportView(passing=passing))
    columns = payload["resources"]
    table = [
        (payload["types"][t] or None if None in names else payload["types"][t], i, n)
        for t, i, n in zip(columns["t"], columns["i"], columns["n"], strict=True)
    ]
    expected = sorted(set(passing["P"]), key=lambda r: (r[0] or "", r[1] or "", r[2] or ""))
    assert table == expected


def test_passing_resources_with_one_id_and_two_names_agree() -> None:
    document = _document([_stored("user1", "0051"), _stored("user2", "0052", check="A-2")])
    document["passed"] += [
        {
            "check_id": "A-2",
            "resource_type": "users",
            "message": "ok",
            "resources": [["0051", "user1"], ["0051", "renamed"], ["0053", None], [None, "x"]],
        },
        {"check_id": "B-9", "resource_type": "profiles", "message": "ok", "resources": []},
    ]
    payload = _agrees(document)
    back = decode_payload(payload).passing["A-2"]
    assert ("users", "0051", "renamed") in back and ("users", "0051", "user1") in back
