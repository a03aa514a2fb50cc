"""The python-socketio server built from the spec's ``socketio`` settings.

One :class:`socketio.Server` in gevent mode per app. WebSocket comes from
simple-websocket (never gevent-websocket, which would need a special pywsgi
handler class); long-polling needs nothing extra.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import simple_websocket
import socketio
from engineio.async_drivers import gevent as engine_gevent
from wsproto.events import Message, TextMessage

from ...schema import SocketIO

__all__ = [
    'DEFAULT_SETTINGS',
    'OriginCheck',
    'WebSocketConnection',
    'build_server',
    'websocket_library_problem',
]

#: The settings used when the spec has ``sockets`` but no ``socketio`` block.
DEFAULT_SETTINGS = SocketIO()

#: Bytes a Socket.IO event adds around its payload (``42["message",`` ... ``]``).
_FRAME_OVERHEAD = 256


class OriginCheck:
    """Allows the page's own origin plus the origins the spec lists.

    python-socketio allows *either* the same origin (``None``) *or* a list; the
    spec's ``origins`` are meant to come on top of the page's own, so this
    callable answers both.
    """

    def __init__(self, origins: list[str]) -> None:
        self.origins = frozenset(origin.rstrip('/') for origin in origins)

    def __call__(self, origin: str | None, environ: Mapping[str, Any]) -> bool:
        """True when ``origin`` may open a connection."""
        if origin is None:
            return True
        return origin in self.origins or origin in same_origins(environ)

    def __repr__(self) -> str:
        return f'OriginCheck({sorted(self.origins)!r})'


def same_origins(environ: Mapping[str, Any]) -> list[str]:
    """The origins a page served by this request's host has (with proxy headers)."""
    host = environ.get('HTTP_HOST')
    if not host:
        return []
    scheme = environ.get('wsgi.url_scheme', 'http')
    found = [f'{scheme}://{host}']
    forwarded_host = environ.get('HTTP_X_FORWARDED_HOST')
    forwarded_proto = environ.get('HTTP_X_FORWARDED_PROTO')
    if forwarded_host or forwarded_proto:
        proto = (forwarded_proto or scheme).split(',')[0].strip()
        name = (forwarded_host or host).split(',')[0].strip()
        found.append(f'{proto}://{name}')
    return found


def cors_setting(origins: list[str] | None) -> str | OriginCheck | None:
    """The ``cors_allowed_origins`` value for the spec's ``origins``.

    ``None`` (not set) keeps python-socketio's same-origin rule; ``['*']`` allows
    any origin; a list allows those and the page's own.
    """
    if origins is None:
        return None
    if '*' in origins:
        return '*'
    return OriginCheck(origins)


def websocket_library_problem() -> str | None:
    """Why WebSocket would not work in this environment, or None.

    engineio prefers gevent-websocket when it is importable, and then needs its
    handler class on the server; rbconfig's server does not use it.
    """
    if getattr(engine_gevent, 'SimpleWebSocketWSGI', None) is None:
        return (
            'gevent-websocket is installed, so python-engineio would use it and WebSocket '
            'clients would fail; rbconfig uses simple-websocket: '
            'run "python3 -m pip uninstall gevent-websocket"'
        )
    return None


class WebSocketConnection(simple_websocket.Server):
    """simple-websocket's server side, fixed for gevent.

    * Whole frames: simple-websocket writes with ``socket.send()``, which on a
      gevent socket may write only part of the data when the client's buffers
      are full, and the rest of the frame would be lost. :meth:`send` uses
      ``sendall()``.
    * No permessage-deflate: compressing every message once per recipient
      costs a fan-out dearly; the Node server does not compress by default
      either. The client's offer is ignored.
    """

    def handshake(self) -> None:
        """Answer the upgrade request, without the compression extension."""
        self.environ = {
            key: value
            for key, value in self.environ.items()
            if key != 'HTTP_SEC_WEBSOCKET_EXTENSIONS'
        }
        super().handshake()

    def send(self, data: bytes | str) -> None:
        """Send one message, all of it."""
        if not self.connected:
            raise simple_websocket.ConnectionClosed(self.close_reason, self.close_message)
        if isinstance(data, bytes):
            out = self.ws.send(Message(data=data))
        else:
            out = self.ws.send(TextMessage(data=str(data)))
        self.sock.sendall(out)


def _websocket_class(max_message: int) -> Callable[..., Any]:
    """engineio's gevent WebSocket wrapper on :class:`WebSocketConnection`.

    Frames are limited to ``max_message`` bytes (plus the packet's framing):
    without a limit simple-websocket would buffer a message of any size before
    engineio gets to check it.
    """
    base = engine_gevent.WebSocketWSGI

    class LimitedWebSocket(base):  # type: ignore[misc, valid-type]
        def __init__(self, handler: Any, server: Any) -> None:
            super().__init__(handler, server)
            self.server_args['max_message_size'] = max_message + _FRAME_OVERHEAD

        def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
            self.ws = WebSocketConnection(environ, **self.server_args)
            return self.app(self)

    return LimitedWebSocket


def build_server(settings: SocketIO | None, *, debug: bool = False) -> socketio.Server:
    """A gevent-mode :class:`socketio.Server` configured from ``settings``.

    Args:
        settings: the spec's ``socketio`` block (None for the defaults).
        debug: log engine.io and socket.io traffic at INFO level.

    Returns:
        The server; its handlers are registered by the caller.
    """
    settings = settings or DEFAULT_SETTINGS
    logger: logging.Logger | bool = logging.getLogger('rbconfig.socket.engine') if debug else False
    server = socketio.Server(
        async_mode='gevent',
        cors_allowed_origins=cors_setting(settings.origins),
        ping_interval=settings.ping_interval,
        ping_timeout=settings.ping_timeout,
        max_http_buffer_size=settings.max_message,
        logger=logger,
        engineio_logger=logger,
    )
    engine = server.eio
    engine._async = {**engine._async, 'websocket': _websocket_class(settings.max_message)}
    return server
