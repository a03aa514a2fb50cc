"""The start-up checks of ``rbconfig run``, every one, without serving (``validate --import``).

:func:`~rbconfig.runtime.wsgi.create_wsgi_app` stops at the first problem and
runs the spec's start-up code; :func:`startup_problems` imports every handler
module and checks what run checks, in the same order and with the same
functions, and lists every problem: the globals (imported and checked, their
factories not called), the custom types (made once, as at start-up), every
path, the socket handlers and the Socket.IO client.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from ..document import Document
from ..document.resolve import resolve
from ..errors import Problem, StartupError
from ..schema import LOCATION_SCHEMES

__all__ = ['startup_problems']


def startup_problems(document: Document) -> list[Problem]:
    """Every problem ``rbconfig run`` would refuse ``document`` for at start-up.

    Handler modules are imported (their top-level code runs); global factories
    are not called.
    """
    from .app import route_problems

    problems: list[Problem] = []

    def attempt(check: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        try:
            check(*args, **kwargs)
        except StartupError as ex:
            problems.extend(ex.problems)

    spec = document.spec
    for name, value in spec.globals.items():
        if isinstance(value, str) and value.partition(':')[0] in LOCATION_SCHEMES:
            attempt(_check_global, document, name, value)
    problems += route_problems(document)
    if spec.sockets:
        from .socket.client_js import find_client
        from .socket.events import resolve_event, resolve_legacy
        from .socket.server import check_versions

        trouble = check_versions()  # what create_hub refuses
        if trouble:
            problems.append(document.problem(('sockets',), trouble))
        for namespace, sockets in spec.sockets.items():
            loc = ('sockets', namespace)
            for event, handler in sockets.events.items():
                attempt(resolve_event, document, (*loc, 'events', event), event, handler.use)
            if sockets.use is not None:
                attempt(resolve_legacy, document, (*loc, 'use'), sockets.use)
        attempt(find_client, document)
    return problems


def _check_global(document: Document, name: str, value: str) -> None:
    """A global's location resolves; a factory could be called as ``factory(globs)``."""
    if not value.startswith('python:'):
        resolve(document, ('globals', name), value)
        return
    from .globs import global_factory

    factory, wants_hub = global_factory(document, name, value, has_hub=bool(document.spec.sockets))
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):  # builtins without a signature
        return
    try:
        signature.bind({}, **({'hub': None} if wants_hub else {}))
    except TypeError as ex:
        raise StartupError.at(
            document,
            ('globals', name),
            f'global {name!r}: {value}{signature} cannot be called as (globs): {ex}',
        ) from None
