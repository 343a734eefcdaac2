"""Record pointers (evidence.records): the same for every platform, from the inventory alone."""

from __future__ import annotations

from pathlib import Path

from scanner.engine.findings import Status
from scanner.engine.records import MAX_RECORDS
from scanner.language.policy import Policy
from scanner.model.inventory import GapReason, Inventory
from scanner.model.snapshot import load_snapshot, save_snapshot
from tests.helpers import check_from_yaml, inventory, run

ADMINS = check_from_yaml(
    """
    id: TEST-REC-1
    title: nobody manages users
    severity: high
    resource: users
    requires: [users.permissions, users.mfa]
    assert: {not: {field: permissions, op: contains, value: users.manage}}
    message: "{username} manages users"
    remediation: remove it
    """
)
NAMES = check_from_yaml(
    """
    id: TEST-REC-2
    title: users have names
    severity: low
    resource: users
    assert: {field: name, op: exists}
    message: "{id} has no name"
    remediation: name them
    """
)
MFA = check_from_yaml(
    """
    id: TEST-REC-3
    title: MFA enforced
    severity: high
    resource: tenant
    requires: [auth.mfa]
    assert: {field: auth.mfa_enforced, op: eq, value: true}
    message: not enforced
    remediation: enforce it
    """
)
COUNT = check_from_yaml(
    """
    id: TEST-REC-4
    title: at most one admin
    severity: high
    resource: users
    where: {field: permissions, op: contains, value: users.manage}
    count: {max: 1}
    message: "{count} admins"
    remediation: fewer
    """
)


def _grant(source: str, kind: str = "permission_set") -> dict[str, str]:
    return {"permission": "users.manage", "source_kind": kind, "source_id": source,
            "source_name": source}  # fmt: skip


def _inventory() -> Inventory:
    return inventory(
        tenant={"platform": "test", "id": "org1", "name": "Org"},
        users=[
            {"id": "u1", "name": "Ann", "permissions": ["users.manage"], "profile_id": "p1",
             "grants": [_grant("p1", "profile"), _grant("ps1"), _grant("ps1"),
                        _grant("u1", "user")]},
            {"id": "u2", "permissions": ["users.manage"], "grants": [_grant("ps2")]},
            {"id": "u3", "name": "Cy", "permissions": []},
        ],
    )  # fmt: skip


def test_a_user_finding_points_to_the_user_its_sub_records_and_its_grant_sources() -> None:
    tenant = _inventory().tenant
    findings = {f.resource_id(tenant): f for f in run(ADMINS, _inventory())}
    assert findings["u1"].status is Status.FAIL
    assert findings["u1"].records(tenant) == [
        {"collection": "users", "id": "u1"},
        {"collection": "users.permissions", "id": "u1"},
        {"collection": "users.mfa", "id": "u1"},
        {"collection": "permission_sets", "id": "p1"},
        {"collection": "permission_sets", "id": "ps1"},
    ]
    assert findings["u3"].records(tenant)[0] == {"collection": "users", "id": "u3"}


def test_grant_sources_only_when_the_check_reads_permissions() -> None:
    inv = _inventory()
    u2 = next(f for f in run(NAMES, inv) if f.resource_id(inv.tenant) == "u2")
    assert u2.status is Status.FAIL
    assert u2.records(inv.tenant) == [{"collection": "users", "id": "u2"}]


def test_a_tenant_finding_points_to_the_tenant_and_its_settings_collections() -> None:
    inv = _inventory()
    inv.auth.mfa_enforced = False
    [finding] = run(MFA, inv)
    assert finding.status is Status.FAIL
    assert finding.records(inv.tenant) == [
        {"collection": "tenant", "id": "org1"},
        {"collection": "auth.mfa", "id": "*"},
    ]


def test_a_gap_error_points_to_the_collection_that_was_refused() -> None:
    inv = _inventory()
    inv.users = None
    inv.add_gap("users", GapReason.PERMISSION_MISSING, "403")
    [finding] = run(NAMES, inv)
    assert finding.status is Status.ERROR
    assert {"collection": "users", "id": "*"} in finding.records(inv.tenant)


def test_a_count_finding_points_to_what_it_counted() -> None:
    inv = _inventory()
    [finding] = run(COUNT, inv, Policy(name="p"))
    assert finding.status is Status.FAIL
    ids = [(r["collection"], r["id"]) for r in finding.records(inv.tenant)]
    assert ("users", "u1") in ids and ("users", "u2") in ids and ("users", "u3") not in ids
    assert ("permission_sets", "ps2") in ids


def test_pointers_are_bounded() -> None:
    users = [{"id": f"u{i}", "permissions": ["users.manage"]} for i in range(MAX_RECORDS * 2)]
    inv = inventory(users=users)
    [finding] = run(COUNT, inv, Policy(name="p"))
    assert len(finding.records(inv.tenant)) == MAX_RECORDS


def test_a_snapshot_without_raw_capture_keeps_the_pointers(tmp_path: Path) -> None:
    inv = _inventory()
    path = tmp_path / "snapshot.json"
    save_snapshot(inv, path)
    loaded = load_snapshot(path)
    assert loaded.raw is None
    before = [f.records(inv.tenant) for f in run(ADMINS, inv)]
    assert [f.records(loaded.tenant) for f in run(ADMINS, loaded)] == before
