"""The scan pipeline, in one place: collect → evaluate → result → snapshot, store,
evidence, history, report files.

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
from scanner.errors import EXIT_GATE_FAILED, EXIT_INCOMPLETE, EXIT_OK, ConfigError
from scanner.evidence.bundle import load_private_key, write_scan_bundle
from scanner.evidence.raw import RawCapture, capturing
from scanner.language.check_spec import SEVERITIES, load_checks
from scanner.language.frameworks import find_framework, load_frameworks
from scanner.language.policy import Policy, load_policy
from scanner.memory import collector_paused
from scanner.model.inventory import Inventory
from scanner.model.snapshot import load_snapshot, redacted_inventory, save_snapshot
from scanner.outputs import FORMATS, Document, write_report
from scanner.results.diff import ScanDiff
from scanner.results.document import to_document
from scanner.store import ScanDelta, history, open_store

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
    #: The scan's clock (``--as-of``): verdicts are judged as of this time (default: now).
    now: datetime | None = None
    #: Keep every PASS verdict in full in the result (``--full-pass``).
    full_pass: bool = False
    #: Indent JSON report files (``--indent``).
    indent: bool = False
    #: Posture store to record into (path or ``postgresql://`` URL; docs/store.md).
    store: str | None = None
    #: The target's name in the store (default ``<platform>:<tenant id>``).
    store_target: str | None = None
    #: A scan row the caller already began (`PostureStore.begin_scan`, e.g. a worker
    #: that holds the target lock): it is finished instead of a new one being added.
    store_scan_id: int | None = None
    #: Gate on new failures only (not FAIL in the previous scan of the target).
    fail_on_new: str | None = None

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
    #: What the scan changed in the posture store (when ``request.store`` is given).
    delta: ScanDelta | None = None
    store_scan_id: int | None = None


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
    """``adapter.collect`` (inside a raw capture when asked) with the adapter's capability
    declarations, redacted of any secret a server echoed into it: the one place collected
    data enters. The raw capture is redacted as it records."""
    capture = RawCapture() if capture_raw else None
    with collector_paused(), capturing(capture):
        inventory = adapter.collect(scope, progress or NullProgress())
        if not inventory.capabilities:
            inventory.capabilities = list(adapter.capabilities)
        inventory = redacted_inventory(inventory)
    inventory.raw = capture
    return inventory


def load_inventory(path: Path | str) -> Inventory:
    """The inventory saved in the snapshot at ``path`` (``scan --snapshot``), validated and
    redacted (`scanner.model.snapshot.load_snapshot`)."""
    with collector_paused():
        return load_snapshot(path)


def _judge(
    inventory: Inventory, policy: Policy, request: ScanRequest
) -> tuple[ScanResult, Document]:
    # Record pointers lead into an evidence bundle's raw files: kept when one is written.
    with_records = request.evidence is not None
    if request.framework is None:
        result = run_checks(inventory, policy, request.check_ids, request.check_dirs, request.now)
        document = to_document(
            result, request.fail_on, full_pass=request.full_pass, records=with_records
        )
        return result, document
    specs = load_checks(request.check_dirs)
    frameworks = load_frameworks(specs, request.check_dirs)
    chosen = find_framework(frameworks, request.framework)
    in_framework = {i: specs[i] for i in chosen.check_ids()}
    selected = select_checks(in_framework, policy, request.check_ids or chosen.check_ids())
    result = evaluate(inventory, policy, selected, request.now)
    document = to_document(
        result,
        request.fail_on,
        frameworks,
        [chosen.id],
        full_pass=request.full_pass,
        records=with_records,
    )
    return result, document


def run_scan(inventory: Inventory, policy: Policy, request: ScanRequest) -> ScanOutcome:
    """Evaluate ``inventory`` under ``policy`` and keep what ``request`` asks for.

    Order: snapshot (so the collection survives an evaluation error), evaluation and
    result document, posture store (which adds the ``trend`` of earlier scans to the
    document), evidence bundle, history, report files.
    """
    check_formats(request.formats)
    if request.evidence_key is not None and request.evidence is None:
        raise ConfigError("--evidence-key signs an evidence bundle: give --evidence DIR too")
    if request.fail_on_new is not None:
        if request.fail_on_new not in SEVERITIES:
            raise ConfigError(f"--fail-on-new must be one of {', '.join(SEVERITIES)}")
        if request.store is None and request.history is None:
            raise ConfigError(
                "--fail-on-new compares with the previous scan: give --store (or set "
                "CRMSCAN_STORE) or --history DIR"
            )
    with collector_paused():  # a large scan's objects, walked by the collector for nothing
        return _keep(inventory, policy, request)


def _keep(inventory: Inventory, policy: Policy, request: ScanRequest) -> ScanOutcome:
    if request.save_snapshot is not None:
        save_snapshot(inventory, request.save_snapshot)
    result, document = _judge(inventory, policy, request)
    outcome = ScanOutcome(result, document, result.exit_code(request.fail_on))
    if request.store is not None:
        _record(request, result, document, outcome)
    if request.evidence is not None:
        key = load_private_key(request.evidence_key) if request.evidence_key else None
        outcome.evidence_manifest = write_scan_bundle(request.evidence, result, document, key)
    if request.history is not None:
        outcome.history_path, outcome.changes = history.record(request.history, document)
    if request.fail_on_new is not None:
        _gate_on_new(request.fail_on_new, outcome)
    for name in request.formats:
        # The document is clean by construction: the inventory was redacted where it
        # entered (collection, snapshot) and the document neutralises CRM text.
        path = write_report(document, name, request.out_dir, cleaned=True, indent=request.indent)
        outcome.written.append(path)
    return outcome


def store_target_name(document: Document) -> str:
    """The default target name of a scan in the store: ``<platform>:<tenant id>``."""
    tenant = document.get("tenant") or {}
    return f"{tenant.get('platform') or 'unknown'}:{tenant.get('id') or tenant.get('name')}"


def _record(
    request: ScanRequest, result: ScanResult, document: Document, outcome: ScanOutcome
) -> None:
    """Record the scan in the posture store and add the target's trend to the document."""
    assert request.store is not None
    target = request.store_target or store_target_name(document)
    with open_store(request.store) as store:
        scan_id = request.store_scan_id
        if scan_id is None:
            scan_id = store.begin_scan(target, result.inventory.tenant.platform)
        outcome.store_scan_id = scan_id
        outcome.delta = store.finish_scan(scan_id, result, document)
        trend = store.trend(outcome.delta.target)
    if len(trend) > 1:
        document["trend"] = trend


def _gate_on_new(severity: str, outcome: ScanOutcome) -> None:
    """Exit 1 only for failures that were not failing in the target's previous scan."""
    if outcome.delta is not None:
        failing = bool(outcome.delta.gate_failures(severity))
    elif outcome.changes is not None:
        failing = bool(outcome.changes.gate_failures(severity))
    else:  # --history without an earlier result: every failure is new
        failing = bool(outcome.result.gate_failures(severity))
    incomplete = any(f.status.value == "ERROR" for f in outcome.result.findings)
    code = EXIT_GATE_FAILED if failing else EXIT_INCOMPLETE if incomplete else EXIT_OK
    outcome.exit_code = code
    gate = outcome.document.setdefault("gate", {"fail_on": severity})
    gate.update(exit_code=code, fail_on_new=severity)
