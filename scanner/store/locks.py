"""One scan per target at a time: advisory locks on PostgreSQL, lock files on SQLite."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from filelock import FileLock, Timeout
from sqlalchemy import text

from scanner.errors import TargetBusyError

if TYPE_CHECKING:
    from scanner.store.posture import PostureStore


@contextmanager
def target_lock(store: PostureStore, target: str) -> Iterator[None]:
    """Hold ``target`` while the block runs; `TargetBusyError` when another holder has it."""
    from scanner.store.posture import lock_key

    key = lock_key(target)
    if store.dialect == "postgresql":
        with store.engine.connect() as connection:
            taken = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": key}
            ).scalar()
            connection.commit()
            if not taken:
                raise TargetBusyError(f"target {target} is being scanned by another worker")
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()
        return
    database = store.engine.url.database
    assert database is not None
    path = Path(database).expanduser()
    folder = path.parent / f".{path.name}.locks"
    folder.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(target.encode("utf-8")).hexdigest()[:24]
    lock = FileLock(str(folder / f"{name}.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise TargetBusyError(f"target {target} is being scanned by another process") from None
    try:
        yield
    finally:
        lock.release()
