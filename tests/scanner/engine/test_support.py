"""How a check runs on a platform, before scanning."""

from __future__ import annotations

import pytest

from scanner.engine.support import check_support
from scanner.language.compiler import compile_check
from scanner.language.policy import Policy
from scanner.model.capabilities import Capabilities, needs_permission, no_api, not_applicable
from tests.helpers import NOW, check_from_yaml

CHECK = check_from_yaml(
    """
    id: TEST-SUP
    title: support
    severity: low
    platforms: [hubspot, salesforce]
    resource: users
    requires: [users.permissions]
    where: {field: permissions, op: contains, value: data.export}
    assert: {field: username, op: in, value: []}
    message: "{username}"
    remediation: none
    """
)
COMPILED = compile_check(CHECK, Policy(name="p"), NOW)


@pytest.mark.parametrize(
    ("platform", "declared", "mode", "detail"),
    [
        ("zoho", [], "not applicable", "the check covers hubspot, salesforce only"),
        ("salesforce", [], "automated", ""),
        (
            "salesforce",
            [needs_permission("users", "View All Users")],
            "automated",
            "users needs View All Users",
        ),
        (
            "hubspot",
            [no_api("users.permissions", "review roles ({permission_sets})", known_for="admins")],
            "partly automated",
            "users.permissions (known for admins); the rest is one MANUAL: review roles",
        ),
        ("hubspot", [no_api("users", "review users")], "attested", "users: review users"),
        ("hubspot", [not_applicable("users", "no users")], "not applicable", "users: no users"),
    ],
)
def test_modes(platform: str, declared: list, mode: str, detail: str) -> None:  # type: ignore[type-arg]
    support = check_support(COMPILED, platform, Capabilities(declared))
    assert (support.mode, support.detail) == (mode, detail)


def test_manual_checks_are_attested_everywhere() -> None:
    manual = check_from_yaml(
        """
        id: TEST-MAN
        title: manual
        severity: low
        resource: tenant
        manual: true
        message: attest
        remediation: attest
        """
    )
    support = check_support(compile_check(manual, Policy(name="p"), NOW), "x", Capabilities())
    assert support.mode == "attested"
