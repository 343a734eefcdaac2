"""Two results are diffed only when they are provably of the same tenant."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.results.diff import incomparable


def _doc(platform: str | None, tenant: str | None) -> dict[str, Any]:
    return {"tenant": {"platform": platform, "id": tenant}}


@pytest.mark.parametrize(
    ("before", "after", "reason"),
    [
        (_doc("salesforce", "00D1"), _doc("hubspot", "00D1"), "different platforms"),
        (_doc("salesforce", None), _doc("salesforce", "00D1"), "no tenant id"),
        (_doc("salesforce", "00D1"), _doc("salesforce", None), "no tenant id"),
        (_doc("salesforce", "00D1"), _doc("salesforce", "00D2"), "different tenants"),
    ],
)
def test_refused(before: dict[str, Any], after: dict[str, Any], reason: str) -> None:
    problem = incomparable(before, after)
    assert problem is not None and reason in problem


def test_same_tenant_is_comparable() -> None:
    assert incomparable(_doc("salesforce", "00D1"), _doc("salesforce", "00D1")) is None
