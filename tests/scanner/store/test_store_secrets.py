"""No secret reaches the posture store: neither the SQLite file nor PostgreSQL rows."""

from __future__ import annotations

from pathlib import Path

import psycopg

from benchmarks.synthetic_org import NOW, make_inventory
from scanner.language.policy import load_policy
from scanner.pipeline import ScanRequest, run_scan
from scanner.redact import REDACTED, register_secret
from scanner.store.schema import metadata

SECRET = "00Dx0000000PLANTED!AQ4AQFakeSessionTokenForStoreTest9f8e7d"


def _scan_with_planted_secret(location: str) -> None:
    register_secret(SECRET)
    inventory = make_inventory(users=12)
    assert inventory.users is not None
    inventory.tenant.name = f"Org {SECRET}"
    user = inventory.users[0]  # an admin without MFA: fails several checks
    user.username = f"{SECRET}@example.com"
    user.name = f"Leaked {SECRET}"
    for _ in range(2):  # the second scan writes changes too
        run_scan(inventory, load_policy(), ScanRequest(store=location, now=NOW))
        inventory.users[1].mfa.status = "not_enrolled"  # type: ignore[union-attr]


def test_no_secret_in_the_sqlite_file(tmp_path: Path) -> None:
    location = tmp_path / "posture.sqlite"
    _scan_with_planted_secret(str(location))
    files = [p for p in tmp_path.iterdir() if p.name.startswith("posture.sqlite")]
    content = b"".join(p.read_bytes() for p in files)
    assert content, files
    assert SECRET.encode() not in content
    assert REDACTED.encode() in content  # the user's finding is there, redacted


def test_no_secret_in_postgresql_rows(postgres_url: str) -> None:
    from tests.scanner.store.conftest import reset_postgres

    reset_postgres(postgres_url)
    _scan_with_planted_secret(postgres_url)
    dumped: list[str] = []
    with psycopg.connect(postgres_url) as connection:
        for table in metadata.sorted_tables:
            rows = connection.execute(f"SELECT t::text FROM {table.name} t").fetchall()
            dumped.extend(row[0] for row in rows)
    text = "\n".join(dumped)
    assert SECRET not in text
    assert REDACTED in text
    reset_postgres(postgres_url)
