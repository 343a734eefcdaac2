"""Raw evidence from a Salesforce scan: per-collection responses, redacted, that the
findings' record pointers resolve against."""

from __future__ import annotations

from scanner import pipeline
from scanner.language.policy import load_policy
from tests.adapters.raw_evidence import assert_raw_evidence, captured, lines
from tests.adapters.salesforce.conftest import SCOPE, Progress, make_adapter
from tests.emulators.salesforce import Fault, SalesforceEmulator

COLLECTIONS = ("tenant", "users", "users.mfa", "users.permissions", "permission_sets", "auth")


def test_a_scan_keeps_each_collections_answers_without_secrets(
    emulator: SalesforceEmulator,
) -> None:
    creds = emulator.credentials
    echo = f"bad session {creds.access_token} from {creds.password}"
    emulator.faults.append(Fault("FROM UserRole", status=400, code="MALFORMED_QUERY", message=echo))
    adapter = make_adapter(
        emulator,
        username=creds.username,
        password=creds.password,
        security_token=creds.security_token,
    )
    inventory, files = captured(lambda: adapter.collect(SCOPE, Progress()))
    issued = {r.authorization[len("Bearer ") :] for r in emulator.log if r.authorization}
    assert issued
    assert_raw_evidence(
        inventory,
        files,
        collections=COLLECTIONS,
        secrets=[*issued, creds.access_token, creds.password, creds.security_token],
    )
    refused = [line for line in lines(files) if line["collection"] == "roles"]
    assert refused and refused[-1]["status"] == 400  # the gap's answer is evidence too
    assert "[REDACTED]" in str(refused[-1]["body"])
    users = next(line for line in lines(files) if line["collection"] == "users")
    assert users["method"] == "GET" and "FROM+User" in users["path"]


def test_without_capture_nothing_is_kept(emulator: SalesforceEmulator) -> None:
    inventory = make_adapter(emulator).collect(SCOPE, Progress())
    assert inventory.raw is None


def test_the_demo_keeps_raw_evidence() -> None:
    policy = load_policy("baseline")
    inventory = pipeline.collect_demo("salesforce", policy, capture_raw=True)
    assert inventory.raw is not None
    assert_raw_evidence(
        inventory, inventory.raw.files(), collections=COLLECTIONS, secrets=["demo-session-token"]
    )
    assert pipeline.collect_demo("salesforce", policy).raw is None
