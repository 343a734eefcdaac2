"""Suite-wide setup: no test touches the real user's data directory or store.

``XDG_DATA_HOME`` points at a throwaway folder (platformdirs puts the default posture
store there) and ``CRMSCAN_STORE`` is unset, so a command that falls back to the default
store writes only under the test session's temporary folder.

``postgres_url`` is a throwaway PostgreSQL database on the local server (127.0.0.1:5432,
user postgres, trust auth) with a random name, created once per test session and dropped
after it. Tests that need it fail, never skip, when the server is not running.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

PG_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"

_DATA_HOME = tempfile.mkdtemp(prefix="crmscan-test-data-")
os.environ["XDG_DATA_HOME"] = _DATA_HOME
os.environ.pop("CRMSCAN_STORE", None)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (dropped at the end)."""
    name = f"crmscan_test_{secrets.token_hex(6)}"
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_SERVER, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
