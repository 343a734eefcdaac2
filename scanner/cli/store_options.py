"""The ``--store`` option of the commands that read the posture store."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from scanner.store import PostureStore, open_store

F = TypeVar("F", bound=Callable[..., Any])

STORE_HELP = (
    "Posture store to read: a SQLite file or postgresql://USER@HOST/DB. Default: "
    "$CRMSCAN_STORE, else posture.sqlite in the user data folder (where 'crmscan scan "
    "--store' records when CRMSCAN_STORE names it) [env: CRMSCAN_STORE]."
)


def store_option(func: F) -> F:
    """Add ``--store PATH|URL`` (env CRMSCAN_STORE) to a command."""
    return click.option(
        "--store", default=None, metavar="PATH|URL", envvar="CRMSCAN_STORE", help=STORE_HELP
    )(func)


def read_store(location: str | None) -> PostureStore:
    """The store a reading command uses (an absent SQLite file is an error, not created)."""
    return open_store(location or None, create=False)
