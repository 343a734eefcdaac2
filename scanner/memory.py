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
            if _depth == 0 and _was_enabled:
                gc.enable()
