"""The posture store records scans and tells what changed (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Table, func, select

from benchmarks.synthetic_org import NOW, make_inventory
from scanner.errors import EXIT_GATE_FAILED, EXIT_OK, ConfigError, TargetBusyError
from scanner.language.policy import load_policy
from scanner.model.inventory import Inventory
from scanner.pipeline import ScanOutcome, ScanRequest, run_scan
from scanner.store import open_store
from scanner.store.fingerprint import fingerprint, observations
from scanner.store.queries import current_findings, diff_scans
from scanner.store.schema import finding_changes, findings, scans

TARGET = "salesforce:00D000000000001"


def _scan(inventory: Inventory, location: str, **options: Any) -> ScanOutcome:
    return run_scan(inventory, load_policy(), ScanRequest(store=location, now=NOW, **options))


def _count(location: str, table: Table) -> int:
    with open_store(location) as store, store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def test_fingerprint_is_the_documented_formula() -> None:
    # sha256("crmscan-finding-v1" US platform US tenant US check US type US id)[:32];
    # a change breaks every existing store and needs a migration.
    assert (
        fingerprint("salesforce", "00D000000000001", "AUTH-002", "users", "005000000000001")
        == "dda8ec0272b5c6a178944c931953f8de"
    )
    assert fingerprint("salesforce", "00D000000000002", "AUTH-002", "users", "x") != fingerprint(
        "salesforce", "00D000000000001", "AUTH-002", "users", "x"
    )


def test_first_scan_then_unchanged_rescan_writes_no_findings(store_location: str) -> None:
    inventory = make_inventory(users=60)
    first = _scan(inventory, store_location)
    assert first.delta is not None and first.delta.first_scan
    failing = first.result.status_counts()["FAIL"]
    assert len(first.delta.new_failures) == failing > 0
    stored = _count(store_location, findings)
    assert stored == len(observations(first.result))

    again = _scan(inventory, store_location)
    assert again.delta is not None
    assert again.delta.previous_scan_id == first.delta.scan_id
    assert again.delta.new_failures == [] and again.delta.fixed == []
    assert again.delta.unchanged == stored
    assert _count(store_location, findings) == stored
    assert _count(store_location, finding_changes) == 0
    assert _count(store_location, scans) == 2
    assert "trend" in again.document and len(again.document["trend"]) == 2
    assert "trend" not in first.document


def test_changes_new_fixed_and_gone(store_location: str) -> None:
    inventory = make_inventory(users=60)
    assert inventory.users is not None
    first = _scan(inventory, store_location)
    assert first.delta is not None
    inventory.users[3].mfa.status = "not_enrolled"  # type: ignore[union-attr]
    removed = inventory.users.pop(7)
    second = _scan(inventory, store_location)
    delta = second.delta
    assert delta is not None
    assert [(f.check_id, f.resource_name, f.previous_status) for f in delta.new_failures] == [
        ("AUTH-002", "user3@synthetic.example", "PASS")
    ]
    assert delta.fixed and {f.resource_name for f in delta.fixed} == {removed.username}
    assert all(f.status == "ABSENT" for f in delta.fixed)

    with open_store(store_location) as store:
        new = current_findings(store, TARGET, statuses=["FAIL"], new_since=NOW.date())
        assert {(f.check_id, f.resource_name) for f in new} >= {
            ("AUTH-002", "user3@synthetic.example")
        }
        user3 = [f for f in new if f.resource_name == "user3@synthetic.example"]
        assert user3[0].first_seen <= user3[0].status_since
        gone = current_findings(store, TARGET, statuses=["ABSENT"])
        assert gone and all(f.resource_name == removed.username for f in gone)
        assert all(f.last_seen is not None for f in gone)
        fixed = {f.fingerprint for f in delta.fixed}
        assert {f.fingerprint for f in gone if f.resolved_at is not None} == fixed
        diff = diff_scans(store, first.delta.scan_id, delta.scan_id)
    assert [f["resource"]["name"] for f in diff.new_failures] == ["user3@synthetic.example"]
    assert {f["resource"]["name"] for f in diff.fixed} == {removed.username}
    assert len(diff.still_failing) == first.result.status_counts()["FAIL"] - len(diff.fixed)


def test_fail_on_new_gates_only_new_failures(store_location: str) -> None:
    inventory = make_inventory(users=40)
    assert inventory.users is not None
    first = _scan(inventory, store_location, fail_on_new="high", check_ids=("AUTH-002",))
    assert first.exit_code == EXIT_GATE_FAILED  # first scan: every failure is new
    again = _scan(inventory, store_location, fail_on_new="high", check_ids=("AUTH-002",))
    assert again.result.gate_failures("high") and again.exit_code == EXIT_OK
    assert again.document["gate"] == {"fail_on": "low", "exit_code": 0, "fail_on_new": "high"}
    inventory.users[3].mfa.status = "not_enrolled"  # type: ignore[union-attr]
    third = _scan(inventory, store_location, fail_on_new="high", check_ids=("AUTH-002",))
    assert third.exit_code == EXIT_GATE_FAILED
    critical = _scan(inventory, store_location, fail_on_new="critical", check_ids=("AUTH-002",))
    assert critical.exit_code == EXIT_OK


def test_fail_on_new_needs_somewhere_to_compare() -> None:
    with pytest.raises(ConfigError, match="--fail-on-new"):
        run_scan(make_inventory(users=5), load_policy(), ScanRequest(fail_on_new="high"))


def test_scan_states_and_stuck_scans(store_location: str) -> None:
    with open_store(store_location) as store:
        scan_id = store.begin_scan("acme", "salesforce")
        assert store.stuck_scans(timedelta(0))[0].id == scan_id
        assert store.stuck_scans(timedelta(hours=1)) == []
        store.fail_scan(scan_id, "collection failed")
        [row] = store.scans("acme")
        assert row.state == "failed" and row.error == "collection failed"
        with pytest.raises(ConfigError, match="already failed"):
            store.fail_scan(scan_id, "again")
        assert store.stuck_scans(timedelta(0)) == []


def test_worker_finishes_the_scan_it_began(store_location: str) -> None:
    with open_store(store_location) as store:
        scan_id = store.begin_scan("acme-prod", "salesforce")
    outcome = _scan(
        make_inventory(users=10), store_location, store_target="acme-prod", store_scan_id=scan_id
    )
    assert outcome.store_scan_id == scan_id
    with open_store(store_location) as store:
        [row] = store.scans("acme-prod")
        assert row.state == "finished" and row.tenant_id == "00D000000000001"
        assert row.policy_digest and row.policy_digest.startswith("sha256:")
        assert row.check_digest and row.check_digest.startswith("sha256:")
        assert row.by_status["FAIL"] == outcome.result.status_counts()["FAIL"]
        assert store.resolve_target("00D000000000001") == "acme-prod"
        with pytest.raises(ConfigError, match="already finished"):
            store.finish_scan(scan_id, outcome.result, outcome.document)


def test_target_lock_is_exclusive(store_location: str) -> None:
    with open_store(store_location) as one, open_store(store_location) as two:
        with one.target_lock("acme"):
            with pytest.raises(TargetBusyError, match="acme"):
                with two.target_lock("acme"):
                    pass
            with two.target_lock("other"):  # another target is free
                pass
        with two.target_lock("acme"):  # released
            pass


def test_target_lock_holds_across_threads(store_location: str) -> None:
    errors: list[Exception] = []
    with open_store(store_location) as store, store.target_lock("acme"):

        def attempt() -> None:
            try:
                with open_store(store_location) as other, other.target_lock("acme"):
                    pass
            except TargetBusyError as exc:
                errors.append(exc)

        worker = threading.Thread(target=attempt)
        worker.start()
        worker.join()
    assert len(errors) == 1


def test_expiring_exceptions_are_reported(store_location: str, tmp_path: Any) -> None:
    policy_file = tmp_path / "policy.yaml"
    expires = (NOW.date() + timedelta(days=10)).isoformat()
    policy_file.write_text(
        "name: with-exception\nextends: baseline\nexceptions:\n"
        "  - check: AUTH-002\n    resources: [user0@synthetic.example]\n"
        f"    reason: break-glass account\n    approved_by: ciso\n    expires: {expires}\n",
        encoding="utf-8",
    )
    inventory = make_inventory(users=10)
    policy = load_policy(str(policy_file))
    outcome = run_scan(inventory, policy, ScanRequest(store=store_location, now=NOW))
    assert outcome.delta is not None
    assert [(f.check_id, f.resource_name) for f in outcome.delta.expiring] == [
        ("AUTH-002", "user0@synthetic.example")
    ]
    assert outcome.delta.expiring[0].excepted
    assert not [f for f in outcome.delta.gate_failures("low") if f.excepted]
    with open_store(store_location) as store:
        soon = current_findings(store, TARGET, expiring_within=30, today=NOW.date())
        later = current_findings(store, TARGET, expiring_within=5, today=NOW.date())
    assert [f.resource_name for f in soon] == ["user0@synthetic.example"]
    assert later == []


def test_bad_locations_are_clear_errors(tmp_path: Any) -> None:
    with pytest.raises(ConfigError, match="is a folder"):
        open_store(tmp_path)
    with pytest.raises(ConfigError, match="unsupported store location"):
        open_store("mysql://root:hunter2@localhost/x")
    with pytest.raises(ConfigError) as caught:
        open_store("postgresql://postgres:sup3rs3cret@127.0.0.1:5432/crmscan_no_such_db")
    assert "sup3rs3cret" not in str(caught.value) and "crmscan_no_such_db" in str(caught.value)
    with pytest.raises(ConfigError, match="no posture store"):
        open_store(tmp_path / "missing.db", create=False)
