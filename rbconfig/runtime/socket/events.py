"""Socket handlers named in the spec: resolved and their signatures checked at start-up.

Calling a handler with the wrong number of arguments is decided here, once,
from :func:`inspect.signature`, never by catching ``TypeError`` at call time
(which would also hide a ``TypeError`` raised inside the handler).

Modern handlers:

* ``connect(ctx)`` or ``connect(ctx, auth)``: ``auth`` is what the client
  passed as ``io({auth: ...})``, or None;
* ``disconnect(ctx)`` or ``disconnect(ctx, reason)``;
* any other event ``on_x(ctx, data)``; ``on_x(ctx)`` ignores the data,
  ``on_x(ctx, a, b)`` takes two arguments, ``on_x(ctx, *args)`` all of them.
  Missing arguments are passed as None, extra ones dropped.

Legacy (RedBarrel) handlers: ``func(globs, request)``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...document import Document
from ...document.conventions import (
    Shape,
    event_problem,
    event_takes,
    legacy_socket_problem,
    params_of,
    shape_of,
)
from ...document.resolve import resolve
from ...errors import Loc, StartupError

__all__ = ['EventHandler', 'resolve_event', 'resolve_legacy']


@dataclass(frozen=True, slots=True)
class EventHandler:
    """A resolved handler and how many positional arguments to give it."""

    func: Callable[..., Any]
    location: str
    #: Positional arguments it takes (None: any number, it has ``*args``).
    takes: int | None

    def call(self, *args: Any) -> Any:
        """Call with ``args`` cut or padded with None to what the handler takes."""
        if self.takes is None:
            return self.func(*args)
        if len(args) >= self.takes:
            return self.func(*args[: self.takes])
        return self.func(*args, *([None] * (self.takes - len(args))))


def _callable(document: Document, loc: Loc, location: str) -> Callable[..., Any]:
    target = resolve(document, loc, location)
    if not callable(target):
        raise StartupError.at(
            document, loc, f'{location} is not callable (it is {type(target).__name__})'
        )
    return target


def _signature(
    document: Document, loc: Loc, location: str, func: Callable[..., Any]
) -> tuple[Shape, str]:
    """(how ``func`` can be called, its signature as text)."""
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError) as ex:  # builtins without a signature
        raise StartupError.at(
            document, loc, f'{location}: cannot read its signature ({ex})'
        ) from ex
    return shape_of(params_of(signature)), str(signature)


def resolve_event(document: Document, loc: Loc, event: str, location: str) -> EventHandler:
    """The modern handler of ``event`` at ``location``, checked.

    Raises:
        StartupError: it cannot be imported, is not callable, or cannot be
            called the way the event needs.
    """
    func = _callable(document, loc, location)
    shape, text = _signature(document, loc, location, func)
    problem = event_problem(event, shape)
    if problem:
        raise StartupError.at(document, loc, f'{location}{text}: {problem}')
    return EventHandler(func, location, event_takes(event, shape))


def resolve_legacy(document: Document, loc: Loc, location: str) -> EventHandler:
    """The RedBarrel socket handler ``func(globs, request)`` at ``location``, checked.

    Raises:
        StartupError: it cannot be imported, is not callable, or cannot take
            ``(globs, request)``.
    """
    func = _callable(document, loc, location)
    shape, text = _signature(document, loc, location, func)
    problem = legacy_socket_problem(shape)
    if problem:
        raise StartupError.at(document, loc, f'{location}{text}: {problem}')
    return EventHandler(func, location, 2)
