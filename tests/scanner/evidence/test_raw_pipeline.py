"""The pipeline keeps raw evidence only when an evidence bundle is asked for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scanner import pipeline
from scanner.adapter_api import ADAPTERS
from scanner.cli import cli
from scanner.language.policy import load_policy
from tests.adapters.raw_evidence import assert_raw_evidence

DEMOS = [name for name, adapter in ADAPTERS if adapter.has_demo()]


@pytest.mark.parametrize("platform", DEMOS)
def test_every_demo_yields_raw_evidence_that_its_findings_point_into(platform: str) -> None:
    policy = load_policy("baseline")
    inventory = pipeline.collect_demo(platform, policy, capture_raw=True)
    assert inventory.raw is not None
    assert_raw_evidence(
        inventory, inventory.raw.files(), collections=("users", "permission_sets"), secrets=()
    )
    assert pipeline.collect_demo(platform, policy).raw is None


def test_demo_with_evidence_hands_the_raw_files_to_the_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Any] = []
    write_scan_bundle = pipeline.write_scan_bundle

    def spy(folder: Path, result: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(result.inventory.raw)
        return write_scan_bundle(folder, result, *args, **kwargs)

    monkeypatch.setattr(pipeline, "write_scan_bundle", spy)
    out = tmp_path / "out"
    args = ["demo", "--out", str(out), "--evidence", str(tmp_path / "evidence")]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    [capture] = seen
    assert capture is not None and "raw/users.jsonl" in capture.files()
    assert (tmp_path / "evidence" / "raw" / "users.jsonl").is_file()  # in the bundle, sealed
    seen.clear()
    result = CliRunner().invoke(cli, ["demo", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0 and not seen
