"""The HTML report's embedded data: compact, lossless, and inert inside its script element."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

from scanner.outputs.html_data import (
    ReportView,
    _sort_key,
    decode_payload,
    embed,
    encode_payload,
    unembed,
    view_of,
)


def _finding(name: str | None, ident: str | None, **extra: Any) -> dict[str, Any]:
    finding = {
        "check_id": "AUTH-002",
        "title": "MFA",
        "severity": "high",
        "domain": "AUTH",
        "status": "FAIL",
        "platform": "salesforce",
        "tenant_id": "00D",
        "resource": {"type": "users", "id": ident, "name": name},
        "message": f"{name} has no MFA ({ident})",
        "evidence": {"user": name, "ids": [ident, "x"], "nested": {"n": f"{name}\n"}},
        "remediation": "enable MFA",
        "exception": None,
        "attestation": None,
    }
    finding.update(extra)
    return finding


def _roundtrip(view: ReportView) -> ReportView:
    return decode_payload(unembed(embed(encode_payload(view))))


def test_findings_and_passing_resources_come_back_exactly(document: dict[str, Any]) -> None:
    view = view_of(document)
    assert view.findings and view.passing
    back = _roundtrip(view)
    assert back.findings == sorted(view.findings, key=_sort_key)
    assert {k: sorted(map(str, v)) for k, v in back.passing.items()} == {
        k: sorted(map(str, v)) for k, v in view.passing.items()
    }
    statuses = {f["status"] for f in back.findings}
    assert "PASS" not in statuses and "FAIL" in statuses


@pytest.mark.parametrize(
    ("name", "ident"),
    [
        ("user1@example.com", "005000000000001"),
        ("n", "u"),  # letters that JSON escapes (\n, \u) are made of
        ('quo"te\\back', 'id"1'),
        ("has\x00placeholder", "005"),  # a placeholder in the data: kept as is
        ("name", "id\x01"),
        (None, None),
        ("", "005"),
        ("user1", "user1-id"),  # the name inside the id
        ("005-full-name", "005"),  # the id inside the name
        ("<\u2028>&", "é"),
        ("lone\ud800surrogate", "id\udfff"),  # not cleaned: still embedded
    ],
)
def test_templating_is_lossless_for_awkward_names(name: str | None, ident: str | None) -> None:
    findings = [_finding(name, ident), _finding("other", "002", message="\x00 literal")]
    back = _roundtrip(ReportView(findings=copy.deepcopy(findings)))
    assert back.findings == findings


def test_evidence_templates_are_reused_only_when_they_fit() -> None:
    # Same text once the names are cut out, different structure: 1 is also a number.
    findings = [
        _finding("1", "a", evidence={"n": 1, "s": "1"}),
        _finding("2", "b", evidence={"n": 2, "s": "2"}),
        _finding("3", "c", evidence={"n": 1, "s": "3"}),
        _finding("4", "d", evidence={"n": 1, "s": "4", "t": "a\\4"}),
        _finding("5", "e", evidence={"n": 1, "s": "5", "t": "a\\5"}),
    ]
    payload = encode_payload(ReportView(findings=copy.deepcopy(findings)))
    assert _roundtrip(ReportView(findings=copy.deepcopy(findings))).findings == findings
    assert len(payload["shapes"]) == 4  # rows 1 and 3 share a shape, as do 4 and 5


def test_findings_that_differ_only_in_the_resource_share_one_shape() -> None:
    findings = [_finding(f"user{i}@example.com", f"005{i:012d}") for i in range(500)]
    payload = encode_payload(ReportView(findings=findings))
    assert len(payload["shapes"]) == 1 and len(payload["remediations"]) == 1
    assert len(payload["rows"]["s"]) == 500
    assert _roundtrip(ReportView(findings=findings)).findings == findings


def test_passing_resources_are_runs_of_the_resource_table() -> None:
    users = [("users", f"005{i:03d}", f"u{i}") for i in range(100)]
    passing = {"A": users, "B": users[::2], "C": [users[7]], "D": [], "E": users[10:40]}
    payload = encode_payload(ReportView(passing=passing))
    assert payload["passing"]["A"] == [0, 100]
    assert payload["passing"]["E"] == [10, 30]
    assert payload["passing"]["C"] == [7, 1]
    assert len(payload["passing"]["B"]) == 100  # gap 1, length 1, 50 times
    back = decode_payload(payload).passing
    assert back == {k: sorted(v) for k, v in passing.items()}


def test_sorted_in_report_order() -> None:
    findings = [
        _finding("a", "1", status="NOT_APPLICABLE", severity="low"),
        _finding("b", "2", status="MANUAL", severity="critical"),
        _finding("c", "3", status="FAIL", severity="low"),
        _finding("d", "4", status="FAIL", severity="critical"),
    ]
    back = _roundtrip(ReportView(findings=findings))
    assert [f["resource"]["name"] for f in back.findings] == ["d", "c", "b", "a"]


def test_embedded_data_cannot_end_its_script_element() -> None:
    hostile = "</script><script>alert(1)</script><!-- &amp; ]]>"
    text = embed(encode_payload(ReportView(findings=[_finding(hostile, "<!--")])))
    assert re.fullmatch(r"[A-Za-z0-9+/]*=*", text), "base64 only"
    assert unembed(text)["resources"]["n"] == [hostile]


def test_embedded_data_is_compressed(document: dict[str, Any]) -> None:
    payload = encode_payload(view_of(document))
    assert len(embed(payload)) < len(json.dumps(payload)) / 2
