"""Build the ``globs`` dict passed to every handler, once, at start-up.

Globals are built in the order they are written. A value with a location
prefix is resolved and, as in RedBarrel, called with a shallow copy of the
globals defined before it; what it returns becomes the global:

* ``python:pkg.factory`` → ``factory(dict(previous_globals))``; a factory
  with a parameter named ``hub`` also gets the app's Socket.IO
  :class:`~rbconfig.runtime.socket.Hub` as ``factory(globs, hub=hub)``, to push
  events from code started here (checked at start-up: the spec must declare
  ``sockets``);
* ``file:PATH`` → a :class:`FileValue`: the file's bytes, which also answers
  ``.body``, ``.text`` and ``.content_type`` like the webob Response
  RedBarrel stored, so legacy code reading ``globs['config'].body`` still works;
* ``directory:PATH`` → the folder as an absolute :class:`~pathlib.Path`;
* ``proxy:URL`` → the URL text.

Any other value (text, number, boolean) is stored as written.
"""

from __future__ import annotations

import inspect
import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..document import Document
from ..document.conventions import params_of
from ..document.conventions import wants_hub as _params_want_hub
from ..document.resolve import resolve
from ..errors import StartupError
from ..schema import LOCATION_SCHEMES

if TYPE_CHECKING:
    from .socket.hub import Hub

__all__ = ['FileValue', 'build_globals', 'global_factory']


class FileValue(bytes):
    """The content of a ``file:`` global: bytes, plus a Response-like surface."""

    path: Path
    content_type: str

    def __new__(cls, path: Path) -> FileValue:
        value = super().__new__(cls, path.read_bytes())
        value.path = path
        value.content_type = mimetypes.guess_type(path.name)[0] or 'application/octet-stream'
        return value

    @property
    def body(self) -> bytes:
        """The bytes (webob ``Response.body``)."""
        return bytes(self)

    @property
    def text(self) -> str:
        """The content decoded as UTF-8 (webob ``Response.text``)."""
        return self.decode('utf-8')


def _wants_hub(func: Callable[..., Any]) -> bool:
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):  # builtins without a signature
        return False
    return _params_want_hub(params_of(signature))


def global_factory(
    document: Document, name: str, value: str, *, has_hub: bool
) -> tuple[Callable[..., Any], bool]:
    """The factory behind the ``python:`` global ``name``, checked before it is called.

    Returns:
        The factory, and whether it takes the hub (a ``hub`` parameter).

    Raises:
        StartupError: it cannot be imported, is not callable, or asks for the
            hub when the spec has no sockets (``has_hub`` False).
    """
    loc = ('globals', name)
    target = resolve(document, loc, value)
    if not callable(target):
        raise StartupError.at(
            document, loc, f'global {name!r}: {value} is not callable ({target!r})'
        )
    wants_hub = _wants_hub(target)
    if wants_hub and not has_hub:
        raise StartupError.at(
            document,
            loc,
            f"global {name!r}: {value} takes a 'hub' parameter (the Socket.IO "
            'hub), but the spec declares no sockets',
        )
    return target, wants_hub


def build_globals(document: Document, *, hub: Hub | None = None) -> dict[str, Any]:
    """The globals of ``document``'s spec, built in order.

    Args:
        document: the loaded spec.
        hub: the app's Socket.IO hub (None when the spec has no ``sockets``),
            given to factories that have a ``hub`` parameter.

    Raises:
        StartupError: a location cannot be resolved, calling it failed, or it
            asks for the hub and the spec has no sockets.
    """
    globs: dict[str, Any] = {}
    for name, value in document.spec.globals.items():
        loc = ('globals', name)
        if not (isinstance(value, str) and value.partition(':')[0] in LOCATION_SCHEMES):
            globs[name] = value
            continue
        scheme = value.partition(':')[0]
        if scheme == 'file':
            globs[name] = FileValue(resolve(document, loc, value))
        elif scheme in ('directory', 'proxy'):
            globs[name] = resolve(document, loc, value)
        else:
            factory, wants_hub = global_factory(document, name, value, has_hub=hub is not None)
            extra = {'hub': hub} if wants_hub else {}
            try:
                globs[name] = factory(dict(globs), **extra)
            except Exception as ex:
                raise StartupError.at(
                    document,
                    loc,
                    f'global {name!r}: {value}(globs) failed: {type(ex).__name__}: {ex}',
                ) from ex
    return globs
