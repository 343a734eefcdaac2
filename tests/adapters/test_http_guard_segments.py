"""The read-only guard's ``*`` path segment (a tenant in a token endpoint's path)."""

from __future__ import annotations

import pytest

from adapters.http import ReadOnlyGuard
from scanner.errors import WriteRefusedError

TOKEN = "POST https://login.example.com/*/oauth2/v2.0/token"


@pytest.mark.parametrize(
    "url",
    [
        "https://login.example.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
        "https://login.example.com/3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60/oauth2/v2.0/token",
    ],
)
def test_a_star_segment_allows_any_one_segment(url: str) -> None:
    ReadOnlyGuard([TOKEN]).check("POST", url)


@pytest.mark.parametrize(
    "url",
    [
        "https://login.example.com/oauth2/v2.0/token",  # no tenant segment
        "https://login.example.com/a/b/oauth2/v2.0/token",  # two segments
        "https://login.example.com/../oauth2/v2.0/token",
        "https://other.example.com/contoso/oauth2/v2.0/token",  # another host
        "https://login.example.com/contoso/oauth2/v2.0/authorize",
    ],
)
def test_a_star_segment_allows_nothing_else(url: str) -> None:
    with pytest.raises(WriteRefusedError):
        ReadOnlyGuard([TOKEN]).check("POST", url)


def test_paths_without_a_star_still_match_exactly() -> None:
    guard = ReadOnlyGuard(["POST /api/data/v9.2/$batch"])
    guard.check("POST", "https://org.example.com/api/data/v9.2/$batch")
    with pytest.raises(WriteRefusedError):
        guard.check("POST", "https://org.example.com/api/data/v9.2/$batch/x")
