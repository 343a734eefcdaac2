"""The pipeline loads, judges and reports with the cyclic collector paused, and leaves it
on afterwards (`scanner.memory`)."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

import scanner.pipeline as pipeline
from benchmarks.synthetic_org import make_inventory
from scanner.language.policy import load_policy
from scanner.model.snapshot import save_snapshot


def _recording(real: Any, seen: list[bool]) -> Any:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    return wrapped


def test_run_scan_judges_and_writes_with_the_collector_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gc.enable()
    seen: list[bool] = []
    monkeypatch.setattr(pipeline, "to_document", _recording(pipeline.to_document, seen))
    monkeypatch.setattr(pipeline, "write_report", _recording(pipeline.write_report, seen))
    request = pipeline.ScanRequest(formats=("json", "html"), out_dir=tmp_path)
    outcome = pipeline.run_scan(make_inventory(users=60), load_policy(), request)
    assert seen == [False, False, False]
    assert gc.isenabled()
    assert [p.name for p in outcome.written] == ["crmscan-results.json", "crmscan-report.html"]


def test_a_failing_scan_turns_the_collector_on_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gc.enable()

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("judging failed")

    monkeypatch.setattr(pipeline, "to_document", broken)
    request = pipeline.ScanRequest(formats=("json",), out_dir=tmp_path)
    with pytest.raises(RuntimeError):
        pipeline.run_scan(make_inventory(users=5), load_policy(), request)
    assert gc.isenabled()


def test_snapshots_and_collections_load_with_the_collector_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gc.enable()
    path = save_snapshot(make_inventory(users=10), tmp_path / "inventory.json")
    seen: list[bool] = []
    monkeypatch.setattr(pipeline, "load_snapshot", _recording(pipeline.load_snapshot, seen))
    monkeypatch.setattr(
        pipeline, "redacted_inventory", _recording(pipeline.redacted_inventory, seen)
    )
    assert pipeline.load_inventory(path).users
    pipeline.collect_demo("salesforce", load_policy())
    assert seen == [False, False]
    assert gc.isenabled()
