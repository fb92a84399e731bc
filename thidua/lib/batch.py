"""Helpers for work over many rows at once."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a batch builds many small objects.

    A national batch makes millions of tuples and records that form no reference cycles;
    the collector would walk all of them again and again as they accumulate (it runs every
    few hundred allocations), which costs more than the work itself. Reference counting
    still frees everything; the collector resumes, if it was running, when the batch ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
