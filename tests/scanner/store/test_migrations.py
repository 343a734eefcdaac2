"""Schema migrations: a store made by an earlier revision opens and upgrades in place."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from benchmarks.synthetic_org import NOW, make_inventory
from scanner.errors import ConfigError
from scanner.language.policy import load_policy
from scanner.pipeline import ScanRequest, run_scan
from scanner.store import migrate, open_store
from scanner.store.location import make_engine
from scanner.store.queries import current_findings
from scanner.store.schema import metadata


def test_migrations_create_exactly_the_declared_schema(store_location: str) -> None:
    with open_store(store_location) as store, store.engine.connect() as connection:
        assert migrate.current_revision(store.engine) == migrate.head_revision()
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_store_at_revision_1_opens_and_upgrades(store_location: str) -> None:
    engine = make_engine(store_location)
    migrate.upgrade(engine, "0001")
    assert migrate.current_revision(engine) == "0001"
    when = datetime(2026, 11, 1, tzinfo=timezone.utc)
    with engine.begin() as connection:
        # What a crmscan at revision 0001 wrote: a target, a finished scan, one FAIL
        # (ids 1 in a new database).
        connection.execute(
            text(
                "INSERT INTO targets (name, platform, tenant_id, created_at) "
                "VALUES ('salesforce:00D000000000001', 'salesforce', '00D000000000001', :t)"
            ),
            {"t": when},
        )
        connection.execute(
            text(
                "INSERT INTO scans (target_id, state, begun_at, platform, started_at, "
                "finished_at, score) VALUES (1, 'finished', :t, 'salesforce', :t, :t, 50.0)"
            ),
            {"t": when},
        )
        connection.execute(
            text(
                "INSERT INTO findings (target_id, fingerprint, check_id, resource_type, "
                "resource_id, resource_name, severity, status, first_status, first_scan_id, "
                "status_scan_id, message) VALUES (1, 'old', 'AUTH-002', 'users', 'u1', "
                "'old.user', 'high', 'FAIL', 'FAIL', 1, 1, 'no MFA')"
            )
        )
    engine.dispose()

    with open_store(store_location) as store:
        assert migrate.current_revision(store.engine) == migrate.head_revision() == "0002"
        [old] = current_findings(store, "salesforce:00D000000000001")
        assert (old.resource_name, old.status, old.excepted) == ("old.user", "FAIL", False)
        assert old.exception_expires is None
        [scan] = store.scans()
        assert scan.score == 50.0
    # And the upgraded store keeps recording.
    outcome = run_scan(
        make_inventory(users=5), load_policy(), ScanRequest(store=store_location, now=NOW)
    )
    assert outcome.delta is not None and outcome.delta.previous_scan_id == 1
    # The old finding's check ran and no longer reports it: gone, hence fixed.
    assert "old" in {f.fingerprint for f in outcome.delta.fixed}


def test_store_from_a_newer_version_is_refused(store_location: str) -> None:
    with open_store(store_location) as store, store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(ConfigError, match="newer version"):
        open_store(store_location)
