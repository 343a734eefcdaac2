"""Schema 2.0: compact PASS verdicts, the reader over every version, --full-pass."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scanner.cli import cli
from scanner.documents import parse_text, validate
from scanner.outputs import FORMATS, write_report
from scanner.results.diff import diff_documents
from scanner.results.loading import load_result
from scanner.results.reader import read
from tests.scanner.outputs.conftest import build_document

FIXTURE_1_1 = Path(__file__).parent / "data" / "result-1.1.json"


@pytest.fixture(scope="module")
def old() -> dict[str, Any]:
    """A 1.1 result written by the previous crmscan (see data/README.md)."""
    loaded: dict[str, Any] = json.loads(FIXTURE_1_1.read_text("utf-8"))
    assert loaded["schema_version"] == "1.1"
    return loaded


@pytest.fixture(scope="module")
def current() -> dict[str, Any]:
    return build_document()


def _validate(document: dict[str, Any]) -> None:
    validate(parse_text(json.dumps(document), "result.json"), "result")


def _verdicts(document: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return sorted(
        (f["check_id"], f["resource"]["type"], str(f["resource"]["id"]), f["status"])
        for f in read(document).every_finding()
    )


def test_pass_verdicts_are_compact_and_complete(current: dict[str, Any]) -> None:
    _validate(current)
    assert current["pass_detail"] == "compact"
    assert {f["status"] for f in current["findings"]} == {"FAIL", "ERROR", "MANUAL"}
    passed = {p["check_id"]: p for p in current["passed"]}
    assert passed["AUTH-002"]["count"] == len(passed["AUTH-002"]["resources"]) == 46
    assert passed["AUTH-002"]["resources"][0] == ["005000000000001", "user1@synthetic.example"]
    reader = read(current)
    assert reader.finding_count() == current["summary"]["findings"]
    assert reader.pass_count() == current["summary"]["by_status"]["PASS"]


def test_the_reader_reads_1_1_and_2_0_alike(old: dict[str, Any], current: dict[str, Any]) -> None:
    assert _verdicts(old) == _verdicts(current)
    old_passed = {(p.check_id, p.resource_type, tuple(p.resources)) for p in read(old).passed()}
    new_passed = {(p.check_id, p.resource_type, tuple(p.resources)) for p in read(current).passed()}
    assert old_passed == new_passed
    attention = [f["message"] for f in read(current).attention()]
    assert attention == [f["message"] for f in read(old).attention()]


def test_full_pass_keeps_every_pass_in_full(old: dict[str, Any]) -> None:
    document = build_document(full_pass=True)
    _validate(document)
    assert document["pass_detail"] == "full" and document["passed"] == []
    pass_findings = [f for f in document["findings"] if f["status"] == "PASS"]
    assert len(pass_findings) == document["summary"]["by_status"]["PASS"]
    assert all(f["evidence"] for f in pass_findings), "the observed values that passed"
    assert _verdicts(document) == _verdicts(old)


def test_extra_keys_are_kept(current: dict[str, Any], tmp_path: Path) -> None:
    """Other branches add evidence.records and a top-level trend: the schema stays open."""
    document = json.loads(json.dumps(current))
    document["findings"][0]["evidence"]["records"] = [{"collection": "users", "id": "005X"}]
    trend = [{"scanned_at": "2026-11-30T12:00:00Z", "by_status": {"FAIL": 3}, "score": 71.5}]
    document["trend"] = trend
    document["x_extension"] = {"scans": 3}
    path = tmp_path / "r.json"
    path.write_text(json.dumps(document), "utf-8")
    loaded = load_result(path)
    assert loaded["trend"] == trend and loaded["x_extension"] == {"scans": 3}
    first = next(read(loaded).attention())
    assert first["evidence"]["records"] == [{"collection": "users", "id": "005X"}]


@pytest.mark.parametrize("name", FORMATS.names())
def test_every_format_writes_a_2_0_document(
    name: str, current: dict[str, Any], tmp_path: Path
) -> None:
    path = write_report(current, name, tmp_path)
    text = path.read_text("utf-8")
    assert "user1@synthetic.example" in text or name in ("sarif", "md", "console", "html")
    if name == "json":
        assert json.loads(text) == json.loads(json.dumps(current))


def test_indent_is_only_a_layout(current: dict[str, Any], tmp_path: Path) -> None:
    compact = write_report(current, "json", tmp_path / "a").read_bytes()
    indented = write_report(current, "json", tmp_path / "b", indent=True).read_bytes()
    assert b"\n" not in compact.rstrip(b"\n") and indented.count(b"\n") > 100
    assert json.loads(compact) == json.loads(indented)
    expected = json.dumps(current, indent=2, ensure_ascii=False) + "\n"
    assert indented.decode("utf-8") == expected


def test_report_reads_a_1_1_result_of_the_previous_version(tmp_path: Path) -> None:
    out = tmp_path / "out"
    names = ",".join(n for n in FORMATS.names())
    shown = CliRunner().invoke(
        cli, ["report", str(FIXTURE_1_1), "--format", names, "--out", str(out)]
    )
    assert shown.exit_code == 0, shown.output
    assert "AUTH-002" in shown.output
    written = {p.name for p in out.iterdir()}
    assert len(written) == len(FORMATS.names()) - 1  # console is printed
    text = (out / "crmscan-findings.csv").read_text("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 1 + 56  # a 1.1 document keeps its PASS findings: one row each
    again = json.loads((out / "crmscan-results.json").read_text("utf-8"))
    assert again["schema_version"] == "1.1" and len(again["findings"]) == 56


def test_diff_reads_a_1_1_result_against_a_2_0_result(
    old: dict[str, Any], current: dict[str, Any], tmp_path: Path
) -> None:
    changes = diff_documents(old, current)
    assert not changes.new_failures and not changes.fixed and not changes.new_errors
    assert len(changes.still_failing) == 5
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(current), "utf-8")
    result = CliRunner().invoke(cli, ["diff", str(FIXTURE_1_1), str(newer), "--format", "json"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)["counts"]
    assert counts == {
        "new_failures": 0,
        "fixed": 0,
        "still_failing": 5,
        "new_errors": 0,
        "resolved_errors": 0,
    }


def test_diff_sees_a_fix_among_compact_passes(old: dict[str, Any], current: dict[str, Any]) -> None:
    """A resource that failed in 1.1 and is a compact PASS in 2.0 is fixed."""
    failing = next(f for f in old["findings"] if f["status"] == "FAIL" and not f["exception"])
    newer = json.loads(json.dumps(current))
    newer["findings"] = [
        f
        for f in newer["findings"]
        if f["resource"]["id"] != failing["resource"]["id"] or f["check_id"] != failing["check_id"]
    ]
    entry = next(p for p in newer["passed"] if p["check_id"] == failing["check_id"])
    entry["resources"].append([failing["resource"]["id"], failing["resource"]["name"]])
    entry["count"] += 1
    changes = diff_documents(old, newer)
    [fixed] = changes.fixed
    assert fixed["status"] == "PASS" and fixed["resource"]["id"] == failing["resource"]["id"]
    assert fixed["compact"] is True


def test_a_passed_entry_for_an_unknown_check_is_refused(
    current: dict[str, Any], tmp_path: Path
) -> None:
    document = json.loads(json.dumps(current))
    document["passed"][0]["check_id"] = "NOPE-1"
    path = tmp_path / "r.json"
    path.write_text(json.dumps(document), "utf-8")
    result = CliRunner().invoke(cli, ["report", str(path)])
    assert result.exit_code == 2 and "NOPE-1" in result.output
