"""Hostile Salesforce servers and records (issue 10 items 2, 3, 14, 15).

A record the adapter cannot map (a null where a value was expected, a selected field
that did not come back) is a gap and ERROR for the checks that need it; a looping
cursor is a malformed_response gap; nothing crashes and nothing that needs the broken
data is PASS.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.engine.scan import run_checks
from scanner.language.policy import load_policy
from scanner.model.inventory import GapReason, Inventory
from scanner.model.snapshot import load_snapshot
from scanner.pipeline import ScanRequest, run_scan
from tests.adapters.salesforce.conftest import SAMPLE_ORG, SCOPE, Progress, make_adapter
from tests.emulators.salesforce import Fault, Org, SalesforceEmulator


@pytest.fixture
def emulator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SalesforceEmulator]:
    """The sample org on loopback over TLS, its CA trusted through REQUESTS_CA_BUNDLE."""
    with SalesforceEmulator(Org.load(SAMPLE_ORG)) as emu:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", emu.ca_file(str(tmp_path)))
        yield emu


#: Objects whose records the scan reads (the sample org has rows in each).
OBJECTS = [
    "User",
    "Profile",
    "PermissionSet",
    "PermissionSetAssignment",
    "PermissionSetGroup",
    "UserRole",
    "TwoFactorMethodsInfo",
    "LoginHistory",
    "VerificationHistory",
    "LoginIpRange",
    "ObjectPermissions",
    "FieldPermissions",
    "TenantSecret",
    "ConnectedApplication",
    "OauthToken",
    "NamedCredential",
    "UserLogin",
    "SetupAuditTrail",
    "SamlSsoConfig",
]


def _no_pass_on_gaps(inventory: Inventory) -> None:
    result = run_checks(inventory, load_policy("baseline"))
    for finding in result.findings:
        if finding.status.value != "PASS":
            continue
        for collection in finding.check.requires:
            assert inventory.gap_for(collection) is None, (finding.check.id, collection)


@pytest.mark.parametrize("obj", OBJECTS)
def test_a_record_with_every_field_null(emulator: SalesforceEmulator, obj: str) -> None:
    record = emulator.org.sobjects[obj].records[0]
    for key in record:
        record[key] = None
    inventory = make_adapter(emulator).collect(SCOPE, Progress())
    _no_pass_on_gaps(inventory)


@pytest.mark.parametrize(
    ("obj", "field"),
    [
        ("PermissionSet", "PermissionsModifyAllData"),
        ("PermissionSet", "PermissionsApiUserOnly"),
        ("User", "IsActive"),
        ("PermissionSetAssignment", "PermissionSetId"),
        ("TwoFactorMethodsInfo", "HasTotp"),
        ("OauthToken", "LastUsedDate"),
        ("LoginHistory", "n"),
    ],
)
def test_a_selected_field_not_returned_is_malformed(
    emulator: SalesforceEmulator, obj: str, field: str
) -> None:
    emulator.faults.append(Fault(f"FROM {obj}", kind="drop_field", code=field))
    inventory = make_adapter(emulator).collect(SCOPE, Progress())
    assert any(g.reason is GapReason.MALFORMED_RESPONSE for g in inventory.gaps), inventory.gaps
    _no_pass_on_gaps(inventory)


def test_a_repeating_cursor_is_malformed_not_a_loop(emulator: SalesforceEmulator) -> None:
    emulator.faults.append(Fault("FROM UserRole", kind="repeat_cursor"))
    inventory = make_adapter(emulator).collect(SCOPE, Progress())
    gap = inventory.gap_for("roles")
    assert gap is not None and gap.reason is GapReason.MALFORMED_RESPONSE
    assert len(emulator.requests_matching("FROM UserRole")) <= 3
    _no_pass_on_gaps(inventory)


def test_one_429_does_not_turn_checks_into_errors(emulator: SalesforceEmulator) -> None:
    emulator.faults.append(Fault("FROM User ", kind="rate_limit", retry_after="0", times=1))
    inventory = make_adapter(emulator).collect(SCOPE, Progress())
    assert inventory.gap_for("users") is None and inventory.users


def test_a_hung_endpoint_ends_within_the_scan_deadline(emulator: SalesforceEmulator) -> None:
    """``--timeout``: a query that never answers ends at the deadline, not the read
    timeout; what is left becomes api_error gaps (ERROR, never PASS) and the scan reports."""
    emulator.faults.append(Fault("FROM UserRole", kind="delay", delay=6.0))
    budget = 2.0
    started = time.monotonic()
    scope = dataclasses.replace(SCOPE, deadline=started + budget)
    inventory = make_adapter(emulator, timeout=60.0, retries=3).collect(scope, Progress())
    elapsed = time.monotonic() - started
    assert elapsed < budget + 1.0, elapsed
    gap = inventory.gap_for("roles")
    assert gap is not None and gap.reason is GapReason.API_ERROR
    assert "deadline" in gap.detail, gap.detail
    assert len(emulator.requests_matching("FROM UserRole")) == 1  # no retry past the deadline
    # what answered in time is kept
    assert inventory.tenant.name == "Acme Outfitters" and inventory.users
    _no_pass_on_gaps(inventory)


def test_nothing_is_sent_past_the_deadline(emulator: SalesforceEmulator) -> None:
    scope = dataclasses.replace(SCOPE, deadline=time.monotonic() - 1)
    inventory = make_adapter(emulator).collect(scope, Progress())
    assert [r for r in emulator.log if r.path != "/"] == []
    assert inventory.gap_for("tenant") is not None
    assert inventory.users is None and inventory.gap_for("users") is not None
    assert all("deadline" in g.detail for g in inventory.gaps), inventory.gaps
    _no_pass_on_gaps(inventory)


@pytest.mark.parametrize("obj", OBJECTS)
def test_a_record_with_every_field_of_the_wrong_type(
    emulator: SalesforceEmulator, obj: str
) -> None:
    """SOQL scalars are text, numbers or booleans: a list in their place is malformed.

    The scan completes, and nothing that needs the record's collection is PASS.
    """
    record = emulator.org.sobjects[obj].records[0]
    for key in record:
        if key != "attributes":
            record[key] = ["unexpected", {"nested": 1}]
    inventory = make_adapter(emulator).collect(SCOPE, Progress())
    _no_pass_on_gaps(inventory)


def test_a_lone_surrogate_from_the_server_is_written_as_a_replacement_character(
    emulator: SalesforceEmulator, tmp_path: Path
) -> None:
    """``"\\ud800"`` is valid JSON that decodes to text UTF-8 cannot hold.

    The snapshot, the evidence bundle and every report are still written (the character
    becomes U+FFFD), instead of the scan ending with an internal error.
    """
    emulator.org.sobjects["User"].records[0]["Name"] = "Eve\ud800Mallory"
    inventory = make_adapter(emulator).collect(SCOPE, Progress())
    request = ScanRequest(
        formats=("json", "html", "csv", "md", "sarif", "ocsf", "junit"),
        out_dir=tmp_path / "reports",
        evidence=tmp_path / "evidence",
        save_snapshot=tmp_path / "snapshot.json",
    )
    outcome = run_scan(inventory, load_policy("baseline"), request)
    snapshot = (tmp_path / "snapshot.json").read_text(encoding="utf-8")
    assert "Eve\ufffdMallory" in snapshot
    assert load_snapshot(tmp_path / "snapshot.json").users
    assert outcome.written and all(path.stat().st_size for path in outcome.written)
