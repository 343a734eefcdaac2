"""The ``more_than_days_ahead`` operator (expiry dates such as certificates)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from scanner.language.operators import operator_factories

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def test_more_than_days_ahead_passes_only_beyond_the_cutoff() -> None:
    predicate = operator_factories(NOW)["more_than_days_ahead"](30)
    assert predicate(NOW + timedelta(days=31)) is True
    assert predicate(NOW + timedelta(days=30)) is False
    assert predicate(NOW + timedelta(days=5)) is False
    assert predicate(NOW - timedelta(days=1)) is False


def test_more_than_days_ahead_rejects_non_timestamps() -> None:
    predicate = operator_factories(NOW)["more_than_days_ahead"](30)
    with pytest.raises(TypeError, match="timestamp"):
        predicate("2027-01-01")


def test_more_than_days_ahead_needs_a_number() -> None:
    with pytest.raises(TypeError, match="number"):
        operator_factories(NOW)["more_than_days_ahead"]("thirty")
