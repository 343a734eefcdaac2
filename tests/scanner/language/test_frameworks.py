"""Framework mappings: loading, validation errors, cross-checks and requirement status."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.errors import ConfigError, InputFileError
from scanner.language.check_spec import load_checks
from scanner.language.frameworks import (
    Requirement,
    check_mappings,
    find_framework,
    framework_report,
    load_framework_file,
    load_frameworks,
    requirement_report,
    shipped_frameworks,
    worst,
)
from tests.checks.test_catalogue import CATALOGUE_IDS

#: Requirements CATALOG.md asks every framework file to cover.
PROMISED = {
    "soc2": ["CC6.1", "CC6.2", "CC6.3", "CC6.6", "CC6.7", "CC6.8", "CC7.2"],
    "iso27001": ["5.15", "5.16", "5.17", "5.18", "8.2", "8.3", "8.5", "8.15", "8.24"],
    "nist-800-53": [
        "AC-2", "AC-2(3)", "AC-5", "AC-6", "AC-6(5)", "AC-6(9)", "AC-12", "IA-2(1)",
        "IA-2(2)", "IA-5", "SC-8", "SC-12", "SC-13", "SC-28", "AU-2", "AU-11",
    ],
    "cis-v8": ["3.10", "3.11", "5.1", "5.3", "5.4", "6.3", "6.5", "6.8"],
    "pci-dss": ["3.5.1", "4.2.1", "7.2.2", "8.3.4", "8.3.6", "8.4.1", "8.4.2"],
    "gdpr": ["Art. 25(1)", "Art. 25(2)", "Art. 32(1)(a)", "Art. 32(1)(b)"],
    "sbs": [
        "SBS-AUTH-001", "SBS-AUTH-002", "SBS-AUTH-003", "SBS-ACS-002", "SBS-ACS-003",
        "SBS-ACS-004", "SBS-ACS-005", "SBS-ACS-006", "SBS-ACS-007", "SBS-ACS-008",
        "SBS-ACS-010", "SBS-OAUTH-001", "SBS-OAUTH-002", "SBS-INT-002", "SBS-INT-003",
        "SBS-INT-004", "SBS-SECCONF-002",
    ],
}  # fmt: skip


def test_shipped_frameworks_cover_the_promised_requirements() -> None:
    frameworks = shipped_frameworks()
    assert sorted(frameworks) == sorted(PROMISED)
    for framework_id, requirement_ids in PROMISED.items():
        present = {r.id for r in frameworks[framework_id].requirements}
        assert set(requirement_ids) <= present, framework_id


def test_every_catalogue_check_evidences_some_requirement() -> None:
    mapped = check_mappings(shipped_frameworks().values())
    assert [c for c in CATALOGUE_IDS if not mapped.get(c)] == []


def test_sbs_references_in_checks_match_the_sbs_mapping() -> None:
    """A check whose text cites an SBS control is mapped to that control."""
    sbs = shipped_frameworks()["sbs"]
    for spec in load_checks().values():
        text = " ".join([spec.description, spec.remediation, str(spec.references)])
        for requirement in sbs.requirements:
            if requirement.id in text and requirement.checks:
                assert spec.id in requirement.checks, (spec.id, requirement.id)


@pytest.mark.parametrize(
    ("outcomes", "status"),
    [
        (["PASS", "FAIL", "ERROR"], "FAIL"),
        (["PASS", "ERROR", "MANUAL"], "ERROR"),
        (["PASS", "MANUAL"], "MANUAL"),
        (["PASS", "NOT_APPLICABLE"], "PASS"),
        (["NOT_APPLICABLE", "NOT_APPLICABLE"], "NOT_APPLICABLE"),
        ([], "MANUAL"),
    ],
)
def test_requirement_status_is_the_worst_outcome(outcomes: list[str], status: str) -> None:
    assert worst(outcomes) == status


def test_requirement_without_checks_is_manual() -> None:
    report = requirement_report(Requirement("X.1", "Physical security", ()), {"AUTH-001": "PASS"})
    assert report["status"] == "MANUAL"
    assert "no automated check" in report["note"]


def test_requirement_whose_checks_did_not_run_is_manual_and_says_so() -> None:
    requirement = Requirement("X.2", "MFA", ("AUTH-001", "AUTH-002"))
    report = requirement_report(requirement, {"AUTH-002": "PASS"})
    assert report["status"] == "PASS"
    assert report["not_run"] == ["AUTH-001"]
    assert requirement_report(requirement, {})["status"] == "MANUAL"


def test_framework_report_counts_every_requirement() -> None:
    framework = shipped_frameworks()["soc2"]
    outcomes = dict.fromkeys(framework.check_ids(), "PASS")
    outcomes["PRIV-004"] = "FAIL"
    report = framework_report(framework, outcomes)
    assert sum(report["summary"].values()) == len(framework.requirements)
    by_id = {r["id"]: r["status"] for r in report["requirements"]}
    assert by_id["CC6.3"] == "FAIL"
    assert by_id["CC6.4"] == "MANUAL"
    assert by_id["CC6.1"] == "PASS"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fw.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_check_id_is_located(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "id: mine\nname: Mine\nversion: '1'\nrequirements:\n"
        "  - id: R1\n    title: First one\n    checks: [AUTH-001, NOPE-999]\n",
    )
    with pytest.raises(InputFileError) as info:
        load_framework_file(path, load_checks())
    message = str(info.value)
    assert "fw.yaml" in message and ":7" in message and "NOPE-999" in message


def test_schema_error_names_the_field(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "id: mine\nname: Mine\nversion: '1'\nrequirements:\n  - id: R1\n    checks: []\n"
    )
    with pytest.raises(InputFileError, match="title"):
        load_framework_file(path)


def test_duplicate_requirement_is_rejected(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "id: mine\nname: Mine\nversion: '1'\nrequirements:\n"
        "  - {id: R1, title: First one, checks: []}\n  - {id: R1, title: Again one, checks: []}\n",
    )
    with pytest.raises(InputFileError, match="listed twice"):
        load_framework_file(path)


def test_extra_folder_adds_a_framework_and_may_not_redefine_one(tmp_path: Path) -> None:
    folder = tmp_path / "frameworks"
    folder.mkdir()
    (folder / "house.yaml").write_text(
        "id: house\nname: House rules\nversion: '2026'\n"
        "requirements: [{id: H1, title: Admins use keys, checks: [AUTH-003]}]\n",
        encoding="utf-8",
    )
    frameworks = load_frameworks(load_checks(), [tmp_path])
    assert frameworks["house"].check_ids() == ["AUTH-003"]
    (folder / "dup.yaml").write_text(
        "id: soc2\nname: Fake\nversion: '1'\nrequirements: [{id: X, title: Xxx, checks: []}]\n",
        encoding="utf-8",
    )
    with pytest.raises(InputFileError, match="already defined"):
        load_frameworks(load_checks(), [tmp_path])


def test_find_framework_is_case_insensitive_and_lists_known_ones() -> None:
    assert find_framework(shipped_frameworks(), "PCI-DSS").id == "pci-dss"
    with pytest.raises(ConfigError, match="soc2"):
        find_framework(shipped_frameworks(), "hipaa")
