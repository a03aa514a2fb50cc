"""Socket.IO for a spec's ``sockets``: python-socketio in gevent mode around the app.

:func:`mount` wraps the Falcon app in a WSGI callable that sends

* ``<path>/`` (``/socket.io/`` by default) to the Socket.IO server
  (rbconfig's Engine.IO server, :mod:`.engine`: WebSocket or long-polling);
* ``<path>/socket.io.js`` (and ``.min.js``, ``.esm.min.js``, source maps) to the
  browser client: a local copy, or a redirect to the CDN (see :mod:`.client_js`);
* everything else to the app, with ``environ['rbconfig.hub']`` (the
  :class:`Hub`) set so an HTTP handler can push to the socket clients, and
  ``environ['socketio']`` so a RedBarrel HTTP handler can
  ``request.environ['socketio'].server.broadcast(msg)``.

Modern handlers get a :class:`Context`; RedBarrel handlers ``func(globs,
request)`` get ``request.socketio`` (see :mod:`.legacy`). Code outside any
handler pushes through the :class:`Hub` (see :mod:`.hub`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from socketio.exceptions import ConnectionRefusedError as ConnectionRefused

from ...document import Document
from .client_js import CLIENT_FILES, ClientScript, find_client
from .context import Context
from .hub import ENVIRON_KEY, Hub, create_hub
from .legacy import Disconnected, HttpSocketIO, LegacySocket
from .namespaces import Namespaces

__all__ = [
    'ENVIRON_KEY',
    'ConnectionRefused',
    'Context',
    'Disconnected',
    'Hub',
    'LegacySocket',
    'SocketApp',
    'Namespaces',
    'create_hub',
    'mount',
]

logger = logging.getLogger('rbconfig.socket')

#: Under the Socket.IO path, with ``debug``: the counters of :meth:`Namespaces.stats`.
STATS_NAME = '_rbconfig/stats'

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class SocketApp:
    """The WSGI callable :func:`mount` returns: Socket.IO, its client, then the app.

    Attributes:
        namespaces: the :class:`Namespaces` (python-socketio server, handlers).
        app: the wrapped WSGI app.
        client: the responder for ``socket.io.js``.
        hub: the :class:`Hub`, also in every request's ``environ['rbconfig.hub']``.
    """

    def __init__(
        self, namespaces: Namespaces, app: WSGIApp, client: ClientScript, *, debug: bool = False
    ) -> None:
        self.namespaces = namespaces
        self.app = app
        self.client = client
        self.debug = debug
        self.path = namespaces.settings.path.rstrip('/')
        self.hub = namespaces.hub
        self._http_socketio = HttpSocketIO(namespaces.legacy_server)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        """Dispatch one request."""
        environ[ENVIRON_KEY] = self.hub
        path = environ.get('PATH_INFO') or '/'
        prefix = self.path
        if path == prefix or path.startswith(prefix + '/'):
            rest = path[len(prefix) + 1 :]
            if not rest:
                return self.namespaces.server.handle_request(environ, start_response)
            if rest in CLIENT_FILES:
                return self.client(environ, start_response, rest)
            if self.debug and rest == STATS_NAME:
                return self._stats(start_response)
        environ['socketio'] = self._http_socketio
        return self.app(environ, start_response)

    def _stats(self, start_response: Callable[..., Any]) -> list[bytes]:
        body = json.dumps(self.namespaces.stats()).encode()
        start_response(
            '200 OK',
            [('Content-Type', 'application/json'), ('Content-Length', str(len(body)))],
        )
        return [body]


def mount(
    document: Document,
    app: WSGIApp,
    globs: Mapping[str, Any],
    *,
    debug: bool = False,
    hub: Hub | None = None,
) -> SocketApp:
    """Wrap ``app`` with the Socket.IO server of ``document``'s ``sockets``.

    Args:
        document: the loaded spec; ``document.spec.sockets`` names the handlers.
        app: the WSGI app serving the spec's paths.
        globs: the spec's globals (the same dict HTTP handlers get).
        debug: log Socket.IO traffic; serve ``<path>/_rbconfig/stats``.
        hub: the :class:`Hub` made by :func:`create_hub` before the globals
            (so start-up code could be given it); made here when None.

    Returns:
        The WSGI callable to serve (with gevent's pywsgi).

    Raises:
        StartupError: a handler cannot be imported or called as its event
            needs, or the client file named in the spec is missing.
    """
    namespaces = Namespaces(document, globs, debug=debug, hub=hub)
    client = find_client(document)
    logger.info(
        'Socket.IO at %s/ for namespaces %s; client script: %s',
        namespaces.settings.path.rstrip('/'),
        ', '.join(document.spec.sockets) or '(none)',
        client.describe(),
    )
    return SocketApp(namespaces, app, client, debug=debug)
