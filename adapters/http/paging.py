"""Following paged listings with loop guards (cursor, next-link, page number).

A server that repeats a cursor, returns the same page again and again, or never stops,
must not keep a scan looping: each of these is a `MalformedResponseError` (a
``malformed_response`` gap), never an endless loop. `follow` is the one loop; the other
helpers adapt the three usual paging styles to it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from scanner.errors import MalformedResponseError

T = TypeVar("T")
Cursor = TypeVar("Cursor", str, int)

#: Stop following a listing after this many pages.
MAX_PAGES = 10_000


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page: its items and what fetches the next one (None: this was the last)."""

    items: list[T]
    next: str | int | None = None


@dataclass
class PageGuard:
    """Remembers the cursors and the last page of one listing, and refuses loops."""

    what: str
    max_pages: int = MAX_PAGES
    pages: int = 0
    _seen: set[str | int] = field(default_factory=set)
    _previous: str | None = None

    def page(self, items: list[Any]) -> None:
        """Count a page; refuse it when it repeats the previous, non-empty page."""
        self.pages += 1
        if self.pages > self.max_pages:
            raise MalformedResponseError(
                f"{self.what}: malformed response: more than {self.max_pages} pages; stopped"
            )
        if not items:
            self._previous = None
            return
        digest = _fingerprint(items)
        if digest == self._previous:
            raise MalformedResponseError(
                f"{self.what}: malformed response: page {self.pages} repeats page "
                f"{self.pages - 1} (the paging does not advance)"
            )
        self._previous = digest

    def cursor(self, cursor: str | int) -> None:
        """Refuse ``cursor`` if it was followed before (or is empty)."""
        if cursor == "" or cursor in self._seen:
            raise MalformedResponseError(
                f"{self.what}: malformed response: paging cursor {str(cursor)[:80]!r} repeats"
                if cursor != ""
                else f"{self.what}: malformed response: empty paging cursor"
            )
        self._seen.add(cursor)


def _fingerprint(items: list[Any]) -> str:
    raw = json.dumps(items, sort_keys=True, default=repr, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def follow(
    fetch: Callable[[Any], Page[T]],
    *,
    what: str,
    max_pages: int = MAX_PAGES,
    on_page: Callable[[], None] | None = None,
) -> Iterator[list[T]]:
    """Yield each page's items: ``fetch(None)`` first, then ``fetch(page.next)``.

    Stops after a page whose ``next`` is None. A repeated cursor, a page identical to
    the previous one, or more than ``max_pages`` pages raise `MalformedResponseError`.
    ``on_page`` is called for each page fetched (page counting).
    """
    guard = PageGuard(what, max_pages)
    cursor: str | int | None = None
    while True:
        page = fetch(cursor)
        guard.page(page.items)
        if on_page is not None:
            on_page()
        yield page.items
        if page.next is None:
            return
        guard.cursor(page.next)
        cursor = page.next


def numbered(
    fetch: Callable[[int], tuple[list[T], bool]],
    *,
    what: str,
    first: int = 1,
    max_pages: int = MAX_PAGES,
    on_page: Callable[[], None] | None = None,
) -> Iterator[list[T]]:
    """Page-number paging: ``fetch(n)`` returns ``(items, more)`` (Zoho ``more_records``).

    A server that ignores the page number and keeps answering the same page with
    ``more`` set is caught by the repeated-page guard.
    """

    def fetch_page(cursor: Any) -> Page[T]:
        number = first if cursor is None else int(cursor)
        items, more = fetch(number)
        return Page(items, number + 1 if more else None)

    return follow(fetch_page, what=what, max_pages=max_pages, on_page=on_page)
