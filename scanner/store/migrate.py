"""Bring a store's schema to this version's revision with Alembic, on open.

The migration scripts ship inside the package (``scanner/store/migrations``); users need
no alembic.ini. A store is upgraded in place and keeps its data; a store written by a
newer crmscan (a revision this version does not know) is refused with a clear message
instead of being damaged.
"""

from __future__ import annotations

from functools import cache

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from scanner.errors import ConfigError

SCRIPT_LOCATION = "scanner.store:migrations"
#: The advisory lock key that serialises schema upgrades on PostgreSQL.
_MIGRATION_LOCK = 0x63726D7363616E


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for the shipped migrations (on ``connection``)."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def head_revision() -> str:
    """The newest schema revision this version ships."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision ``engine``'s store is at (None for an empty database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _check_known(current: str | None) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    if current is not None and current not in {s.revision for s in script.walk_revisions()}:
        raise ConfigError(
            f"the store is at schema revision {current}, which this crmscan does not know: "
            "it was written by a newer version; upgrade crmscan"
        )


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the store to ``revision`` (default: this version's newest).

    Two processes opening a new store at once do not both create it: on PostgreSQL the
    upgrade holds a transaction-level advisory lock, on SQLite ``BEGIN IMMEDIATE``.
    """
    wanted = head_revision() if revision == "head" else revision
    current = current_revision(engine)
    _check_known(current)
    if current == wanted:
        return
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        current = MigrationContext.configure(connection).get_current_revision()
        _check_known(current)
        if current != wanted:
            command.upgrade(alembic_config(connection), revision)
