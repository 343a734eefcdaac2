"""The capability declarations adapters make: helpers, validation, lookup."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from scanner.model.capabilities import (
    Capabilities,
    Capability,
    Support,
    needs_edition,
    needs_permission,
    no_api,
    not_applicable,
)


def test_lookup_falls_back_to_the_parent_and_defaults_to_provided() -> None:
    table = Capabilities([no_api("users.mfa", "review 2FA in Settings > Users")])
    assert table.lookup("users.mfa.status").support is Support.NO_API
    assert table.lookup("users.mfa").review == "review 2FA in Settings > Users"
    assert table.lookup("users.permissions").support is Support.PROVIDED
    assert table.lookup("auth").support is Support.PROVIDED


def test_declaring_a_collection_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        Capabilities([no_api("auth.mfa", "a"), no_api("auth.mfa", "b")])


@pytest.mark.parametrize(
    ("support", "message"),
    [(Support.NO_API, "needs a review text"), (Support.NOT_APPLICABLE, "needs a review text")],
)
def test_structural_declarations_must_say_what_to_review(support: Support, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Capability(collection="auth.mfa", support=support)


@pytest.mark.parametrize("support", [Support.NEEDS_PERMISSION, Support.NEEDS_EDITION])
def test_conditional_declarations_must_name_the_requirement(support: Support) -> None:
    with pytest.raises(ValidationError, match="needs a requirement"):
        Capability(collection="users.login", support=support, requirement=" ")


def test_known_for_only_qualifies_structural_declarations() -> None:
    with pytest.raises(ValidationError, match="known_for"):
        Capability(
            collection="users.login",
            support=Support.NEEDS_PERMISSION,
            requirement="Monitor Login History",
            known_for="admins",
        )


def test_helpers_build_the_declarations() -> None:
    partial = no_api("users.permissions", "review roles {permission_sets}", known_for="admins")
    assert partial.partial and partial.structural
    assert partial.review_fields() == ["permission_sets"]
    assert partial.describe() == "no api; known for admins"
    assert not no_api("auth.mfa", "review it").partial
    assert not_applicable("roles", "no hierarchy").support is Support.NOT_APPLICABLE
    permission = needs_permission("users.login", "Monitor Login History")
    assert permission.describe() == "needs permission (Monitor Login History)"
    assert not permission.structural
    assert needs_edition("monitoring.audit_log", "Enterprise").requirement == "Enterprise"


def test_declarations_round_trip_through_an_inventory() -> None:
    from scanner.model.inventory import Inventory, Tenant

    declared = [no_api("users.permissions", "review roles", known_for="super admins")]
    inventory = Inventory(tenant=Tenant(platform="hubspot"), capabilities=declared)
    again = Inventory.model_validate_json(inventory.model_dump_json())
    assert again.capability_table().lookup("users.permissions.x").known_for == "super admins"
