"""The DATA collections against the emulator's documented rules (issue 18)."""

from __future__ import annotations

from scanner.model.inventory import GapReason
from tests.adapters.salesforce.conftest import SCOPE, Progress, make_adapter
from tests.emulators.salesforce import Fault, SalesforceEmulator


def test_personal_data_is_counted_never_read(emulator: SalesforceEmulator) -> None:
    inventory = make_adapter(emulator).collect(SCOPE, Progress())
    for obj in ("Contact", "Lead", "Individual"):
        sent = emulator.requests_matching(f"FROM {obj}")
        assert sent, obj
        assert all(r.text.startswith("SELECT COUNT() FROM") for r in sent), [r.text for r in sent]
    counts = {r.object: r.count for r in inventory.data.retention or []}
    assert counts == {"Contact": 0, "Lead": 2}
    assert inventory.data.consent is not None and inventory.data.consent.consent_records == 4


def test_metadata_catalog_queries_use_equality_only(emulator: SalesforceEmulator) -> None:
    make_adapter(emulator).collect(SCOPE, Progress())
    for obj in ("EntityDefinition", "FieldDefinition"):
        for request in emulator.requests_matching(f"FROM {obj}"):
            assert request.status == 200, request.text
            assert not any(w in request.text for w in (" OR ", " NOT ", "!=", "LIMIT", "COUNT"))
    assert len(emulator.requests_matching("FROM FieldDefinition")) == 1


def test_without_view_setup_duplicate_rules_are_a_permission_gap(
    emulator: SalesforceEmulator,
) -> None:
    emulator.identity_permissions = emulator.identity_permissions - {"ViewSetup"}
    inventory = make_adapter(emulator).collect(SCOPE, Progress())
    gap = inventory.gap_for("data.quality")
    assert gap is not None and gap.reason is GapReason.PERMISSION_MISSING
    assert inventory.data.objects is None
    assert inventory.data.field_history is not None  # the other DATA collections stay


def test_data_protection_off_means_no_consent_model(emulator: SalesforceEmulator) -> None:
    del emulator.org.sobjects["Individual"]
    inventory = make_adapter(emulator).collect(SCOPE, Progress())
    consent = inventory.data.consent
    assert consent is not None and consent.model_enabled is False
    assert consent.consent_records == 0


def test_a_truncated_count_is_malformed_not_zero(emulator: SalesforceEmulator) -> None:
    emulator.faults.append(Fault("SELECT COUNT() FROM Lead", kind="truncate"))
    inventory = make_adapter(emulator).collect(SCOPE, Progress())
    gap = inventory.gap_for("data.retention")
    assert gap is not None and gap.reason is GapReason.MALFORMED_RESPONSE
    assert inventory.data.retention is None


def test_a_non_boolean_history_flag_is_malformed(emulator: SalesforceEmulator) -> None:
    for record in emulator.org.tooling["FieldDefinition"].records:
        record["IsFieldHistoryTracked"] = None
    inventory = make_adapter(emulator).collect(SCOPE, Progress())
    gap = inventory.gap_for("data.field_history")
    assert gap is not None and gap.reason is GapReason.MALFORMED_RESPONSE
