"""Every store test runs against a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest


def reset_postgres(url: str) -> None:
    """Empty the session's PostgreSQL database: no tables, no schema revision."""
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_location(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_url: str
) -> Iterator[str]:
    """A location for an empty store: a SQLite file, or the session's PostgreSQL database."""
    if request.param == "sqlite":
        yield str(tmp_path / "posture.sqlite")
        return
    reset_postgres(postgres_url)
    try:
        yield postgres_url
    finally:
        reset_postgres(postgres_url)
