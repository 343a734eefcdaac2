"""Every status rule of the auditor report, on hand-built result documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scanner.language.check_spec import CheckSpec
from scanner.reports.framework_report import AuditReport, build_report
from scanner.reports.source import read_result
from tests.scanner.reports.builders import (
    attestation,
    document,
    exception,
    finding,
    framework,
    save,
)

FW = framework(("R1", ["A-1"]))


def _report(tmp_path: Path, doc: dict[str, Any], fw: Any = FW, catalog: Any = None) -> AuditReport:
    """Save the document, load it like the CLI does (validated), build the report."""
    view = read_result(save(doc, tmp_path))
    return build_report(fw, view, catalog or {})


def _one(report: AuditReport) -> tuple[str, str]:
    requirement = report.requirements[0]
    return requirement.status, requirement.checks[0].outcome if requirement.checks else ""


# -- a check's outcome -------------------------------------------------------------------


def test_fail_without_exception_fails(tmp_path: Path) -> None:
    doc = document([finding("A-1", "FAIL", "u2", "bob")], passed={"A-1": [("u1", "ann")]})
    report = _report(tmp_path, doc)
    assert _one(report) == ("FAIL", "FAIL")
    check = report.requirements[0].checks[0]
    assert [r.label for r in check.failing] == ["bob (u2)"]
    assert check.passed == 1 and check.excepted == []
    assert report.summary["FAIL"] == 1


def test_fail_under_valid_exception_passes_and_is_listed_as_excepted(tmp_path: Path) -> None:
    doc = document(
        [finding("A-1", "FAIL", "u2", "bob", exception=exception())],
        passed={"A-1": [("u1", "ann")]},
    )
    report = _report(tmp_path, doc)
    assert _one(report) == ("PASS", "PASS")
    check = report.requirements[0].checks[0]
    assert check.failing == []
    assert [(r.label, r.exception["approved_by"]) for r in check.excepted] == [
        ("bob (u2)", "ciso@example.com")
    ]
    assert "1 failing resources under valid exceptions" in report.requirements[0].reason


def test_only_excepted_failures_still_pass(tmp_path: Path) -> None:
    doc = document([finding("A-1", "FAIL", exception=exception())])
    assert _one(_report(tmp_path, doc)) == ("PASS", "PASS")


def test_expired_exception_no_longer_excepts(tmp_path: Path) -> None:
    doc = document([finding("A-1", "FAIL", "u2", exception=exception(expired=True))])
    report = _report(tmp_path, doc)
    assert _one(report) == ("FAIL", "FAIL")
    check = report.requirements[0].checks[0]
    assert check.excepted == [] and check.failing[0].exception["expired"] is True


def test_error_without_failure_is_error(tmp_path: Path) -> None:
    doc = document(
        [
            finding(
                "A-1", "ERROR", None, rtype="tenant", message="users.permissions was not collected"
            )
        ]
    )
    report = _report(tmp_path, doc)
    assert _one(report) == ("ERROR", "ERROR")
    undecided = report.requirements[0].checks[0].undecided
    assert [(u.status, u.message) for u in undecided] == [
        ("ERROR", "users.permissions was not collected")
    ]


def test_an_exception_cannot_stand_in_for_missing_data(tmp_path: Path) -> None:
    doc = document([finding("A-1", "ERROR", exception=exception())])
    assert _one(_report(tmp_path, doc)) == ("ERROR", "ERROR")


def test_failure_outranks_error(tmp_path: Path) -> None:
    doc = document([finding("A-1", "ERROR", "u1"), finding("A-1", "FAIL", "u2")])
    assert _one(_report(tmp_path, doc)) == ("FAIL", "FAIL")


def test_manual_finding_keeps_the_requirement_open(tmp_path: Path) -> None:
    doc = document([finding("A-1", "MANUAL", None, rtype="tenant", message="needs attestation")])
    report = _report(tmp_path, doc)
    assert _one(report) == ("MANUAL", "MANUAL")
    assert report.requirements[0].open and not report.requirements[0].manual
    assert report.open_manual == report.requirements


def test_not_applicable_only(tmp_path: Path) -> None:
    doc = document(
        [finding("A-1", "NOT_APPLICABLE", None, rtype="tenant", message="not on hubspot")]
    )
    report = _report(tmp_path, doc)
    assert _one(report) == ("NOT_APPLICABLE", "NOT_APPLICABLE")
    assert report.requirements[0].checks[0].not_applicable == "not on hubspot"


def test_check_with_no_resource_is_not_applicable(tmp_path: Path) -> None:
    doc = document([], checks=["A-1"])
    assert _one(_report(tmp_path, doc)) == ("NOT_APPLICABLE", "NOT_APPLICABLE")


def test_check_not_in_the_scan_is_not_run_and_open(tmp_path: Path) -> None:
    doc = document([], checks=["B-1"], passed={"B-1": [("u1", "ann")]})
    fw = framework(("R1", ["A-1", "B-1"]))
    report = _report(tmp_path, doc, fw)
    requirement = report.requirements[0]
    assert [c.outcome for c in requirement.checks] == ["NOT_RUN", "PASS"]
    assert requirement.status == "MANUAL"
    assert "1 did not run in this scan" in requirement.reason


# -- a requirement's status from several checks -------------------------------------------


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        ({"A-1": "FAIL", "B-1": "ERROR", "C-1": "MANUAL"}, "FAIL"),
        ({"A-1": "PASS", "B-1": "ERROR", "C-1": "MANUAL"}, "ERROR"),
        ({"A-1": "PASS", "B-1": "MANUAL", "C-1": "NOT_APPLICABLE"}, "MANUAL"),
        ({"A-1": "PASS", "B-1": "PASS", "C-1": "NOT_APPLICABLE"}, "PASS"),
        (
            {"A-1": "NOT_APPLICABLE", "B-1": "NOT_APPLICABLE", "C-1": "NOT_APPLICABLE"},
            "NOT_APPLICABLE",
        ),
    ],
)
def test_requirement_takes_the_worst_check(
    tmp_path: Path, outcomes: dict[str, str], expected: str
) -> None:
    findings, passed = [], {}
    for check_id, outcome in outcomes.items():
        if outcome == "PASS":
            passed[check_id] = [("u1", "ann")]
        else:
            findings.append(finding(check_id, outcome, None, rtype="tenant"))
    fw = framework(("R1", list(outcomes)))
    report = _report(tmp_path, document(findings, passed=passed), fw)
    assert [c.outcome for c in report.requirements[0].checks] == list(outcomes.values())
    assert report.requirements[0].status == expected
    assert report.summary[expected] == 1 and sum(report.summary.values()) == 1


def test_requirement_without_check_is_an_open_manual_requirement(tmp_path: Path) -> None:
    fw = framework(("R1", ["A-1"]), ("R2", []))
    report = _report(tmp_path, document([], passed={"A-1": [("u1", "ann")]}), fw)
    manual = report.requirements[1]
    assert (manual.status, manual.manual, manual.open) == ("MANUAL", True, True)
    assert "no automated check" in manual.reason
    assert report.open_manual == [manual]
    assert report.summary == {"FAIL": 0, "ERROR": 0, "MANUAL": 1, "PASS": 1, "NOT_APPLICABLE": 0}


# -- attestations ------------------------------------------------------------------------

GOV = CheckSpec(
    id="GOV-003",
    title="Backups attested",
    severity="medium",
    resource="tenant",
    message="No current attestation",
    remediation="attest",
    manual=True,
    attestation={"max_age_days": {"param": "governance.backup_attestation_max_age_days"}},
)
PARAMS = {"GOV-003": {"governance.backup_attestation_max_age_days": 365}}


def test_current_attestation_passes_with_its_age_and_evidence(tmp_path: Path) -> None:
    attested = finding(
        "GOV-003", "PASS", None, rtype="tenant", attestation=attestation("2026-09-01")
    )
    doc = document([attested], parameters=PARAMS)
    report = _report(tmp_path, doc, framework(("A.8.13", ["GOV-003"])), {"GOV-003": GOV})
    assert _one(report) == ("PASS", "PASS")
    (item,) = report.requirements[0].attestations
    assert item.age_days == 83  # 2026-09-01 .. 2026-11-23, the scan's clock
    assert item.max_age_days == 365 and item.current
    assert item.attested_by == "it-ops@example.com" and item.outcome == "pass"
    assert item.evidence_url == "https://wiki.example/backup-restore-2026"
    assert "policy/00-baseline.yaml" in [link.path for link in report.requirements[0].proof]


def test_stale_attestation_is_open(tmp_path: Path) -> None:
    stale = finding(
        "GOV-003",
        "MANUAL",
        None,
        rtype="tenant",
        message="attestation of 2025-01-10 is 682 days old (older than 365 days): attest again.",
        attestation=attestation("2025-01-10"),
    )
    doc = document([stale], parameters=PARAMS)
    report = _report(tmp_path, doc, framework(("A.8.13", ["GOV-003"])), {"GOV-003": GOV})
    assert _one(report) == ("MANUAL", "MANUAL")
    (item,) = report.requirements[0].attestations
    assert (item.age_days, item.current) == (682, False)
    assert report.open_manual == report.requirements


def test_attested_failure_fails(tmp_path: Path) -> None:
    failed = finding(
        "GOV-003", "FAIL", None, rtype="tenant", attestation=attestation(outcome="fail")
    )
    report = _report(tmp_path, document([failed]), framework(("A.8.13", ["GOV-003"])))
    assert _one(report) == ("FAIL", "FAIL")
    assert report.requirements[0].attestations[0].outcome == "fail"
    assert report.requirements[0].attestations[0].max_age_days is None  # check not in catalog


def test_evidence_that_is_not_a_url_stays_text(tmp_path: Path) -> None:
    attested = finding(
        "GOV-003",
        "PASS",
        None,
        rtype="tenant",
        attestation=attestation(evidence="javascript:alert(1)"),
    )
    report = _report(tmp_path, document([attested]), framework(("R", ["GOV-003"])))
    item = report.requirements[0].attestations[0]
    assert item.evidence == "javascript:alert(1)" and item.evidence_url is None


# -- schema versions -----------------------------------------------------------------------


def test_schema_1_1_and_2_0_give_the_same_report(tmp_path: Path) -> None:
    findings = [
        finding("A-1", "FAIL", "u2", "bob"),
        finding("B-1", "FAIL", "u3", exception=exception()),
    ]
    passed = {"A-1": [("u1", "ann"), ("u4", "dan")], "B-1": [("u1", "ann")]}
    fw = framework(("R1", ["A-1"]), ("R2", ["B-1"]), ("R3", []))
    (tmp_path / "old").mkdir()
    old = _report(tmp_path / "old", document(findings, passed=passed, version="1.1"), fw)
    new = _report(tmp_path, document(findings, passed=passed, version="2.0"), fw)
    assert old.requirements == new.requirements
    assert [c.passed for r in new.requirements for c in r.checks] == [2, 1]


# -- attestations of manual requirements (no check mapped) -------------------------------------

MANUAL_FW = framework(("CC6.4", []), ("CC6.5", []), ("CC6.6", []), ("CC6.7", []))


def test_manual_requirements_closed_or_left_open_by_their_attestation(tmp_path: Path) -> None:
    attested = {
        "CC6.4": attestation("2026-10-01", control="test-fw:CC6.4"),
        "CC6.5": attestation("2025-10-01", control="test-fw:CC6.5"),  # 418 days: too old
        "CC6.6": attestation("2026-11-01", outcome="fail", control="test-fw:CC6.6"),
    }
    view = read_result(save(document([]), tmp_path))
    report = build_report(MANUAL_FW, view, {}, requirement_attestations=attested)
    current, stale, failed, missing = report.requirements
    assert (current.status, current.attested and current.attested.age_days) == ("PASS", 53)
    assert current.attestations == [current.attested] and current.attested.current
    assert "attested pass by it-ops@example.com on 2026-10-01" in current.reason
    assert (stale.status, stale.attested and stale.attested.current) == ("MANUAL", False)
    assert "418 days old" in stale.reason and "attest again" in stale.reason
    assert failed.status == "FAIL"
    assert missing.status == "MANUAL" and "'test-fw:CC6.7'" in missing.reason
    assert report.open_manual == [stale, missing]


def test_an_attestation_after_the_scan_does_not_count(tmp_path: Path) -> None:
    later = {"CC6.4": attestation("2026-11-30", control="test-fw:CC6.4")}
    view = read_result(save(document([]), tmp_path))
    report = build_report(MANUAL_FW, view, {}, requirement_attestations=later)
    assert report.requirements[0].status == "MANUAL"
    assert "dated after the scan" in report.requirements[0].reason


def test_a_requirement_with_checks_is_decided_by_them_not_by_its_attestation(
    tmp_path: Path,
) -> None:
    view = read_result(save(document([finding("A-1", "FAIL")]), tmp_path))
    attested = {"R1": attestation(control="test-fw:R1")}
    report = build_report(FW, view, {}, requirement_attestations=attested)
    assert report.requirements[0].status == "FAIL" and report.requirements[0].attested is None
