"""Compile a section's checks into steps run before or after the handler.

Calling conventions (RedBarrel's, as settled by issue 4):

* ``unless [HEADER] type is T return N``: the value (the body, or the
  header) is checked with T. Built-ins parse it: ``json`` as standard JSON
  (:mod:`.json_text`: RFC 8259, so no NaN), ``int`` and ``float`` as numbers
  written in decimal (:func:`.json_text.to_int`, :func:`.json_text.to_float`: a
  sign, digits, a fraction and an exponent; not ``1_000``, ``nan`` nor ``inf``).
  A custom type is instantiated once at start-up with no arguments, and
  ``checker(value)`` fails when it raises ``ValueError`` (or ``TypeError``)
  or returns ``False``. ``is_not`` inverts the check. A missing header is
  of no type: ``is`` fails, ``is_not`` passes.
* ``unless HEADER validates with python:f return N``: ``f(globs, request,
  value)`` (a one-parameter ``f(value)`` also works) fails when it raises
  or returns ``False``; the exception text becomes the problem's detail.
* ``alter with python:f``: ``f(globs, request, body)`` returns the new body.
* Body values are given as ``str`` when they are valid UTF-8, else ``bytes``;
  header values as ``str`` (``None`` when missing).

``request`` is the WebOb request RedBarrel code expects.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from ..document import Document
from ..document.resolve import resolve
from ..errors import Loc, StartupError
from ..schema import AlterCheck, OnErrorCheck, Section, TypeCheck, ValidatorCheck
from . import json_text
from .exchange import Exchange, as_text
from .problems import HTTPProblem

__all__ = ['BUILTIN_CHECKERS', 'Step', 'build_types', 'compile_section']

#: A step: reads and may change the exchange; raises HTTPProblem to stop.
Step = Callable[[Exchange], None]


BUILTIN_CHECKERS: dict[str, Callable[[Any], Any]] = {
    'json': json_text.loads,
    'int': json_text.to_int,
    'float': json_text.to_float,
}


def build_types(document: Document) -> dict[str, Callable[[Any], Any]]:
    """Every checker by type name: built-ins plus the spec's ``types``, instantiated once.

    Raises:
        StartupError: a type cannot be imported or instantiated.
    """
    checkers = dict(BUILTIN_CHECKERS)
    for name, location in document.spec.types.items():
        loc = ('types', name)
        factory = resolve(document, loc, location)
        try:
            instance = factory()
        except Exception as ex:
            raise StartupError.at(
                document, loc, f'type {name!r}: {location}() failed: {type(ex).__name__}: {ex}'
            ) from ex
        if not callable(instance):
            raise StartupError.at(
                document,
                loc,
                f'type {name!r}: {location}() gave {instance!r}, which is not callable',
            )
        checkers[name] = instance
    return checkers


def compile_section(
    document: Document,
    loc: Loc,
    section: Section | None,
    *,
    phase: str,
    checkers: dict[str, Callable[[Any], Any]],
) -> list[Step]:
    """The steps of ``section`` in order (``phase`` is 'request' or 'response').

    ``on_error`` entries are not steps; see :attr:`rbconfig.schema.Path.on_error`.
    """
    if section is None:
        return []
    steps: list[Step] = []
    for index, check in enumerate(section.checks):
        where = (*loc, 'checks', index)
        if isinstance(check, TypeCheck):
            steps.append(_type_step(check, phase, checkers))
        elif isinstance(check, ValidatorCheck):
            func = resolve(document, (*where, 'validates'), check.validates)
            steps.append(_validator_step(document, where, check, phase, func))
        elif isinstance(check, AlterCheck):
            func = resolve(document, (*where, 'alter'), check.alter)
            _need_callable(document, (*where, 'alter'), check.alter, func)
            steps.append(_alter_step(func, phase))
        elif isinstance(check, OnErrorCheck):
            continue
    return steps


def _need_callable(document: Document, loc: Loc, location: str, func: Any) -> None:
    if not callable(func):
        raise StartupError.at(document, loc, f'{location} is not callable ({func!r})')


def _body_getter(phase: str) -> Callable[[Exchange], bytes]:
    if phase == 'request':
        return lambda x: x.body
    return lambda x: x.response_body()


def _header_getter(phase: str, header: str) -> Callable[[Exchange], str | None]:
    if phase == 'request':
        key = 'HTTP_' + header.upper().replace('-', '_')
        if key in ('HTTP_CONTENT_TYPE', 'HTTP_CONTENT_LENGTH'):
            key = key[5:]
        return lambda x: x.req.env.get(key)
    return lambda x: x.resp.get_header(header)


def _passes(checker: Callable[[Any], Any], value: Any, builtin: bool) -> tuple[bool, str]:
    """(whether ``value`` is of the type, why not)."""
    try:
        result = checker(value)
    except (ValueError, TypeError) as ex:
        return False, str(ex)
    if not builtin and result is False:
        return False, ''
    return True, ''


def _type_step(check: TypeCheck, phase: str, checkers: dict[str, Callable[[Any], Any]]) -> Step:
    name = check.type_name
    checker = checkers[name]
    builtin = name in BUILTIN_CHECKERS
    wanted = check.is_ is not None
    status = check.return_
    if check.header is None:
        get_body = _body_getter(phase)
        what = f'the {phase} body'
        if builtin and wanted and phase == 'request':
            return _builtin_body_step(checker, name, status)

        def body_step(x: Exchange) -> None:
            ok, why = _passes(checker, as_text(get_body(x)), builtin)
            if ok is not wanted:
                detail = f'{what} is {"not " if wanted else ""}{name}'
                raise HTTPProblem(status, f'{detail}: {why}' if why and wanted else detail)

        return body_step
    get_header = _header_getter(phase, check.header)
    header = check.header

    def header_step(x: Exchange) -> None:
        value = get_header(x)
        ok = value is not None and _passes(checker, value, builtin)[0]
        if ok is not wanted:
            state = 'missing' if value is None else f'{"not " if wanted else ""}{name}'
            raise HTTPProblem(status, f'the {phase} header {header} is {state}')

    return header_step


def _builtin_body_step(checker: Callable[[Any], Any], name: str, status: int) -> Step:
    """The common case, kept short: ``unless type is json|int|float`` on the request body.

    The parsed value is kept (``x.parsed``, and Falcon's media cache) so neither a
    json-style handler's ``body`` nor a Falcon handler's ``req.get_media()``
    parses it again.
    """
    is_json = name == 'json'

    def step(x: Exchange) -> None:
        try:
            value = checker(x.body)
        except (ValueError, TypeError) as ex:
            raise HTTPProblem(status, f'the request body is not {name}: {ex}') from None
        if is_json:
            x.parsed = x.req.checked_media = value  # req.get_media() needs no second parse

    return step


def _validator_step(
    document: Document, loc: Loc, check: ValidatorCheck, phase: str, func: Any
) -> Step:
    _need_callable(document, (*loc, 'validates'), check.validates, func)
    legacy = _takes_three(func)
    get_header = _header_getter(phase, check.header)
    header, status = check.header, check.return_

    def step(x: Exchange) -> None:
        value = get_header(x)
        try:
            result = func(x.globs, x.request, value) if legacy else func(value)
        except Exception as ex:
            raise HTTPProblem(
                status, f'{header}: {ex}' if str(ex) else f'{header} is invalid'
            ) from ex
        if result is False:  # (the validator's location stays out: the client reads this)
            raise HTTPProblem(status, f'{header} was refused')

    return step


def _takes_three(func: Any) -> bool:
    """True for ``f(globs, request, value)``; False for a one-parameter ``f(value)``."""
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return True
    positional = [
        p
        for p in signature.parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    varargs = any(p.kind == p.VAR_POSITIONAL for p in signature.parameters.values())
    return varargs or len(positional) != 1


def _encode(value: Any, location: str) -> bytes:
    if isinstance(value, str):
        return value.encode('utf-8')
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise TypeError(f'{location} returned {type(value).__name__}; expected str or bytes')


def _alter_step(func: Callable[..., Any], phase: str) -> Step:
    location = getattr(func, '__qualname__', repr(func))
    if phase == 'request':

        def request_step(x: Exchange) -> None:
            x.body = _encode(func(x.globs, x.request, as_text(x.body)), location)

        return request_step

    def response_step(x: Exchange) -> None:
        x.set_response_body(_encode(func(x.globs, x.request, as_text(x.response_body())), location))

    return response_step
