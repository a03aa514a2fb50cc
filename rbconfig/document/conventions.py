"""Handler conventions as rules on parameter lists, shared by ``run`` and ``validate``.

``rbconfig run`` reads a handler's parameters with :mod:`inspect` once it has
imported it (:func:`params_of`); ``rbconfig validate`` reads them from the
source with :mod:`ast` and imports nothing. Both ask the functions here, so
they cannot disagree on a handler's convention or on what its parameters get.
The conventions themselves are described in :mod:`rbconfig.runtime.conventions`
(HTTP) and :mod:`rbconfig.runtime.socket.events` (Socket.IO).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    'CONVENTIONS',
    'SPECIAL_PARAMETERS',
    'Convention',
    'Param',
    'Shape',
    'call_problem',
    'convention_of',
    'event_problem',
    'event_takes',
    'falcon_missing',
    'legacy_socket_problem',
    'params_of',
    'parameter_source',
    'positional_only',
    'shape_of',
    'takes_kwargs',
    'wants_hub',
]

Convention = Literal['legacy', 'falcon', 'json']
CONVENTIONS: tuple[Convention, ...] = ('legacy', 'falcon', 'json')

#: A parameter's kind, named as :class:`inspect.Parameter` names them.
Kind = Literal[
    'POSITIONAL_ONLY', 'POSITIONAL_OR_KEYWORD', 'VAR_POSITIONAL', 'KEYWORD_ONLY', 'VAR_KEYWORD'
]

_POSITIONAL = ('POSITIONAL_ONLY', 'POSITIONAL_OR_KEYWORD')
_LEGACY_FIRST = ('globs', 'globals')
_FALCON_FIRST = ('req', 'request')
_FALCON_SECOND = ('resp', 'response')

#: json-style parameters filled from the request by their name (any other name that is
#: not a URL placeholder is read from the query string).
SPECIAL_PARAMETERS: tuple[str, ...] = (
    'body',
    'raw',
    'query',
    'headers',
    'globs',
    'req',
    'resp',
    'request',
)

#: A global factory with a parameter of this name also gets the Socket.IO hub.
_HUB = 'hub'


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter of a handler: its name, kind and whether it has no default."""

    name: str
    kind: Kind
    required: bool = True


def params_of(signature: Any) -> tuple[Param, ...]:
    """The parameters of an :class:`inspect.Signature`."""
    return tuple(
        Param(
            p.name,
            p.kind.name,
            p.default is p.empty and p.kind.name not in ('VAR_POSITIONAL', 'VAR_KEYWORD'),
        )
        for p in signature.parameters.values()
    )


def _positional_names(params: Sequence[Param]) -> list[str]:
    return [p.name for p in params if p.kind in _POSITIONAL]


def takes_kwargs(params: Sequence[Param]) -> bool:
    """Whether the handler has ``**kwargs``."""
    return any(p.kind == 'VAR_KEYWORD' for p in params)


# ---------------------------------------------------------------- HTTP handlers


def convention_of(params: Sequence[Param]) -> Convention:
    """The calling convention a parameter list means.

    ``(globs, request, ...)`` (or ``globals``) is RedBarrel's, ``(req, resp, ...)``
    (or ``request``, ``response``) Falcon's, anything else json-style.
    """
    names = _positional_names(params)
    if len(names) >= 2 and names[0] in _LEGACY_FIRST:
        return 'legacy'
    if len(names) >= 2 and names[0] in _FALCON_FIRST and names[1] in _FALCON_SECOND:
        return 'falcon'
    return 'json'


def falcon_missing(params: Sequence[Param], placeholders: Iterable[str]) -> list[str]:
    """The URL placeholders a Falcon-style handler cannot take (it is called with all)."""
    if takes_kwargs(params):
        return []
    names = {p.name for p in params}
    return [name for name in placeholders if name not in names]


def positional_only(params: Sequence[Param]) -> str | None:
    """The first positional-only parameter: a json-style handler cannot have one."""
    return next((p.name for p in params if p.kind == 'POSITIONAL_ONLY'), None)


