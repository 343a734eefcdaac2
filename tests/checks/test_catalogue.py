"""Every catalogue check, proven on its fixtures.

Layout: ``tests/checks/fixtures/<ID>/`` holds one case (``inventory.yaml`` +
``expected.yaml``, optionally ``policy.yaml``), or several cases as sub-folders
``<ID>/<case>/``. ``expected.yaml`` maps each status to the resource ids that must get it
(``note`` is free text for the reader); the test asserts the *exact* mapping of resource
id -> status the check produces, with a fixed clock. Tenant-level findings use the tenant
id. ``policy.yaml`` is a policy pack (usually ``extends: baseline``) for cases that need
other parameters or attestations; without it the shipped baseline pack judges.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from scanner.engine.findings import Finding, Status
from scanner.engine.scan import declare_capabilities, evaluate
from scanner.language.check_spec import CheckSpec, load_checks
from scanner.language.policy import Policy, load_policy
from scanner.model.inventory import Gap, GapReason, Inventory
from scanner.model.snapshot import load_snapshot

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
FIXTURES = Path(__file__).parent / "fixtures"
STATUSES = {s.value for s in Status}

#: The ids CATALOG.md promises (stable: reports, exceptions and frameworks refer to them).
CATALOGUE_IDS = (
    [f"AUTH-{n:03d}" for n in range(1, 11)]
    + [f"PRIV-{n:03d}" for n in range(1, 15)]
    + [f"ENC-{n:03d}" for n in range(1, 8)]
    + [f"INT-{n:03d}" for n in range(1, 6)]
    + [f"MON-{n:03d}" for n in range(1, 4)]
    + [f"GOV-{n:03d}" for n in range(1, 4)]
    + [f"DATA-{n:03d}" for n in range(1, 8)]
)


@dataclass(frozen=True)
class Case:
    """One fixture case of one check."""

    check_id: str
    name: str
    folder: Path

    def __str__(self) -> str:
        return f"{self.check_id}/{self.name}" if self.name else self.check_id

    def inventory(self) -> Inventory:
        return load_snapshot(self.folder / "inventory.yaml")

    def policy(self) -> Policy:
        custom = self.folder / "policy.yaml"
        return load_policy(str(custom) if custom.is_file() else None)

    def expected(self) -> dict[str, str]:
        data = yaml.safe_load((self.folder / "expected.yaml").read_text(encoding="utf-8"))
        mapping: dict[str, str] = {}
        for status, ids in data.items():
            if status == "note":
                continue
            assert status in STATUSES, f"{self}: unknown status {status!r} in expected.yaml"
            for resource in ids:
                assert resource not in mapping, f"{self}: {resource} listed twice"
                mapping[str(resource)] = status
        return mapping


def discover() -> list[Case]:
    """Every fixture case under ``FIXTURES``."""
    cases: list[Case] = []
    for check_dir in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        if (check_dir / "inventory.yaml").is_file():
            cases.append(Case(check_dir.name, "", check_dir))
        for sub in sorted(p for p in check_dir.iterdir() if p.is_dir()):
            if (sub / "inventory.yaml").is_file():
                cases.append(Case(check_dir.name, sub.name, sub))
    return cases


CASES = discover()


@pytest.fixture(scope="session")
def specs() -> dict[str, CheckSpec]:
    return load_checks()


def resource_key(finding: Finding, inventory: Inventory) -> str:
    """The id a fixture lists a finding under.

    Field permissions are keyed ``<permission set>:<Object.Field>`` because the field
    alone is not unique (several permission sets grant the same field).
    """
    if finding.resource is not None and finding.check.kind.path == "field_permissions":
        return f"{finding.resource.permission_set}:{finding.resource.field}"
    key = finding.resource_id(inventory.tenant)
    assert key is not None, "fixture resources must have ids"
    return key


def run(spec: CheckSpec, inventory: Inventory, policy: Policy) -> dict[str, str]:
    """resource key -> status for one check; a key may appear only once."""
    result = evaluate(inventory, policy, [spec], now=NOW)
    observed: dict[str, str] = {}
    for finding in result.findings:
        key = resource_key(finding, inventory)
        assert key not in observed, f"two findings for {key}"
        observed[key] = finding.status.value
    return observed


@pytest.mark.parametrize("case", CASES, ids=str)
def test_fixture(case: Case, specs: dict[str, CheckSpec]) -> None:
    """The check gives exactly the expected status to every resource of the fixture."""
    assert case.check_id in specs, f"fixture for unknown check {case.check_id}"
    observed = run(specs[case.check_id], case.inventory(), case.policy())
    assert observed == case.expected()


def test_every_catalogue_id_ships(specs: dict[str, CheckSpec]) -> None:
    """All catalogue ids exist, and nothing else ships under a catalogue domain prefix."""
    assert sorted(specs) == sorted(CATALOGUE_IDS)


@pytest.mark.parametrize("check_id", CATALOGUE_IDS)
def test_every_check_is_proven(check_id: str, specs: dict[str, CheckSpec]) -> None:
    """Each check's cases show PASS and FAIL, and ERROR (MANUAL for manual checks)."""
    cases = [c for c in CASES if c.check_id == check_id]
    assert cases, f"{check_id} has no fixture under {FIXTURES / check_id}"
    seen = {status for case in cases for status in case.expected().values()}
    manual = specs[check_id].manual
    needed = {"PASS", "FAIL", "MANUAL"} if manual else {"PASS", "FAIL", "ERROR"}
    assert needed <= seen, f"{check_id} fixtures never show {sorted(needed - seen)}"


