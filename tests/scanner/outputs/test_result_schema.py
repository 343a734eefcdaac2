"""The native result document validates against scanner/schemas/result.schema.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from scanner.documents import parse_text, schema, validate
from scanner.errors import InputFileError
from scanner.outputs import write_report
from scanner.results.reader import read


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(schema("result"))


def test_real_scan_document_validates(document: dict[str, Any], tmp_path: Path) -> None:
    path = write_report(document, "json", tmp_path)
    loaded = json.loads(path.read_text("utf-8"))
    assert loaded["findings"], "the synthetic org has findings"
    statuses = {f["status"] for f in read(loaded).every_finding()}
    assert {"PASS", "FAIL", "ERROR", "MANUAL"} <= statuses
    assert "PASS" not in {f["status"] for f in loaded["findings"]}, "PASS kept compactly"
    assert loaded["passed"] and loaded["pass_detail"] == "compact"
    validate(parse_text(path.read_text("utf-8"), str(path)), "result")


def test_document_carries_the_issue_fields(document: dict[str, Any]) -> None:
    assert document["tool"]["version"]
    assert document["scan_id"] and document["started_at"] <= document["finished_at"]
    assert document["tenant"]["platform"] == "salesforce" and document["tenant"]["id"]
    assert document["policy"]["name"] == "baseline"
    assert document["policy"]["digest"].startswith("sha256:")


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d["findings"][0].update(status="BROKEN"), "/findings/0/status"),
        (lambda d: d["policy"].pop("digest"), "/policy"),
        (lambda d: d["summary"].update(score=120), "/summary/score"),
    ],
)
def test_malformed_document_names_the_field(
    document: dict[str, Any], mutate: Any, field: str
) -> None:
    mutate(document)
    text = json.dumps(document, indent=2)
    with pytest.raises(InputFileError) as caught:
        validate(parse_text(text, "result.json"), "result")
    assert caught.value.location.pointer == field
    assert caught.value.location.line is not None