def parameter_source(name: str, placeholders: Iterable[str]) -> Literal['url', 'special', 'query']:
    """Where a json-style handler's parameter ``name`` is filled from.

    ``url``: a URL placeholder; ``special``: one of :data:`SPECIAL_PARAMETERS`
    (the body, the query dict...); ``query``: the query string parameter of that name.
    """
    if name in placeholders:
        return 'url'
    if name in SPECIAL_PARAMETERS:
        return 'special'
    return 'query'


# ---------------------------------------------------------------- socket handlers

#: For each special event: (what it is called with, how many arguments at most).
_SPECIAL_EVENTS: dict[str, tuple[str, int]] = {
    'connect': ('(ctx) or (ctx, auth)', 2),
    'disconnect': ('(ctx) or (ctx, reason)', 2),
}
_ANY_EVENT = ('(ctx, data)', None)


@dataclass(frozen=True, slots=True)
class Shape:
    """How a function can be called positionally.

    Attributes:
        required: Positional parameters without a default.
        most: Positional parameters in all (None: it has ``*args``).
        keyword_only: Required keyword-only parameters.
    """

    required: int
    most: int | None
    keyword_only: tuple[str, ...]


def shape_of(params: Sequence[Param]) -> Shape:
    """The :class:`Shape` of a parameter list."""
    positional = [p for p in params if p.kind in _POSITIONAL]
    varargs = any(p.kind == 'VAR_POSITIONAL' for p in params)
    return Shape(
        sum(p.required for p in positional),
        None if varargs else len(positional),
        tuple(p.name for p in params if p.kind == 'KEYWORD_ONLY' and p.required),
    )


def event_problem(event: str, shape: Shape) -> str | None:
    """Why a modern handler of ``event`` cannot be called as the event needs, or None."""
    expected, limit = _SPECIAL_EVENTS.get(event, _ANY_EVENT)
    if shape.keyword_only:
        problem = f'it has required keyword-only arguments ({", ".join(shape.keyword_only)})'
    elif shape.most is not None and shape.most < 1:
        problem = 'it takes no argument, not even ctx'
    elif limit is not None and shape.required > limit:
        problem = f'it requires {shape.required} arguments'
    else:
        return None
    return f'a {event!r} handler is called as {expected}; {problem}'


def event_takes(event: str, shape: Shape) -> int | None:
    """How many positional arguments a handler of ``event`` is given (None: all)."""
    limit = _SPECIAL_EVENTS.get(event, _ANY_EVENT)[1]
    if shape.most is None:
        return limit
    return shape.most if limit is None else min(shape.most, limit)


def legacy_socket_problem(shape: Shape) -> str | None:
    """Why a RedBarrel socket handler cannot be called as ``(globs, request)``, or None."""
    if shape.keyword_only or shape.required > 2 or (shape.most is not None and shape.most < 2):
        return 'a RedBarrel socket handler is called as (globs, request)'
    return None


# ---------------------------------------------------------------- globals and types


def wants_hub(params: Sequence[Param]) -> bool:
    """Whether a global factory asks for the Socket.IO hub (a ``hub`` keyword parameter)."""
    return any(
        p.name == _HUB and p.kind in ('POSITIONAL_OR_KEYWORD', 'KEYWORD_ONLY') for p in params
    )


def call_problem(
    params: Sequence[Param], positional: int, keywords: Iterable[str] = ()
) -> str | None:
    """Why calling with ``positional`` arguments and ``keywords`` would fail, or None."""
    shape = shape_of(params)
    given = set(keywords)
    if shape.most is not None and positional > shape.most:
        return f'it takes {shape.most} positional argument{"s" if shape.most != 1 else ""}'
    unknown = sorted(given - {p.name for p in params if p.kind != 'POSITIONAL_ONLY'})
    if unknown and not takes_kwargs(params):
        return f'it takes no argument {unknown[0]!r}'
    positional_params = [p for p in params if p.kind in _POSITIONAL]
    missing = [p.name for p in positional_params[positional:] if p.required and p.name not in given]
    missing += [name for name in shape.keyword_only if name not in given]
    if missing:
        return f'it requires {", ".join(repr(name) for name in missing)}'
    return None
