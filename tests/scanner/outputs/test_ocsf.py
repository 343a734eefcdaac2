"""OCSF 1.5: Detection Findings (2004) per finding, Compliance Findings (2003) per
finding and framework requirement, checked against the py-ocsf-models classes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
from py_ocsf_models.events.findings.detection_finding import DetectionFinding

from scanner.outputs import write_report
from scanner.outputs.ocsf_format import epoch_ms
from scanner.results.reader import read

# Attributes OCSF 1.5.0 marks "required" for the two classes (base event + findings
# category + class), and for the objects crmscan fills.
REQUIRED = {
    2004: {
        "activity_id",
        "category_uid",
        "class_uid",
        "finding_info",
        "metadata",
        "severity_id",
        "time",
        "type_uid",
    },
    2003: {
        "activity_id",
        "category_uid",
        "class_uid",
        "compliance",
        "finding_info",
        "metadata",
        "severity_id",
        "time",
        "type_uid",
    },
}
MODELS: dict[int, Any] = {2004: DetectionFinding, 2003: ComplianceFinding}


def _events(document: dict[str, Any], tmp_path: Path) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = json.loads(
        write_report(document, "ocsf", tmp_path).read_text("utf-8")
    )
    return events


def test_one_detection_finding_per_finding(document: dict[str, Any], tmp_path: Path) -> None:
    events = _events(document, tmp_path)
    detections = [e for e in events if e["class_uid"] == 2004]
    verdicts = list(read(document).every_finding())
    assert len(detections) == len(verdicts) == document["summary"]["findings"]
    assert [e["metadata"]["event_code"] for e in detections] == [f["check_id"] for f in verdicts]
    assert len({e["metadata"]["uid"] for e in detections}) == len(detections)


def test_one_compliance_finding_per_finding_and_requirement(
    document: dict[str, Any], tmp_path: Path
) -> None:
    mappings = {c["id"]: c["frameworks"] for c in document["checks"]}
    expected = [
        (f["check_id"], m["framework"], m["requirement"], f["status"])
        for f in read(document).every_finding()
        for m in mappings[f["check_id"]]
    ]
    assert expected, "the fixture maps checks to frameworks"
    compliance = [e for e in _events(document, tmp_path) if e["class_uid"] == 2003]
    got = [
        (
            e["compliance"]["control"],
            e["compliance"]["standards"][0],
            e["compliance"]["requirements"][0],
            e["status_code"],
        )
        for e in compliance
    ]
    assert got == expected
    status_ids = {e["status_code"]: e["compliance"]["status_id"] for e in compliance}
    assert status_ids["FAIL"] == 3 and status_ids["PASS"] == 1 and status_ids["ERROR"] == 2


def test_events_match_the_ocsf_1_5_models(document: dict[str, Any], tmp_path: Path) -> None:
    events = _events(document, tmp_path)
    for event in events:
        assert REQUIRED[event["class_uid"]] <= set(event), event["class_uid"]
        assert event["metadata"]["version"] == "1.5.0"
        assert event["category_uid"] == 2
        assert event["type_uid"] == event["class_uid"] * 100 + event["activity_id"]
        model = MODELS[event["class_uid"]].model_validate(event)
        # Pydantic drops unknown attributes: a lossless round trip proves every
        # attribute crmscan writes is one the OCSF model defines.
        assert model.model_dump(mode="json", exclude_none=True) == event


def test_time_is_epoch_milliseconds(document: dict[str, Any], tmp_path: Path) -> None:
    events = _events(document, tmp_path)
    expected = epoch_ms(document["finished_at"])
    assert {e["time"] for e in events} == {expected}
    assert expected > 10**12, "milliseconds, not seconds"
    assert epoch_ms("2026-01-01T00:00:00Z") == 1767225600000


def test_severity_status_and_exceptions(document: dict[str, Any], tmp_path: Path) -> None:
    detections = [e for e in _events(document, tmp_path) if e["class_uid"] == 2004]
    by_uid = {e["metadata"]["uid"]: e for e in detections}
    assert len(by_uid) == len(detections), "metadata.uid is unique per event"
    severity_ids = {e["severity"]: e["severity_id"] for e in detections}
    assert severity_ids["High"] == 4 and severity_ids["Medium"] == 3
    excepted = [e for e in detections if e["status"] == "Suppressed"]
    assert len(excepted) == 1
    assert excepted[0]["unmapped"]["crmscan"]["exception"]["ticket"] == "SEC-42"
    expired = [
        e for e in detections if (e["unmapped"]["crmscan"]["exception"] or {}).get("expired")
    ]
    assert expired and all(e["status"] == "New" for e in expired)


def test_finding_uid_is_stable_across_scans(document: dict[str, Any], tmp_path: Path) -> None:
    first = _events(document, tmp_path / "a")
    document["scan_id"] = "another-scan"
    second = _events(document, tmp_path / "b")
    assert [e["finding_info"]["uid"] for e in first] == [e["finding_info"]["uid"] for e in second]
    assert first[0]["metadata"]["uid"] != second[0]["metadata"]["uid"]
