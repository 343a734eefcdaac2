"""No check reports PASS on data a platform cannot provide, for every registered adapter.

For each shipped check and each registered adapter, every fixture inventory of the check
is moved onto that adapter's platform with its capability declarations, and everything
the declarations say the platform cannot provide (``no_api`` / ``not_applicable``) is
set to null on every resource — what a real scan of that platform would hold at worst.
A check that reads any of it must then give no PASS at all: only FAIL on what is known,
MANUAL, NOT_APPLICABLE or ERROR.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from scanner.adapter_api import ADAPTERS
from scanner.engine.coverage import capability_name
from scanner.engine.scan import evaluate
from scanner.language.check_spec import CheckSpec, load_checks
from scanner.language.compiler import compile_check
from scanner.language.policy import load_policy
from scanner.model.capabilities import Capabilities
from scanner.model.inventory import COLLECTIONS, Inventory
from scanner.model.resources import RESOURCE_KINDS, ResourceKind, field_type
from scanner.results.document import summarize
from tests.checks.test_catalogue import CASES, NOW

SPECS = load_checks()
PLATFORMS = [(name, adapter.capabilities) for name, adapter in ADAPTERS]
TENANT_SECTIONS = ("auth", "encryption", "monitoring")


def _blank(model: BaseModel, kind: ResourceKind, capabilities: Capabilities) -> None:
    """Null every top-level field of ``model`` the platform cannot provide."""
    for name in type(model).model_fields:
        declared = capabilities.lookup(capability_name(kind, name))
        if declared.partial and declared.collection == kind.collection:
            continue  # a partial listing: the fields of a listed resource are provided
        if declared.structural:
            setattr(model, name, None)


def as_platform(inventory: Inventory, platform: str, capabilities: Capabilities) -> Inventory:
    """``inventory`` as the worst a scan of ``platform`` could hold."""
    moved = inventory.model_copy(deep=True)
    moved.tenant.platform = platform
    moved.capabilities = list(capabilities)
    tenant = RESOURCE_KINDS["tenant"]
    for section in TENANT_SECTIONS:
        part = getattr(moved, section)
        for name in type(part).model_fields:
            if capabilities.lookup(capability_name(tenant, f"{section}.{name}")).structural:
                setattr(part, name, None)
    if capabilities.lookup("health_check").structural:
        moved.health_check = None
    for kind in RESOURCE_KINDS.values():
        if kind.path == "tenant" or "." in kind.path:
            continue
        items: list[Any] | None = getattr(moved, kind.path)
        declared = capabilities.lookup(kind.collection)
        if declared.structural and not declared.partial:
            setattr(moved, kind.path, None)
            continue
        for item in items or []:
            _blank(item, kind, capabilities)
    return moved


def structural_reads(spec: CheckSpec, capabilities: Capabilities) -> list[str]:
    """What ``spec`` reads (collections and fields) that the platform cannot provide."""
    compiled = compile_check(spec, load_policy(), NOW)
    names = list(compiled.requires)
    names += [capability_name(compiled.kind, f) for f in compiled.fields]
    return [n for n in names if capabilities.lookup(n).structural]


CASES_BY_CHECK = {cid: [c for c in CASES if c.check_id == cid] for cid in SPECS}
#: (check, platform) pairs where the platform cannot provide something the check reads.
AFFECTED = [
    (check_id, platform)
    for platform, capabilities in PLATFORMS
    for check_id in sorted(SPECS)
    if structural_reads(SPECS[check_id], capabilities)
]


@pytest.mark.parametrize(("check_id", "platform"), AFFECTED, ids=[f"{c}-{p}" for c, p in AFFECTED])
def test_no_pass_on_data_the_platform_cannot_provide(check_id: str, platform: str) -> None:
    capabilities = ADAPTERS.get(platform).capabilities
    spec = SPECS[check_id]
    policy = load_policy()
    for case in CASES_BY_CHECK[check_id]:
        inventory = as_platform(case.inventory(), platform, capabilities)
        result = evaluate(inventory, policy, [spec], now=NOW)
        assert summarize(result)["check_outcomes"][check_id] != "PASS", str(case)
        # A single resource may still PASS when what the platform does provide decides it
        # (Zoho: a user who never confirmed the invitation and is new passes PRIV-006
        # whatever the unknown last sign-in): the blanked fields are null, and the
        # compiler's Kleene logic only yields True when no value of them could change it
        # (tests/scanner/language/test_conditions.py proves that logic). What must not
        # happen is the check as a whole passing, asserted above, and a resource that is
        # listed as undecided also passing:
        undecided = {
            name for f in result.findings for name in (f.details or {}).get("undecided", [])
        }
        passed = {
            f.resource_name(inventory.tenant) for f in result.findings if f.status.value == "PASS"
        }
        assert not passed & undecided, f"{case} on {platform}: PASS and undecided"


def _wholly_unavailable(spec: CheckSpec, capabilities: Capabilities) -> list[str]:
    compiled = compile_check(spec, load_policy(), NOW)
    return [
        name
        for name in compiled.requires
        if capabilities.lookup(name).structural and not capabilities.lookup(name).partial
    ]


WHOLLY = [
    (c, p) for c, p in AFFECTED if _wholly_unavailable(SPECS[c], ADAPTERS.get(p).capabilities)
]


@pytest.mark.parametrize(("check_id", "platform"), WHOLLY, ids=[f"{c}-{p}" for c, p in WHOLLY])
def test_required_collection_without_api_is_one_finding_whatever_the_data(
    check_id: str, platform: str
) -> None:
    """Even data present (a fixture from another platform) cannot make such a check PASS."""
    capabilities = ADAPTERS.get(platform).capabilities
    for case in CASES_BY_CHECK[check_id]:
        inventory = case.inventory().model_copy(deep=True)
        inventory.tenant.platform = platform
        inventory.capabilities = list(capabilities)
        inventory.gaps = []
        findings = evaluate(inventory, load_policy(), [SPECS[check_id]], now=NOW).findings
        assert [f.status.value for f in findings] in (["MANUAL"], ["NOT_APPLICABLE"]), str(case)
        assert findings[0].resource is None  # tenant level, not one per resource


@pytest.mark.parametrize(("platform", "capabilities"), PLATFORMS, ids=[p for p, _ in PLATFORMS])
def test_the_guarantee_is_exercised(platform: str, capabilities: Capabilities) -> None:
    """Every platform declaring what it cannot provide has checks the test above covers."""
    declares = any(c.structural for c in capabilities)
    assert declares == any(p == platform for _, p in AFFECTED)


@pytest.mark.parametrize(("platform", "capabilities"), PLATFORMS, ids=[p for p, _ in PLATFORMS])
def test_declarations_name_collections_or_fields(platform: str, capabilities: Capabilities) -> None:
    """Every declaration names a collection or a field the engine can look up."""
    for capability in capabilities:
        name = capability.collection
        if name in COLLECTIONS:
            continue
        kinds = [k for k in RESOURCE_KINDS.values() if name.startswith(k.collection + ".")]
        assert kinds, f"{platform}: {name} is neither a collection nor a resource field"
        kind = max(kinds, key=lambda k: len(k.collection))
        field_type(kind.model, name[len(kind.collection) + 1 :])  # raises when unknown
        for placeholder in capability.review_fields():
            field_type(kind.model, placeholder)
