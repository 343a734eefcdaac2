"""The shipped policy packs: the values the issue promises, and documented parameters."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from scanner.language.check_spec import load_checks
from scanner.language.compiler import compile_check, parameter_names
from scanner.language.conditions import lookup_param
from scanner.language.policy import load_policy

POLICIES = Path(__file__).parents[2] / "policies"


def param(policy: str, name: str) -> object:
    return lookup_param(load_policy(policy).parameters, name)


def test_baseline_defaults() -> None:
    assert param("baseline", "least_privilege.min_admins") == 2
    assert param("baseline", "least_privilege.max_admins") == 5
    assert param("baseline", "identity.stale_after_days") == 90
    assert param("baseline", "identity.mfa_required_kinds") == ["human"]
    assert param("baseline", "auth.password.min_length") >= 12  # type: ignore[operator]
    assert param("baseline", "auth.session.max_timeout_minutes") <= 120  # type: ignore[operator]


def test_strict_is_pci_grade() -> None:
    assert param("strict", "auth.session.max_timeout_minutes") == 15
    assert param("strict", "auth.password.max_lockout_attempts") <= 10  # type: ignore[operator]
    assert param("strict", "auth.password.min_lockout_minutes") >= 30  # type: ignore[operator]
    assert param("strict", "identity.stale_after_days") == 45
    strict = load_policy("strict")
    assert strict.severity.get("AUTH-003", "high") in ("high", "critical")
    assert strict.selects("AUTH-003")


@pytest.mark.parametrize("policy", ["baseline", "strict"])
def test_every_parameter_a_check_reads_is_set(policy: str) -> None:
    loaded = load_policy(policy)
    now = datetime(2026, 11, 23, tzinfo=timezone.utc)
    for spec in load_checks().values():
        for name in parameter_names([spec.where, spec.assertion, spec.count, spec.attestation]):
            lookup_param(loaded.parameters, name)  # KeyError names the missing one
        compile_check(spec, loaded, now)


def _undocumented(path: Path) -> list[str]:
    """Leaf parameters with no comment on their line or in the comment block above.

    A run of sibling keys directly under one comment (min_admins / max_admins) shares it.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("parameters:"))
    documented: dict[tuple[int, int], bool] = {}
    missing: list[str] = []
    for index in range(start + 1, len(lines)):
        line = lines[index]
        if line and not line.startswith((" ", "#")):
            break
        match = re.match(r"^(\s+)([A-Za-z_]+):(.*)$", line)
        if not match:
            continue
        indent, key, rest = match.groups()
        previous = lines[index - 1].strip()
        ok = (
            "#" in rest
            or previous.startswith("#")
            or documented.get((index - 1, len(indent)), False)
        )
        documented[(index, len(indent))] = ok
        if rest.split("#")[0].strip() and not ok:
            missing.append(f"{path.name}:{index + 1} {key}")
    return missing


@pytest.mark.parametrize("name", ["baseline.yaml", "strict.yaml"])
def test_every_parameter_is_documented_where_it_is_set(name: str) -> None:
    assert _undocumented(POLICIES / name) == []


def test_the_documentation_rule_catches_a_bare_parameter(tmp_path: Path) -> None:
    pack = tmp_path / "p.yaml"
    pack.write_text("name: p\nparameters:\n  auth:\n    # ok\n    a: 1\n\n    b: 2\n")
    assert _undocumented(pack) == ["p.yaml:7 b"]
