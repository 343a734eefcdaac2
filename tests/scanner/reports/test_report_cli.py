"""``crmscan report RESULT --framework NAME``: every shipped framework, options and errors."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import cli
from scanner.language.frameworks import shipped_frameworks

SHIPPED = sorted(shipped_frameworks())


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["report", *args])
    return result.exit_code, result.stdout, result.stderr


def test_every_shipped_framework_renders_from_the_demo(demo_result: Path, tmp_path: Path) -> None:
    assert {"gdpr", "iso27001", "nist-800-53", "pci-dss"} <= set(SHIPPED)
    args = [a for name in SHIPPED for a in ("--framework", name)]
    code, _out, err = _run(
        str(demo_result), *args, "--format", "html,csv,md", "--out", str(tmp_path)
    )
    assert code == 0, err
    outcomes = json.loads(demo_result.read_text("utf-8"))["summary"]["check_outcomes"]
    for name in SHIPPED:
        framework = shipped_frameworks()[name]
        html = (tmp_path / f"crmscan-audit-{name}.html").read_text("utf-8")
        assert html.count('class="requirement ') == len(framework.requirements), name
        rows = list(
            csv.DictReader(
                io.StringIO((tmp_path / f"crmscan-audit-{name}.csv").read_text("utf-8-sig"))
            )
        )
        assert {r["requirement"] for r in rows} == {r.id for r in framework.requirements}, name
        md = (tmp_path / f"crmscan-audit-{name}.md").read_text("utf-8")
        assert md.count("\n## ") == len(framework.requirements) + ("Still open" in md), name
        # A row's check outcome is the engine's outcome for that check.
        for row in rows:
            if row["check_id"]:
                assert row["check_outcome"] == outcomes.get(row["check_id"], "NOT_RUN"), row
        assert f"{name}:" in err


def test_gdpr_on_the_demo_says_what_the_data_checks_found(demo_result: Path) -> None:
    code, out, _ = _run(str(demo_result), "--framework", "GDPR", "--format", "csv", "--out", "-")
    assert code == 0
    rows = {
        (r["requirement"], r["check_id"]): r
        for r in csv.DictReader(io.StringIO(out.removeprefix("\ufeff")))
    }
    storage = rows[("Art. 5(1)(e)", "DATA-007")]
    assert storage["check_outcome"] == "FAIL" and storage["requirement_status"] == "FAIL"
    assert int(storage["failing_count"]) >= 1
    restore = rows[("Art. 32(1)(c)", "GOV-003")]
    assert restore["requirement_status"] == "MANUAL"  # no backup attestation in the demo policy
    assert "raw/data.retention.jsonl" in storage["proof"]


def test_default_format_writes_all_three(demo_result: Path, tmp_path: Path) -> None:
    code, _, err = _run(str(demo_result), "--framework", "pci-dss", "--out", str(tmp_path))
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "crmscan-audit-pci-dss.csv",
        "crmscan-audit-pci-dss.html",
        "crmscan-audit-pci-dss.md",
    ]


def test_evidence_bundle_marks_proof(demo_result: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    (bundle / "policy").mkdir(parents=True)
    (bundle / "results.json").write_bytes(demo_result.read_bytes())
    (bundle / "policy" / "00-baseline.yaml").write_text("name: baseline\n", "utf-8")
    code, out, err = _run(
        str(demo_result),
        "--framework",
        "gdpr",
        "--evidence",
        str(bundle),
        "--format",
        "md",
        "--out",
        "-",
    )
    assert code == 0, err
    assert "`results.json` ✓" in out and "✗ not in bundle" in out
    assert f"`{bundle}`" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # not a word another test registers as a secret (redaction is process-wide)
        (["--framework", "no-such-framework"], "no framework 'no-such-framework'"),
        (["--framework", "gdpr", "--format", "sarif"], "not in sarif"),
        (["--framework", "gdpr", "--format", "html,md", "--out", "-"], "exactly one framework"),
        (["--evidence", "somewhere"], "--evidence and --policy go with --framework"),
        (["--framework", "gdpr", "--evidence", "no-such-bundle"], "not an evidence bundle"),
    ],
)
def test_user_errors_exit_2(demo_result: Path, args: list[str], message: str) -> None:
    code, out, err = _run(str(demo_result), *args)
    assert code == 2
    assert message in err + out
    assert "Traceback" not in err + out


def test_a_damaged_result_is_refused_with_its_location(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": "2.0"}', "utf-8")
    code, out, err = _run(str(bad), "--framework", "gdpr", "--format", "md", "--out", "-")
    assert code == 2 and "bad.json" in err + out and "Traceback" not in err + out


def _policy(folder: Path, **days: int) -> Path:
    """A policy extending baseline that attests soc2 CC6.4 / CC6.5 that many days ago."""
    lines = ["name: audited", "extends: baseline", "attestations:"]
    for requirement, ago in days.items():
        when = (date.today() - timedelta(days=ago)).isoformat()
        lines += [
            f'  - control: "soc2:{requirement.replace("_", ".")}"',
            "    statement: Physical access to the data centre is the CRM vendor's (SOC 2 report reviewed)",
            f"    date: {when}",
            "    attested_by: grc@example.com",
            "    outcome: pass",
            "    evidence: https://grc.example/vendor-soc2-2026",
        ]
    path = folder / "audited.yaml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_policy_attestations_close_manual_requirements(tmp_path: Path) -> None:
    policy = _policy(tmp_path, CC6_4=10, CC6_5=400)
    out = tmp_path / "scan"
    scan = CliRunner().invoke(cli, ["demo", "--policy", str(policy), "--out", str(out)])
    assert scan.exit_code == 0, scan.output
    result = out / "crmscan-results.json"
    args = ["--framework", "soc2", "--format", "csv", "--out", "-"]
    code, csv_out, err = _run(str(result), *args, "--policy", str(policy))
    assert code == 0, err
    rows = {
        r["requirement"]: r for r in csv.DictReader(io.StringIO(csv_out.removeprefix("\ufeff")))
    }
    assert rows["CC6.4"]["requirement_status"] == "PASS"
    assert (
        "grc@example.com" in rows["CC6.4"]["attestations"]
        and "age 10 days" in rows["CC6.4"]["attestations"]
    )
    assert rows["CC6.5"]["requirement_status"] == "MANUAL"
    assert "attest again" in rows["CC6.5"]["requirement_reason"]
    # Without --policy the report cannot see them: still open.
    code, csv_out, _ = _run(str(result), *args)
    rows = {
        r["requirement"]: r for r in csv.DictReader(io.StringIO(csv_out.removeprefix("\ufeff")))
    }
    assert rows["CC6.4"]["requirement_status"] == "MANUAL"
    assert "soc2:CC6.4" in rows["CC6.4"]["requirement_reason"]


def test_a_policy_that_did_not_judge_the_scan_is_refused(demo_result: Path, tmp_path: Path) -> None:
    policy = _policy(tmp_path, CC6_4=10)
    code, out, err = _run(str(demo_result), "--framework", "soc2", "--policy", str(policy))
    assert code == 2
    assert "only the policy that judged the scan" in err + out
