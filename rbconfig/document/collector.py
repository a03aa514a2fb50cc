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

    What the parse leaves alive (the spec) lives long: at the end it goes
    straight to the collector's oldest generation (``gc.freeze()`` then
    ``gc.unfreeze()``, two list splices), where it waits for the next full
    collection like everything old, instead of being walked at once by the
    young generation's first pass, then the middle one's (at 10,000 paths those
    two passes were 0.46 s, a sixth of ``rbconfig validate``, and what made it
    grow faster than the spec). Skipped when the program has frozen objects of
    its own (``gc.get_freeze_count()``): unfreezing would let go of them.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if not gc.get_freeze_count():  # nobody else's frozen objects to let go of
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()
