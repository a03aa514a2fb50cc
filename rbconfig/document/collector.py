"""The cyclic garbage collector, paused while a parser builds many small objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ['paused_gc']


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while parsing builds many small objects.

    Parsers (a spec's reader, :func:`ast.parse` of a handler module) make tens
    of thousands of containers that live until the end; each collector pass
    walks them all again, and every object already loaded with them, which
    doubled the time to load a large spec and made the code checks of a
    10,000-path spec grow faster than its size. Reference counting still frees
    everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
