"""Paging loops: every way a server can keep a scan looping ends as a malformed gap."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.http import Page, follow, numbered
from scanner.errors import MalformedResponseError
from scanner.model.inventory import GapReason


def test_follow_reads_every_page_and_counts() -> None:
    pages = {None: Page([1, 2], "b"), "b": Page([3], "c"), "c": Page([4], None)}
    counted: list[int] = []
    got = list(follow(lambda c: pages[c], what="users", on_page=lambda: counted.append(1)))
    assert got == [[1, 2], [3], [4]] and len(counted) == 3


def test_repeated_cursor_is_malformed_not_an_endless_loop() -> None:
    fetched: list[Any] = []

    def fetch(cursor: Any) -> Page[int]:
        fetched.append(cursor)
        return Page([len(fetched)], "same")

    with pytest.raises(MalformedResponseError, match="cursor 'same' repeats") as caught:
        list(follow(fetch, what="logins"))
    assert fetched == [None, "same"]
    assert caught.value.gap_reason == GapReason.MALFORMED_RESPONSE


def test_cursor_cycle_is_caught() -> None:
    ring = {None: Page([0], "a"), "a": Page([1], "b"), "b": Page([2], "a")}
    with pytest.raises(MalformedResponseError, match="repeats"):
        list(follow(lambda c: ring[c], what="x"))


def test_new_cursors_with_the_same_page_are_caught() -> None:
    calls = [0]

    def fetch(cursor: Any) -> Page[dict[str, int]]:
        calls[0] += 1
        return Page([{"id": 1}, {"id": 2}], f"cursor-{calls[0]}")

    with pytest.raises(MalformedResponseError, match="page 2 repeats page 1"):
        list(follow(fetch, what="x"))
    assert calls[0] == 2


def test_empty_cursor_is_malformed() -> None:
    with pytest.raises(MalformedResponseError, match="empty paging cursor"):
        list(follow(lambda c: Page([1], ""), what="x"))


def test_page_limit_stops_a_listing_that_never_ends() -> None:
    with pytest.raises(MalformedResponseError, match="more than 50 pages"):
        list(follow(lambda c: Page([(c or 0) + 1], (c or 0) + 1), what="x", max_pages=50))


def test_numbered_pages_stop_when_there_are_no_more() -> None:
    data = {1: ([1, 2], True), 2: ([3], False)}
    assert list(numbered(lambda n: data[n], what="users")) == [[1, 2], [3]]


def test_numbered_pages_that_ignore_the_page_number_are_caught() -> None:
    asked: list[int] = []

    def fetch(n: int) -> tuple[list[int], bool]:
        asked.append(n)
        return [10, 11], True  # the server answers page 1 whatever is asked

    with pytest.raises(MalformedResponseError, match="does not advance"):
        list(numbered(fetch, what="users"))
    assert asked == [1, 2]
