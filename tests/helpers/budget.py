"""A CPU-time budget for a block of code: a hang or a blow-up fails the test, not the run.

The budget counts this process's CPU seconds (``ITIMER_PROF``), not the wall
clock, so other jobs on a busy machine do not eat into it; budgets are set
orders of magnitude above what the code needs, so only a change of kind (an
infinite loop, quadratic work on a large input) can use them up.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ['OverBudget', 'cpu_budget']


class OverBudget(AssertionError):
    """The block used more CPU time than its budget."""


@contextmanager
def cpu_budget(seconds: float, what: str = 'the block') -> Iterator[None]:
    """Raise :class:`OverBudget` inside the block once it has used ``seconds`` of CPU time."""

    def expired(signum: int, frame: FrameType | None) -> None:
        raise OverBudget(f'{what} used more than {seconds} s of CPU time')

    previous = signal.signal(signal.SIGPROF, expired)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
