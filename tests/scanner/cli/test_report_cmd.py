"""``crmscan scan --format ...`` and ``crmscan report RESULT.json``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from benchmarks.synthetic_org import make_inventory
from scanner.cli import cli
from scanner.model.snapshot import save_snapshot

ALL = "json,csv,ocsf,sarif,junit,md,html"
FILES = {
    "crmscan-results.json",
    "crmscan-findings.csv",
    "crmscan-ocsf.json",
    "crmscan.sarif",
    "crmscan-junit.xml",
    "crmscan-summary.md",
    "crmscan-report.html",
}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with every format, written by ``crmscan scan --snapshot``."""
    root = tmp_path_factory.mktemp("scan")
    snapshot = root / "snap.json"
    save_snapshot(make_inventory(), snapshot)
    out = root / "out"
    result = CliRunner().invoke(
        cli, ["scan", "--snapshot", str(snapshot), "--format", ALL, "--out", str(out)]
    )
    assert result.exit_code == 1, result.output  # the synthetic org fails the gate
    return out


def test_scan_writes_every_format(scanned: Path) -> None:
    assert {p.name for p in scanned.iterdir()} == FILES


def test_report_renders_a_saved_result_identically(scanned: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["report", str(scanned / "crmscan-results.json"), "--format", ALL, "--out", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (scanned / name).read_bytes(), name


def test_report_prints_the_console_view_by_default(scanned: Path) -> None:
    result = CliRunner().invoke(cli, ["report", str(scanned / "crmscan-results.json")])
    assert result.exit_code == 0, result.output
    assert "Synthetic Org" in result.output and "gate failed" in result.output


def test_malformed_result_names_file_line_and_field(scanned: Path, tmp_path: Path) -> None:
    document = json.loads((scanned / "crmscan-results.json").read_text("utf-8"))
    document["findings"][2]["severity"] = "catastrophic"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document, indent=2), "utf-8")
    result = CliRunner().invoke(
        cli, ["report", str(bad), "--format", "html", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    line = next(
        i + 1
        for i, text in enumerate(bad.read_text("utf-8").splitlines())
        if "catastrophic" in text
    )
    assert f"{bad}:{line} at /findings/2/severity" in result.output
    assert "catastrophic" in result.output
    assert not (tmp_path / "crmscan-report.html").exists()


@pytest.mark.parametrize(
    ("content", "problem"),
    [("{not json", "not valid JSON"), ("[1, 2]", "must be a JSON object")],
)
def test_unreadable_result_is_a_usage_error(tmp_path: Path, content: str, problem: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, "utf-8")
    result = CliRunner().invoke(cli, ["report", str(bad)])
    assert result.exit_code == 2 and problem in result.output


def test_missing_file_and_unknown_format(tmp_path: Path, scanned: Path) -> None:
    result = CliRunner().invoke(cli, ["report", str(tmp_path / "nope.json")])
    assert result.exit_code == 2 and "file not found" in result.output
    result = CliRunner().invoke(
        cli, ["report", str(scanned / "crmscan-results.json"), "--format", "pdf"]
    )
    assert result.exit_code == 2 and "unknown format" in result.output


def test_report_to_standard_output(scanned: Path) -> None:
    saved = str(scanned / "crmscan-results.json")
    result = CliRunner().invoke(cli, ["report", saved, "--format", "md", "--out", "-"])
    assert result.exit_code == 0, result.output
    assert result.output == (scanned / "crmscan-summary.md").read_text("utf-8")
    result = CliRunner().invoke(cli, ["report", saved, "--format", "md,csv", "--out", "-"])
    assert result.exit_code == 2 and "exactly one report format" in result.output
