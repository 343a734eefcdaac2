"""JUnit XML: one test case per check and resource, checked against the JUnit structure
that Jenkins, GitLab and GitHub reporters read (testsuites > testsuite > testcase)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from scanner.outputs import write_report
from scanner.results.reader import read
from tests.scanner.outputs.conftest import FORMULA_NAME

SUITE_ATTRIBUTES = {"name", "tests", "failures", "errors", "skipped", "timestamp", "time"}
OUTCOME_TAGS = {"failure", "error", "skipped"}
# Child order the JUnit XSD prescribes for a testsuite.
SUITE_CHILDREN = ["properties", "testcase", "system-out", "system-err"]


def _parse(document: dict[str, Any], tmp_path: Path) -> ET.Element:
    return ET.parse(write_report(document, "junit", tmp_path)).getroot()


def _check_structure(root: ET.Element) -> None:
    assert root.tag == "testsuites"
    totals: Counter[str] = Counter()
    for suite in root:
        assert suite.tag == "testsuite"
        assert SUITE_ATTRIBUTES <= set(suite.attrib), suite.attrib
        order = [SUITE_CHILDREN.index(child.tag) for child in suite]
        assert order == sorted(order), [child.tag for child in suite]
        cases = suite.findall("testcase")
        counts: Counter[str] = Counter()
        for case in cases:
            assert case.get("name") and case.get("classname"), case.attrib
            float(case.get("time", "0"))
            outcomes = [child.tag for child in case if child.tag in OUTCOME_TAGS]
            assert len(outcomes) <= 1, outcomes
            for tag in outcomes:
                node = case.find(tag)
                assert node is not None
                assert "message" in node.attrib
                counts[tag] += 1
            assert {c.tag for c in case} <= OUTCOME_TAGS | {"system-out", "system-err"}
        assert int(suite.get("tests", "-1")) == len(cases)
        assert int(suite.get("failures", "-1")) == counts["failure"]
        assert int(suite.get("errors", "-1")) == counts["error"]
        assert int(suite.get("skipped", "-1")) == counts["skipped"]
        totals.update({"tests": len(cases), **counts})
    assert int(root.get("tests", "-1")) == totals["tests"]
    assert int(root.get("failures", "-1")) == totals["failure"]
    assert int(root.get("errors", "-1")) == totals["error"]
    assert int(root.get("skipped", "-1")) == totals["skipped"]


def test_structure_is_valid_junit(document: dict[str, Any], tmp_path: Path) -> None:
    _check_structure(_parse(document, tmp_path))


def test_one_testcase_per_check_and_resource(document: dict[str, Any], tmp_path: Path) -> None:
    root = _parse(document, tmp_path)
    assert [s.get("name", "").split(" ")[0] for s in root] == [c["id"] for c in document["checks"]]
    assert int(root.get("tests", "0")) == read(document).finding_count()


def test_statuses_map_to_junit_outcomes(document: dict[str, Any], tmp_path: Path) -> None:
    root = _parse(document, tmp_path)
    outcomes: dict[str, Counter[str]] = {}
    for suite in root:
        check_id = suite.get("name", "").split(" ")[0]
        outcomes[check_id] = Counter(
            next((c.tag for c in case if c.tag in OUTCOME_TAGS), "passed")
            for case in suite.findall("testcase")
        )
    statuses = Counter((f["check_id"], f["status"]) for f in read(document).every_finding())
    # AUTH-002: one FAIL is under a valid exception, so it is skipped, not failed.
    assert outcomes["AUTH-002"]["failure"] == statuses[("AUTH-002", "FAIL")] - 1
    assert outcomes["AUTH-002"]["skipped"] == 1
    assert outcomes["AUTH-002"]["passed"] == statuses[("AUTH-002", "PASS")]
    assert outcomes["ENC-002"] == Counter({"error": 1})
    assert outcomes["AUTH-008"] == Counter({"skipped": 1})
    # PRIV-009's exception expired: the finding fails again.
    assert outcomes["PRIV-009"]["failure"] == statuses[("PRIV-009", "FAIL")]


def test_check_without_resources_is_one_skipped_case(
    document: dict[str, Any], tmp_path: Path
) -> None:
    document["findings"] = [f for f in document["findings"] if f["check_id"] != "PRIV-009"]
    document["passed"] = [p for p in document["passed"] if p["check_id"] != "PRIV-009"]
    root = _parse(document, tmp_path)
    _check_structure(root)
    suite = next(s for s in root if s.get("name", "").startswith("PRIV-009"))
    skipped = suite.find("testcase/skipped")
    assert skipped is not None and "NOT_APPLICABLE" in skipped.get("message", "")


def test_crm_data_is_escaped(document: dict[str, Any], tmp_path: Path) -> None:
    document["findings"][0]["message"] += " \x00\x1b <&> ]]>"
    root = _parse(document, tmp_path)
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    # Control characters reach the report as visible escapes (scanner.sanitize).
    assert failure.get("message", "").endswith("\\x00\\x1b <&> ]]>")
    first_case = root.find("testsuite/testcase")
    assert first_case is not None and FORMULA_NAME in first_case.get("name", "")
