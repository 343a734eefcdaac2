"""The scan pipeline, in one place: collect → evaluate → result → snapshot, evidence,
history, report files.

The CLI (``scan``, ``demo``, ``scan --config``) and any worker call the same two
functions: `collect` runs a platform adapter, `run_scan` judges an inventory and keeps
or writes everything the request asks for. Neither prints: they return a `ScanOutcome`
and the caller decides what to show.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from scanner.adapter_api import (
    ADAPTERS,
    Adapter,
    CollectionScope,
    NullProgress,
    ProgressReporter,
)
from scanner.engine.scan import ScanResult, collection_scope, evaluate, run_checks, select_checks
from scanner.errors import ConfigError
from scanner.evidence.bundle import load_private_key, write_scan_bundle
from scanner.evidence.raw import RawCapture, capturing
from scanner.language.check_spec import load_checks
from scanner.language.frameworks import find_framework, load_frameworks
from scanner.language.policy import Policy, load_policy
from scanner.model.inventory import Inventory
from scanner.model.snapshot import save_snapshot
from scanner.outputs import FORMATS, Document, write_report
from scanner.results.diff import ScanDiff
from scanner.results.document import to_document
from scanner.store import history

#: Where report files go when no folder is named.
DEFAULT_OUT = Path("crmscan-report")


@dataclass(frozen=True)
class ScanRequest:
    """What to evaluate and what to keep, independent of how it was asked for.

    ``formats`` names report files to write into ``out_dir`` (console is not a file
    format: callers print the outcome themselves). ``None`` paths mean "do not keep".
    """

    policy_ref: str | None = None
    check_ids: tuple[str, ...] = ()
    check_dirs: tuple[Path, ...] = ()
    framework: str | None = None
    formats: tuple[str, ...] = ()
    out_dir: Path = DEFAULT_OUT
    fail_on: str = "low"
    save_snapshot: Path | None = None
    evidence: Path | None = None
    evidence_key: Path | None = None
    history: Path | None = None
    now: datetime | None = None

    def policy(self) -> Policy:
        """The policy this request names (default: baseline)."""
        return load_policy(self.policy_ref)


@dataclass
class ScanOutcome:
    """What one run of the pipeline produced."""

    result: ScanResult
    document: Document
    exit_code: int
    written: list[Path] = field(default_factory=list)
    evidence_manifest: Path | None = None
    history_path: Path | None = None
    changes: ScanDiff | None = None


def check_formats(names: tuple[str, ...]) -> None:
    """Refuse unknown report format names before anything is collected."""
    known = FORMATS.names()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ConfigError(f"unknown format(s) {', '.join(unknown)}; known: {', '.join(known)}")


def collect(
    platform: str,
    flags: Mapping[str, Any],
    policy: Policy,
    progress: ProgressReporter | None = None,
    environ: Mapping[str, str] | None = None,
    timeout: float | None = None,
    *,
    capture_raw: bool = False,
) -> Inventory:
    """Run the ``platform`` adapter with options from ``flags``, then ``environ``.

    ``timeout`` (seconds, ``--timeout``) is the whole collection's deadline: past it the
    adapter records what is left as gaps and returns instead of waiting on the CRM.
    ``capture_raw`` (an evidence bundle is asked for) keeps the redacted raw API
    responses in ``Inventory.raw`` (`scanner.evidence.raw`); without it none is kept.
    """
    if timeout is not None and not timeout > 0:
        raise ConfigError(f"--timeout must be a positive number of seconds, got {timeout}")
    adapter_class = ADAPTERS.get(platform)
    values = {k: (None if v is None else str(v)) for k, v in flags.items()}
    settings = adapter_class.settings_from(values, os.environ if environ is None else environ)
    adapter = adapter_class(settings)
    scope = collection_scope(policy, settings.get("health_check_baseline"))
    if timeout is not None:
        scope = dataclasses.replace(scope, deadline=time.monotonic() + timeout)
    return _run(adapter, scope, progress, capture_raw)


def collect_demo(
    platform: str,
    policy: Policy,
    progress: ProgressReporter | None = None,
    *,
    capture_raw: bool = False,
) -> Inventory:
    """Collect the bundled offline sample org of ``platform`` through its adapter."""
    adapter = ADAPTERS.get(platform).demo()
    if adapter is None:
        raise ConfigError(f"the {platform} adapter ships no sample org")
    return _run(adapter, collection_scope(policy), progress, capture_raw)


def _run(
    adapter: Adapter, scope: CollectionScope, progress: ProgressReporter | None, capture_raw: bool
) -> Inventory:
    """``adapter.collect``, inside a raw capture when asked, with its declarations."""
    capture = RawCapture() if capture_raw else None
    with capturing(capture):
        inventory = adapter.collect(scope, progress or NullProgress())
    inventory.raw = capture
    if not inventory.capabilities:
        inventory.capabilities = list(adapter.capabilities)
    return inventory


def _judge(
    inventory: Inventory, policy: Policy, request: ScanRequest
) -> tuple[ScanResult, Document]:
    if request.framework is None:
        result = run_checks(inventory, policy, request.check_ids, request.check_dirs, request.now)
        return result, to_document(result, request.fail_on)
    specs = load_checks(request.check_dirs)
    frameworks = load_frameworks(specs, request.check_dirs)
    chosen = find_framework(frameworks, request.framework)
    in_framework = {i: specs[i] for i in chosen.check_ids()}
    selected = select_checks(in_framework, policy, request.check_ids or chosen.check_ids())
    result = evaluate(inventory, policy, selected, request.now)
    return result, to_document(result, request.fail_on, frameworks, [chosen.id])


def run_scan(inventory: Inventory, policy: Policy, request: ScanRequest) -> ScanOutcome:
    """Evaluate ``inventory`` under ``policy`` and keep what ``request`` asks for.

    Order: snapshot (so the collection survives an evaluation error), evaluation and
    result document, evidence bundle, history, report files.
    """
    check_formats(request.formats)
    if request.evidence_key is not None and request.evidence is None:
        raise ConfigError("--evidence-key signs an evidence bundle: give --evidence DIR too")
    if request.save_snapshot is not None:
        save_snapshot(inventory, request.save_snapshot)
    result, document = _judge(inventory, policy, request)
    outcome = ScanOutcome(result, document, result.exit_code(request.fail_on))
    if request.evidence is not None:
        key = load_private_key(request.evidence_key) if request.evidence_key else None
        outcome.evidence_manifest = write_scan_bundle(request.evidence, result, document, key)
    if request.history is not None:
        outcome.history_path, outcome.changes = history.record(request.history, document)
    for name in request.formats:
        outcome.written.append(write_report(document, name, request.out_dir))
    return outcome
