"""SARIF 2.1.0: validated against the official OASIS schema (vendored)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from scanner.outputs import write_report
from scanner.outputs.sarif_format import is_reported
from scanner.results.reader import read

SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def sarif_validator() -> Draft4Validator:
    schema = json.loads(SCHEMA_PATH.read_text("utf-8"))
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    return Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


def _log(document: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(write_report(document, "sarif", tmp_path).read_text("utf-8"))
    return log


def test_validates_against_the_sarif_2_1_0_schema(
    document: dict[str, Any], tmp_path: Path, sarif_validator: Draft4Validator
) -> None:
    log = _log(document, tmp_path)
    errors = sorted(sarif_validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    assert log["version"] == "2.1.0"


def test_schema_catches_a_broken_log(
    document: dict[str, Any], tmp_path: Path, sarif_validator: Draft4Validator
) -> None:
    log = _log(document, tmp_path)
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert list(sarif_validator.iter_errors(log))


def test_only_failing_non_excepted_findings(document: dict[str, Any], tmp_path: Path) -> None:
    results = _log(document, tmp_path)["runs"][0]["results"]
    expected = [f for f in read(document).attention() if is_reported(f)]
    assert len(results) == len(expected) > 0
    assert all(f["status"] == "FAIL" for f in expected)
    excepted = [
        f
        for f in read(document).findings()
        if f["status"] == "FAIL" and f["exception"] and not f["exception"]["expired"]
    ]
    assert excepted, "the fixture has one finding under a valid exception"
    reported_ids = {r["properties"]["resource"]["id"] for r in results if r["ruleId"] == "AUTH-002"}
    assert excepted[0]["resource"]["id"] not in reported_ids
    expired = [r for r in results if "expiredException" in r["properties"]]
    assert expired and expired[0]["ruleId"] == "PRIV-009"


def test_severity_maps_to_level_and_security_severity(
    document: dict[str, Any], tmp_path: Path
) -> None:
    run = _log(document, tmp_path)["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(rules) == {c["id"] for c in document["checks"]}
    for result in run["results"]:
        rule = run["tool"]["driver"]["rules"][result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
        severity = result["properties"]["severity"]
        assert result["level"] == {"critical": "error", "high": "error", "medium": "warning"}.get(
            severity, "note"
        )
        score = float(rule["properties"]["security-severity"])
        assert (severity == "high" and 7.0 <= score < 9.0) or severity != "high"
    high = next(r for r in rules.values() if r["properties"]["severity"] == "high")
    assert high["properties"]["security-severity"] == "8.0"
    assert high["help"]["text"].startswith("1. Salesforce")


def test_fingerprints_are_stable_and_unique(document: dict[str, Any], tmp_path: Path) -> None:
    first = _log(document, tmp_path / "a")["runs"][0]["results"]
    document["scan_id"] = "0b7a6c1e-0000-4000-8000-000000000000"
    second = _log(document, tmp_path / "b")["runs"][0]["results"]
    prints = [r["partialFingerprints"]["crmscanFinding/v1"] for r in first]
    assert prints == [r["partialFingerprints"]["crmscanFinding/v1"] for r in second]
    assert len(set(prints)) == len(prints)
