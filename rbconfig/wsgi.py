"""WSGI entry points: a spec file in, the app serving it out (for gunicorn and friends).

::

    gunicorn -k gevent 'rbconfig.wsgi:app_factory("apps/hello/hello.yaml")'
    RBCONFIG_SPEC=apps/hello/hello.yaml gunicorn -k gevent rbconfig.wsgi:application

``application`` is built on first access from the ``RBCONFIG_SPEC``
environment variable (``RBCONFIG_DEBUG=1`` and ``RBCONFIG_MOCK=1`` turn on
``--debug`` and ``--mock``). gunicorn's gevent worker monkey-patches before
it loads the app, as ``rbconfig run`` does.

This module sits where the command line does: it loads the spec (a
converter), renders its pages (an exporter) and builds the app (the runtime).
"""

from __future__ import annotations

import os
from typing import Any

from .document import Document
from .errors import SpecError
from .runtime.wsgi import WSGIApp

__all__ = ['app_factory', 'wsgi_app']

_TRUE = ('1', 'true', 'yes', 'on')


def wsgi_app(document: Document, *, debug: bool = False, mock: bool = False) -> WSGIApp:
    """The WSGI callable serving ``document``, with ``/__doc__`` and ``/__openapi__.json``.

    Raises:
        StartupError: a location cannot be resolved (with the spec's file:line:col).
    """
    from .export.pages import introspection_pages
    from .runtime.wsgi import create_wsgi_app

    return create_wsgi_app(document, debug=debug, mock=mock, pages=introspection_pages(document))


def app_factory(
    spec_path: str | os.PathLike[str], *, debug: bool = False, mock: bool = False
) -> WSGIApp:
    """The WSGI app of the spec at ``spec_path``, for gunicorn and other WSGI servers.

    Example::

        gunicorn -k gevent 'rbconfig.wsgi:app_factory("apps/hello/hello.yaml")'

    Raises:
        gunicorn.errors.AppImportError: (under gunicorn) the spec is invalid or
            cannot start; gunicorn prints the problems, each with file:line:col,
            and stops. Elsewhere :class:`~rbconfig.errors.SpecError`.
    """
    from .converters import load

    try:
        return wsgi_app(load(spec_path), debug=debug, mock=mock)
    except SpecError as ex:
        raise _load_error(ex) from ex


def _load_error(error: SpecError) -> Exception:
    try:
        from gunicorn.errors import AppImportError
    except ImportError:  # not under gunicorn
        return error
    return AppImportError(f'rbconfig: the spec cannot be served:\n{error}')


def _from_environment() -> WSGIApp:
    spec_path = os.environ.get('RBCONFIG_SPEC')
    if not spec_path:
        message = (
            'rbconfig.wsgi:application needs the RBCONFIG_SPEC environment variable '
            '(the spec file to serve), or use '
            '\'rbconfig.wsgi:app_factory("path/to/spec.yaml")\''
        )
        try:
            from gunicorn.errors import AppImportError
        except ImportError:
            raise RuntimeError(message) from None
        raise AppImportError(message)
    return app_factory(
        spec_path,
        debug=os.environ.get('RBCONFIG_DEBUG', '').lower() in _TRUE,
        mock=os.environ.get('RBCONFIG_MOCK', '').lower() in _TRUE,
    )


_application: WSGIApp | None = None


def __getattr__(name: str) -> Any:
    # ``application`` is built on first access, so importing this module is cheap.
    global _application
    if name == 'application':
        if _application is None:
            _application = _from_environment()
        return _application
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
