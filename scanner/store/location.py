"""Where the posture store is, and the SQLAlchemy engine for it.

Resolution, the same for ``scan``, ``history``, ``findings`` and ``diff``:

1. ``--store PATH|URL`` on the command line (or the ``location`` argument);
2. else ``$CRMSCAN_STORE``;
3. else (only for commands that read the store, and for `open_store(None)`) the SQLite
   file ``posture.sqlite`` in the user data directory (platformdirs:
   ``~/.local/share/crmscan`` on Linux).

A location starting with ``postgresql://`` (or ``postgres://``, ``postgresql+psycopg://``)
is a PostgreSQL database reached with psycopg 3; ``sqlite:///FILE`` or any other text is
a SQLite file path.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from scanner.errors import ConfigError

ENV_VAR = "CRMSCAN_STORE"
DEFAULT_FILE = "posture.sqlite"
_PG_PREFIXES = ("postgresql://", "postgres://", "postgresql+psycopg://")


def default_location(environ: Mapping[str, str] | None = None) -> str:
    """``$CRMSCAN_STORE``, else the SQLite file under the user data directory."""
    env = os.environ if environ is None else environ
    if env.get(ENV_VAR):
        return env[ENV_VAR]
    return str(platformdirs.user_data_path("crmscan", appauthor=False) / DEFAULT_FILE)


def configured_location(
    given: str | Path | None, environ: Mapping[str, str] | None = None
) -> str | None:
    """The store a scan records into: ``given``, else ``$CRMSCAN_STORE``, else none."""
    if given is not None and str(given):
        return str(given)
    env = os.environ if environ is None else environ
    return env.get(ENV_VAR) or None


def is_postgres(location: str) -> bool:
    """Whether ``location`` names a PostgreSQL database."""
    return location.startswith(_PG_PREFIXES)


def store_url(location: str | Path) -> URL:
    """The SQLAlchemy URL of ``location`` (a path, ``sqlite:///…`` or ``postgresql://…``)."""
    text = str(location)
    try:
        if is_postgres(text):
            url = make_url(text)
            return url.set(drivername="postgresql+psycopg")
        if text.startswith("sqlite:"):
            url = make_url(text)
            if not url.database or url.database == ":memory:":
                raise ConfigError("the store must be a file or a PostgreSQL URL, not :memory:")
            return url
    except ArgumentError as exc:
        raise ConfigError(f"cannot read the store location: {exc}") from None
    if "://" in text:
        raise ConfigError(
            f"unsupported store location {describe(text)!r}: give a file path, sqlite:///FILE "
            "or postgresql://USER@HOST/DATABASE"
        )
    path = Path(text).expanduser()
    if path.is_dir():
        raise ConfigError(f"store {path} is a folder: give a file name, e.g. {path}/crmscan.db")
    return URL.create("sqlite+pysqlite", database=str(path))


def describe(location: str | Path) -> str:
    """``location`` for messages: a URL's password is never shown."""
    text = str(location)
    if "://" not in text:
        return text
    try:
        return make_url(text).render_as_string(hide_password=True)
    except ArgumentError:
        return text.split("://", 1)[0] + "://…"


def _sqlite_engine(url: URL) -> Engine:
    assert url.database is not None
    Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" below issue BEGIN IMMEDIATE: a scan reads the stored
        # state and writes its changes in one transaction no other writer can interleave.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_engine(location: str | Path) -> Engine:
    """A SQLAlchemy engine for ``location`` (SQLite file or PostgreSQL)."""
    url = store_url(location)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True)
