"""Helpers to build checks, policies and inventories inline in tests."""

from __future__ import annotations

import textwrap
from datetime import datetime, timezone
from typing import Any

from scanner.documents import parse_text
from scanner.engine.evaluator import Evaluator
from scanner.engine.findings import Finding
from scanner.language.check_spec import CheckSpec, spec_from_document
from scanner.language.compiler import compile_check
from scanner.language.policy import Policy
from scanner.model.inventory import Inventory, Tenant

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def check_from_yaml(text: str) -> CheckSpec:
    """A validated CheckSpec from inline YAML."""
    return spec_from_document(parse_text(textwrap.dedent(text), "inline-check.yaml"))


def run(spec: CheckSpec, inventory: Inventory, policy: Policy | None = None) -> list[Finding]:
    """Evaluate one check."""
    policy = policy or Policy(name="test")
    compiled = compile_check(spec, policy, NOW)
    return Evaluator(inventory, policy, NOW.date()).run([compiled])


def statuses(findings: list[Finding], tenant: Tenant | None = None) -> dict[str | None, str]:
    """resource id → status."""
    return {f.resource_id(tenant): f.status.value for f in findings}


def inventory(**fields: Any) -> Inventory:
    """An Inventory for a test tenant with the given collections."""
    return Inventory.model_validate(
        {"tenant": {"platform": "salesforce", "id": "00DTEST", "name": "Test Org"}, **fields}
    )
