"""The read-only guard's allowlist entries."""

from __future__ import annotations

import pytest

from adapters.http import AllowedCall, ReadOnlyGuard
from scanner.errors import WriteRefusedError


def test_get_always_passes_and_nothing_else_by_default() -> None:
    guard = ReadOnlyGuard()
    guard.check("GET", "https://h.test/anything")
    for method in ("POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"):
        with pytest.raises(WriteRefusedError):
            guard.check(method, "https://h.test/anything")


def test_entries_match_method_and_exact_path() -> None:
    guard = ReadOnlyGuard(["POST /api/data/v9.2/$batch", "post https://login.test/token/"])
    guard.check("POST", "https://org.test/api/data/v9.2/$batch")
    guard.check("POST", "https://login.test/token")
    with pytest.raises(WriteRefusedError):
        guard.check("POST", "https://org.test/api/data/v9.2/$batch/extra")
    with pytest.raises(WriteRefusedError):
        guard.check("PATCH", "https://org.test/api/data/v9.2/$batch")
    with pytest.raises(WriteRefusedError):
        guard.check("POST", "https://other.test/token")


@pytest.mark.parametrize("entry", ["POST", "/path", "POST http://h/x", "POST h/x"])
def test_bad_entries_are_refused(entry: str) -> None:
    with pytest.raises(ValueError):
        AllowedCall.parse(entry)
