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
from ...document.resolve import resolve
from ...errors import Loc, StartupError

__all__ = ['EventHandler', 'resolve_event', 'resolve_legacy']

#: For each special event: (what it is called with, how many arguments at most).
_SPECIAL: dict[str, tuple[str, int]] = {
    'connect': ('(ctx) or (ctx, auth)', 2),
    'disconnect': ('(ctx) or (ctx, reason)', 2),
}


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


def _shape(func: Callable[..., Any]) -> tuple[int, int | None, list[str], str]:
    """(required positional, max positional or None, required keyword-only, text)."""
    signature = inspect.signature(func)
    required = 0
    most: int | None = 0
    keyword_only: list[str] = []
    for parameter in signature.parameters.values():
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            assert most is not None
            most += 1
            if parameter.default is parameter.empty:
                required += 1
        elif parameter.kind is parameter.VAR_POSITIONAL:
            most = None
        elif parameter.kind is parameter.KEYWORD_ONLY and parameter.default is parameter.empty:
            keyword_only.append(parameter.name)
    return required, most, keyword_only, str(signature)


def _callable(document: Document, loc: Loc, location: str) -> Callable[..., Any]:
    target = resolve(document, loc, location)
    if not callable(target):
        raise StartupError.at(
            document, loc, f'{location} is not callable (it is {type(target).__name__})'
        )
    return target  # type: ignore[no-any-return]


def _signature(document: Document, loc: Loc, location: str, func: Callable[..., Any]) -> Any:
    try:
        return _shape(func)
    except (TypeError, ValueError) as ex:  # builtins without a signature
        raise StartupError.at(
            document, loc, f'{location}: cannot read its signature ({ex})'
        ) from ex


def resolve_event(document: Document, loc: Loc, event: str, location: str) -> EventHandler:
    """The modern handler of ``event`` at ``location``, checked.

    Raises:
        StartupError: it cannot be imported, is not callable, or cannot be
            called the way the event needs.
    """
    func = _callable(document, loc, location)
    required, most, keyword_only, text = _signature(document, loc, location, func)
    expected, limit = _SPECIAL.get(event, ('(ctx, data)', None))
    problem = None
    if keyword_only:
        problem = f'it has required keyword-only arguments ({", ".join(keyword_only)})'
    elif most is not None and most < 1:
        problem = 'it takes no argument, not even ctx'
    elif limit is not None and required > limit:
        problem = f'it requires {required} arguments'
    if problem:
        raise StartupError.at(
            document,
            loc,
            f'{location}{text}: a {event!r} handler is called as {expected}; {problem}',
        )
    if most is None:
        takes = limit
    elif limit is None:
        takes = most
    else:
        takes = min(most, limit)
    return EventHandler(func, location, takes)


def resolve_legacy(document: Document, loc: Loc, location: str) -> EventHandler:
    """The RedBarrel socket handler ``func(globs, request)`` at ``location``, checked.

    Raises:
        StartupError: it cannot be imported, is not callable, or cannot take
            ``(globs, request)``.
    """
    func = _callable(document, loc, location)
    required, most, keyword_only, text = _signature(document, loc, location, func)
    if keyword_only or required > 2 or (most is not None and most < 2):
        raise StartupError.at(
            document,
            loc,
            f'{location}{text}: a RedBarrel socket handler is called as (globs, request)',
        )
    return EventHandler(func, location, 2)
