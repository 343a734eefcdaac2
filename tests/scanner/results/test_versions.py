"""Result documents 1.0 and 1.1: both validate, render and diff; 1.1 carries the grouping."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scanner.cli import cli
from scanner.documents import parse_text, validate
from scanner.engine.scan import run_checks
from scanner.errors import InputFileError
from scanner.language.policy import load_policy
from scanner.model.snapshot import load_snapshot
from scanner.results.document import RESULT_SCHEMA_VERSION, to_document
from scanner.results.grouping import coverage, finding_groups, groups_of
from scanner.results.reader import read
from tests.helpers import NOW

FIXTURE = (
    Path(__file__).parents[2]
    / "checks"
    / "fixtures"
    / "PRIV-002"
    / "hubspot_role_permissions_no_api"
)


@pytest.fixture(scope="module")
def current() -> dict[str, Any]:
    """A 1.1 document: HubSpot with a grouped MANUAL and a known FAIL."""
    inventory = load_snapshot(FIXTURE / "inventory.yaml")
    result = run_checks(inventory, load_policy(), ["PRIV-002", "AUTH-009"], now=NOW)
    return to_document(result, "low")


def as_1_0(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` as crmscan 1.0 wrote it: no groups, capabilities or coverage (and no
    2.0 fields: this document has no compact PASS to move back into ``findings``)."""
    old = copy.deepcopy(document)
    assert not old["passed"]
    old["schema_version"] = "1.0"
    old["findings"] = list(read(document).findings())
    del old["groups"], old["capabilities"], old["summary"]["coverage"]
    del old["passed"], old["pass_detail"], old["as_of"]
    return old


def _validate(document: dict[str, Any]) -> None:
    validate(parse_text(json.dumps(document), "result.json"), "result")


def test_the_current_version_is_2_0_and_validates(current: dict[str, Any]) -> None:
    assert RESULT_SCHEMA_VERSION == "2.0" == current["schema_version"]
    _validate(current)
    assert {c["collection"] for c in current["capabilities"]} == {"users.permissions"}


def test_every_finding_is_kept_beside_the_groups(current: dict[str, Any]) -> None:
    statuses = sorted(f["status"] for f in current["findings"])
    assert statuses == ["FAIL", "MANUAL", "NOT_APPLICABLE"]
    [group] = current["groups"]
    assert group["check_id"] == "PRIV-002" and group["status"] == "MANUAL"
    assert group["findings"] == 1 and group["resources"] == 2
    assert group["examples"] == ["h2@fx.test", "h3@fx.test"]
    assert group["cause"]["collection"] == "users.permissions"


def test_coverage_counts_resources(current: dict[str, Any]) -> None:
    priv = current["summary"]["coverage"]["domains"]["PRIV"]
    assert priv == {"decided": 1, "undecided": 2, "not_applicable": 0, "share": 33.3}
    assert current["summary"]["coverage"]["domains"]["AUTH"]["share"] is None


def test_a_1_0_document_still_validates_and_gets_its_groups_computed(
    current: dict[str, Any],
) -> None:
    old = as_1_0(current)
    _validate(old)
    assert groups_of(old) == current["groups"]


def test_a_1_1_document_without_groups_is_refused(current: dict[str, Any]) -> None:
    broken = copy.deepcopy(current)
    del broken["groups"]
    with pytest.raises(InputFileError, match="groups"):
        _validate(broken)


@pytest.mark.parametrize("version", ["1.0", "2.0"])
def test_report_and_diff_read_both_versions(
    version: str, current: dict[str, Any], tmp_path: Path
) -> None:
    document = current if version == "2.0" else as_1_0(current)
    path = tmp_path / "result.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    runner = CliRunner()
    shown = runner.invoke(
        cli, ["report", str(path), "--format", "console,md,html", "--out", str(tmp_path)]
    )
    assert shown.exit_code == 0, shown.output
    assert "2 users undecided" in shown.output
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(current), encoding="utf-8")
    compared = runner.invoke(cli, ["diff", str(path), str(newer), "--format", "json"])
    assert compared.exit_code == 0, compared.output
    assert json.loads(compared.output)["counts"]["new_failures"] == 0


def test_groups_merge_per_resource_errors_by_cause() -> None:
    findings = [
        {
            "check_id": "X-1",
            "status": "ERROR",
            "severity": "high",
            "domain": "X",
            "resource": {"type": "users", "id": f"u{i}", "name": f"user{i}"},
            "message": "cannot decide the verdict: not collected: mfa",
            "evidence": {},
        }
        for i in range(7)
    ]
    findings.append({**findings[0], "status": "FAIL", "message": "user0 fails"})
    [group] = finding_groups(findings)
    assert group["findings"] == group["resources"] == 7
    assert group["examples"] == [f"user{i}" for i in range(5)]
    assert coverage(findings)["total"] == {
        "decided": 1,
        "undecided": 7,
        "not_applicable": 0,
        "share": 12.5,
    }