def _with_gaps(inventory: Inventory, collections: tuple[str, ...], reason: GapReason) -> Inventory:
    gapped = inventory.model_copy(deep=True)
    gapped.gaps = [Gap(collection=c, reason=reason, detail="fixture gap") for c in collections]
    # The case's own declarations (or its adapter's): `_first_case` picks a case whose
    # platform provides what the check requires, so the gap alone decides.
    gapped.capabilities = declare_capabilities(inventory.model_copy()).capabilities
    return gapped


def _first_case(check_id: str, specs: dict[str, CheckSpec]) -> Case:
    """The check's first fixture on a platform that provides what the check requires."""
    cases = [c for c in CASES if c.check_id == check_id]
    for case in cases:
        capabilities = declare_capabilities(case.inventory()).capability_table()
        if not any(capabilities.lookup(r).structural for r in specs[check_id].requires):
            return case
    return cases[0]


@pytest.mark.parametrize("check_id", CATALOGUE_IDS)
@pytest.mark.parametrize(
    ("reason", "status"),
    [
        (GapReason.API_ERROR, "ERROR"),
        (GapReason.PERMISSION_MISSING, "ERROR"),
        (GapReason.NO_API, "MANUAL"),
    ],
)
def test_gap_in_required_collection(
    check_id: str, reason: GapReason, status: str, specs: dict[str, CheckSpec]
) -> None:
    """A gap in any collection the check requires gives one ERROR (MANUAL when no API)."""
    spec = specs[check_id]
    case = _first_case(check_id, specs)
    base = case.inventory()
    policy = load_policy()
    compiled_requires = evaluate(base, policy, [spec], now=NOW).checks[0].requires
    for collection in compiled_requires:
        gapped = _with_gaps(base, (collection,), reason)
        observed = run(spec, gapped, policy)
        assert observed == {gapped.tenant.id: status}, f"gap in {collection}"


def test_checks_declare_what_they_read(specs: dict[str, CheckSpec]) -> None:
    """Every non-manual check names the collections it needs (fail safe on gaps)."""
    missing = [s.id for s in specs.values() if not s.manual and not s.requires]
    assert missing == []


def _all_expected_ids() -> dict[str, Any]:
    return {str(c): c.expected() for c in CASES}


def test_fixtures_are_not_trivial() -> None:
    """No case expects nothing (an empty expectation would prove nothing)."""
    empty = [name for name, expected in _all_expected_ids().items() if not expected]
    assert empty == []
