"""Pause Python's cyclic garbage collector while a scan builds its large object graphs.

A scan of 100,000 users holds millions of live objects (inventory models, findings, the
result document). CPython's cyclic collector walks every one of them each time enough new
objects have been allocated, so at that size it spent about half of a whole scan (loading
the snapshot, building the result document, writing the reports) finding nothing to free:
a scan's objects form no reference cycles worth collecting, and reference counting frees
them as soon as they are dropped. `collector_paused` turns the collector off for the
duration of a block and back on afterwards, when the objects of the next automatic
collection include whatever cycles the block left behind.

It nests and is shared between threads (a fleet scans targets in parallel): the collector
is turned off by the first block to enter and on again by the last one to leave, and only
if it was on to begin with.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector off (see the module docstring)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                _age_everything()
                if _was_enabled:
                    gc.enable()


def _age_everything() -> None:
    """Move every object the collector tracks to its oldest generation, at once.

    What the block made is still in the youngest generation, however many millions of
    objects it is, so the first allocation after the collector is back on would walk all
    of them (2 s at 100,000 users, for nothing: most are still in use). Freezing and
    unfreezing splices the lists in constant time; the oldest generation is examined only
    by full collections, which come as rarely as the growth of long-lived objects asks.
    """
    gc.freeze()
    gc.unfreeze()
