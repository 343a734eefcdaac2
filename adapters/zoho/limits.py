"""Zoho CRM's API limits by edition: concurrent calls per app, and daily API credits.

Both are documented per edition (docs/api/zoho.md): the concurrency cap is what one
app (this scanner's client) may have in flight at once, across all its requests to the
org; credits are counted per org over a rolling 24 hours.
"""

from __future__ import annotations

#: Concurrent calls per app by edition (Zoho: Free 5, Standard 10, Professional 15,
#: Enterprise 20, Ultimate 25). Keys are lower-case edition names without spaces.
CONCURRENCY_BY_EDITION: dict[str, int] = {
    "free": 5,
    "standard": 10,
    "starter": 10,
    "professional": 15,
    "enterprise": 20,
    "zohoone": 20,
    "ultimate": 25,
    "crmplus": 25,
}
#: The cap when the edition is unknown (or a trial): the smallest, so it is always safe.
DEFAULT_CONCURRENCY = 5

#: Credits per 24 hours: (base, per user licence, maximum or None for unlimited).
CREDITS_BY_EDITION: dict[str, tuple[int, int, int | None]] = {
    "standard": (50_000, 250, 100_000),
    "starter": (50_000, 250, 100_000),
    "professional": (50_000, 500, 3_000_000),
    "enterprise": (50_000, 1_000, 5_000_000),
    "zohoone": (50_000, 1_000, 5_000_000),
    "ultimate": (50_000, 2_000, None),
    "crmplus": (50_000, 2_000, None),
}
FREE_CREDITS = 5_000


def _key(edition: str | None) -> str:
    return (edition or "").lower().replace(" ", "").replace("_", "")


def concurrency_cap(edition: str | None, workers: int) -> int:
    """How many calls the scan may have in flight: its workers, within the edition's cap."""
    cap = CONCURRENCY_BY_EDITION.get(_key(edition), DEFAULT_CONCURRENCY)
    return max(1, min(workers, cap))


def daily_credits(edition: str | None, user_licences: int | None) -> int | None:
    """The documented 24-hour credit allowance, before add-on credits (None: unknown)."""
    key = _key(edition)
    if key == "free":
        return FREE_CREDITS
    table = CREDITS_BY_EDITION.get(key)
    if table is None or user_licences is None:
        return None
    base, per_user, maximum = table
    total = base + per_user * user_licences
    return total if maximum is None else min(total, maximum)
