"""The WSGI app of a spec: its paths, the pages it is given, and its sockets.

The runtime knows nothing of where pages such as ``/__doc__`` come from: the
caller renders them (see :mod:`rbconfig.export.pages`) and passes them in;
a spec path claiming one of their URLs wins over the page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..document import Document
from ..schema import full_url, route_key

if TYPE_CHECKING:
    import falcon

__all__ = ['Page', 'WSGIApp', 'add_pages', 'create_wsgi_app']

WSGIApp = Callable[..., Any]

#: A fixed page: its body and content type.
Page = tuple[bytes, str]


def create_wsgi_app(
    document: Document,
    *,
    debug: bool = False,
    mock: bool = False,
    pages: Mapping[str, Page] | None = None,
) -> WSGIApp:
    """The WSGI callable serving ``document``.

    When the spec has sockets, their :class:`~rbconfig.runtime.socket.Hub` is
    made first. Globals are built once (a factory with a ``hub`` parameter
    gets the hub); the Falcon app gets the spec's paths and ``pages`` (by
    URL, with the spec's root already in front); Socket.IO is mounted around it.

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
    add_pages(app, document, pages or {})
    if hub is not None:
        from .socket import mount

        return mount(document, app, globs, debug=debug, hub=hub)
    return app


def add_pages(app: falcon.App, document: Document, pages: Mapping[str, Page]) -> None:
    """Route each of ``pages`` (URL → body, content type) that no spec GET path takes."""
    taken = {
        route_key(full_url(document.spec.root, path.url))
        for path in document.spec.paths.values()
        if path.url is not None and 'GET' in path.methods
    }
    for url, (body, content_type) in pages.items():
        if route_key(url) not in taken:
            app.add_route(url, _Page(body, content_type))


class _Page:
    """A fixed page, rendered at start-up."""

    def __init__(self, body: bytes, content_type: str) -> None:
        self.body = body
        self.content_type = content_type

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.data = self.body
        resp.content_type = self.content_type

    on_head = on_get
