"""The WSGI app of a spec: its paths, ``/__doc__``, ``/__openapi__.json`` and sockets.

Two entry points for WSGI servers such as gunicorn::

    gunicorn -k gevent 'rbconfig.runtime.wsgi:app_factory("apps/hello/hello.yaml")'
    RBCONFIG_SPEC=apps/hello/hello.yaml gunicorn -k gevent rbconfig.runtime.wsgi:application

``application`` is built on first access from the ``RBCONFIG_SPEC``
environment variable (``RBCONFIG_DEBUG=1`` and ``RBCONFIG_MOCK=1`` turn on
``--debug`` and ``--mock``). gunicorn's gevent worker monkey-patches before
it loads the app, as ``rbconfig run`` does.

The two introspection pages live under the spec's ``root``: with
``root: /api`` they are ``/api/__doc__`` and ``/api/__openapi__.json``, so a
reverse proxy that forwards only ``/api`` still shows them. A spec path
claiming one of those URLs wins over the built-in page.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..converters.base import Document
from ..errors import SpecError
from ..schema import route_key
from .openapi import full_url

if TYPE_CHECKING:
    import falcon

__all__ = [
    'DOC_PAGE',
    'OPENAPI_JSON',
    'add_introspection',
    'app_factory',
    'create_wsgi_app',
    'introspection_urls',
]

#: The introspection pages, relative to the spec's root.
DOC_PAGE = '/__doc__'
OPENAPI_JSON = '/__openapi__.json'

WSGIApp = Callable[..., Any]

_TRUE = ('1', 'true', 'yes', 'on')


def create_wsgi_app(document: Document, *, debug: bool = False, mock: bool = False) -> WSGIApp:
    """The WSGI callable serving ``document``.

    When the spec has sockets, their :class:`~rbconfig.runtime.socket.Hub` is
    made first. Globals are built once (a factory with a ``hub`` parameter
    gets the hub); the Falcon app gets the spec's paths and the two
    introspection pages; Socket.IO is mounted around it.

    Raises:
        StartupError: a location cannot be resolved (with the spec's file:line:col).
    """
    from .app import build_app
    from .globs import build_globals

    hub = None
    if document.spec.sockets:  # made first: start-up code in the globals may push with it
        from .socket import create_hub

        hub = create_hub(document, debug=debug)
    globs = build_globals(document, hub=hub)
    app = build_app(document, globs=globs, debug=debug, mock=mock)
    add_introspection(app, document)
    if hub is not None:
        from .socket import mount

        return mount(document, app, globs, debug=debug, hub=hub)
    return app


def introspection_urls(document: Document) -> dict[str, str]:
    """``{'doc': URL, 'openapi': URL}`` for ``document`` (under its root)."""
    root = document.spec.root
    return {'doc': full_url(root, DOC_PAGE), 'openapi': full_url(root, OPENAPI_JSON)}


def add_introspection(app: falcon.App, document: Document) -> None:
    """Route ``/__doc__`` and ``/__openapi__.json`` (under the root) on ``app``.

    Both pages are rendered once, here, so a ``python:`` model that cannot be
    imported stops start-up instead of failing a request later.
    """
    from .docpage import render_doc_page
    from .openapi import openapi_document

    urls = introspection_urls(document)
    taken = {
        route_key(full_url(document.spec.root, path.url))
        for path in document.spec.paths.values()
        if path.url is not None and 'GET' in (path.method or ['GET'])
    }
    if route_key(urls['openapi']) not in taken:
        body = json.dumps(openapi_document(document), indent=2, ensure_ascii=False).encode()
        app.add_route(urls['openapi'], _Page(body, 'application/json'))
    if route_key(urls['doc']) not in taken:
        page = render_doc_page(document, openapi_url=urls['openapi']).encode()
        app.add_route(urls['doc'], _Page(page, 'text/html; charset=utf-8'))


class _Page:
    """A fixed page, rendered at start-up."""

    def __init__(self, body: bytes, content_type: str) -> None:
        self.body = body
        self.content_type = content_type

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.data = self.body
        resp.content_type = self.content_type

    on_head = on_get


def app_factory(
    spec_path: str | os.PathLike[str], *, debug: bool = False, mock: bool = False
) -> WSGIApp:
    """The WSGI app of the spec at ``spec_path``, for gunicorn and other WSGI servers.

    Example::

        gunicorn -k gevent 'rbconfig.runtime.wsgi:app_factory("apps/hello/hello.yaml")'

    Raises:
        gunicorn.errors.AppImportError: (under gunicorn) the spec is invalid or
            cannot start; gunicorn prints the problems, each with file:line:col,
            and stops. Elsewhere :class:`~rbconfig.errors.SpecError`.
    """
    from ..converters import load

    try:
        return create_wsgi_app(load(spec_path), debug=debug, mock=mock)
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
            'rbconfig.runtime.wsgi:application needs the RBCONFIG_SPEC environment variable '
            '(the spec file to serve), or use '
            '\'rbconfig.runtime.wsgi:app_factory("path/to/spec.yaml")\''
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
