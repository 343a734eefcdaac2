"""One scan: select and compile checks, evaluate an inventory, keep everything together."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.adapter_api import ADAPTERS, CollectionScope
from scanner.engine.evaluator import Evaluator
from scanner.engine.findings import Finding, Status
from scanner.errors import (
    EXIT_GATE_FAILED,
    EXIT_INCOMPLETE,
    EXIT_OK,
    ConfigError,
)
from scanner.language.check_spec import SEVERITY_RANK, CheckSpec, load_checks
from scanner.language.compiler import CompiledCheck, compile_checks
from scanner.language.conditions import lookup_param
from scanner.language.policy import Policy
from scanner.model.inventory import Inventory


@dataclass
class ScanResult:
    """Everything one scan produced: the inventory it judged, the checks and findings."""

    inventory: Inventory
    policy: Policy
    checks: list[CompiledCheck]
    findings: list[Finding]
    started_at: datetime
    finished_at: datetime
    scan_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    tool_version: str = __version__
    #: The clock the verdicts were judged against (``--as-of``); default: ``started_at``.
    as_of_time: datetime | None = None

    @property
    def as_of(self) -> datetime:
        """The time the scan judged the inventory as of (stale windows, key ages, expiry)."""
        return self.as_of_time or self.started_at

    @property
    def today(self) -> date:
        """The scan's date as of its clock, against which exceptions expire."""
        return self.as_of.date()

    def status_counts(self) -> Counter[str]:
        """How many findings have each status."""
        return Counter(f.status.value for f in self.findings)

    def gate_failures(self, fail_on: str) -> list[Finding]:
        """Non-excepted FAIL findings at or above severity ``fail_on``."""
        threshold = SEVERITY_RANK[fail_on]
        return [
            f
            for f in self.findings
            if f.status is Status.FAIL
            and SEVERITY_RANK[f.check.severity] >= threshold
            and not f.gate_exempt(self.today)
        ]

    def exit_code(self, fail_on: str) -> int:
        """0 gate passed, 1 gate failed, 3 incomplete (ERROR findings) but gate passed."""
        threshold = SEVERITY_RANK[fail_on]
        if any(
            f.status is Status.FAIL
            and SEVERITY_RANK[f.check.severity] >= threshold
            and not f.gate_exempt(self.today)
            for f in self.findings
        ):
            return EXIT_GATE_FAILED
        if any(f.status is Status.ERROR for f in self.findings):
            return EXIT_INCOMPLETE
        return EXIT_OK


def select_checks(
    specs: dict[str, CheckSpec], policy: Policy, check_ids: Sequence[str] = ()
) -> list[CheckSpec]:
    """The checks to run: the policy's selection, narrowed to ``check_ids`` (globs) if given.

    An explicit ``--check`` runs even when the policy excludes it: the admin asked for it.
    """
    if check_ids:
        selected = [s for s in specs.values() if any(fnmatchcase(s.id, p) for p in check_ids)]
        unknown = [p for p in check_ids if not any(fnmatchcase(i, p) for i in specs)]
        if unknown:
            raise ConfigError(
                f"unknown check id(s): {', '.join(unknown)} (see 'crmscan checks list')"
            )
        return selected
    return [s for s in specs.values() if policy.selects(s.id)]


def declare_capabilities(inventory: Inventory) -> Inventory:
    """``inventory`` with its platform adapter's capability declarations, if it has none.

    A live scan's inventory carries them (the pipeline copies them in); a snapshot saved
    before capabilities existed does not, and is then judged with the declarations of
    the registered adapter of its platform, as a new scan would be. An unknown platform
    keeps none: everything is taken as provided, so nulls stay ERROR.
    """
    if not inventory.capabilities and inventory.tenant.platform in ADAPTERS.names():
        declared = ADAPTERS.get(inventory.tenant.platform).capabilities
        inventory.capabilities = list(declared)
    return inventory


def evaluate(
    inventory: Inventory,
    policy: Policy,
    specs: Iterable[CheckSpec],
    now: datetime | None = None,
) -> ScanResult:
    """Compile ``specs`` under ``policy`` and evaluate them over ``inventory``.

    ``now`` is the scan's clock (``--as-of``): every time-dependent verdict (stale
    windows, key ages, attestation and exception expiry) is judged against it, so the
    same snapshot and ``now`` give the same verdicts on any day. Default: the real time.
    """
    declare_capabilities(inventory)
    started = datetime.now(timezone.utc)
    clock = now or started
    checks = compile_checks(specs, policy, clock)
    findings = Evaluator(inventory, policy, clock.date()).run(checks)
    return ScanResult(
        inventory=inventory,
        policy=policy,
        checks=checks,
        findings=findings,
        started_at=started,
        finished_at=datetime.now(timezone.utc),
        as_of_time=clock,
    )


def run_checks(
    inventory: Inventory,
    policy: Policy,
    check_ids: Sequence[str] = (),
    check_dirs: Sequence[Path] = (),
    now: datetime | None = None,
) -> ScanResult:
    """Load the shipped (and extra) checks, select them, and evaluate ``inventory``."""
    specs = select_checks(load_checks(check_dirs), policy, check_ids)
    return evaluate(inventory, policy, specs, now)


def _param(policy: Policy, name: str, default: Any) -> Any:
    try:
        return lookup_param(policy.parameters, name)
    except KeyError:
        return default


def collection_scope(policy: Policy, health_check_baseline: str | None = None) -> CollectionScope:
    """What the policy asks adapters to collect beyond the fixed collections."""
    return CollectionScope(
        sensitive_objects=tuple(_param(policy, "data.sensitive_objects", ())),
        sensitive_fields=tuple(_param(policy, "data.sensitive_fields", ())),
        login_history_days=int(_param(policy, "monitoring.login_window_days", 30)),
        api_reserve_percent=float(_param(policy, "collection.api_reserve_percent", 10.0)),
        max_workers=int(_param(policy, "collection.max_workers", 4)),
        health_check_baseline=health_check_baseline,
        key_objects=tuple(_param(policy, "data.key_objects", ())),
        personal_data_objects=tuple(_param(policy, "data.personal_data_objects", ())),
        retention_days=int(_param(policy, "data.retention_days", 1095)),
    )
