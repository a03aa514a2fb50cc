"""The python-socketio server built from the spec's ``socketio`` settings.

One :class:`socketio.Server` in gevent mode per app. WebSocket comes from
simple-websocket (never gevent-websocket, which would need a special pywsgi
handler class); long-polling needs nothing extra.
"""

from __future__ import annotations

import logging
import socket
import struct
from collections.abc import Callable, Mapping
from typing import Any

import gevent
import gevent.event
import simple_websocket
import socketio
from engineio.async_drivers import gevent as engine_gevent
from wsproto.events import CloseConnection
from wsproto.frame_protocol import CloseReason

from ...schema import SocketIO

__all__ = [
    'DEFAULT_SETTINGS',
    'OriginCheck',
    'WebSocketConnection',
    'build_server',
    'server_frame',
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


class _ShutdownOnClose:
    """A socket whose ``close()`` ends the TCP connection for every descriptor.

    simple-websocket works on a duplicate of the server's socket; closing only
    the duplicate would leave the HTTP server waiting for a next request on
    the original, for as long as the client keeps the connection open.
    """

    __slots__ = ('_sock',)

    def __init__(self, sock: Any) -> None:
        self._sock = sock

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)

    def close(self) -> None:
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._sock.close()


def server_frame(data: bytes | str) -> bytes:
    """One unfragmented, unmasked WebSocket data frame (RFC 6455, section 5.2).

    What wsproto builds for a server with no extension, without its per-frame
    bookkeeping: in a fan-out every recipient costs one frame.
    """
    if isinstance(data, bytes):
        opcode, payload = 0x82, data
    else:
        opcode, payload = 0x81, str(data).encode('utf-8')
    size = len(payload)
    if size < 126:
        return bytes((opcode, size)) + payload
    if size < 0x10000:
        return struct.pack('!BBH', opcode, 126, size) + payload
    return struct.pack('!BBQ', opcode, 127, size) + payload


class WebSocketConnection(simple_websocket.Server):
    """simple-websocket's server side, adapted to gevent and to fan-out.

    * Whole frames, batched: simple-websocket writes each message with
      ``socket.send()``, which on a gevent socket may write only part of the
      data when the client's buffers are full (the rest of the frame would be
      lost), and costs one system call per message. Here :meth:`send` only
      queues the frame; a writer greenlet sends everything queued with one
      ``sendall()``, so a burst to a client costs one call, not one per message.
    * A client that stops reading: the socket has a timeout (the ping interval
      plus the ping timeout, what engine.io gives a peer to answer); past it the
      connection is shut down and every greenlet of it ends.
    * No permessage-deflate: compressing every message once per recipient
      costs a fan-out dearly; the Node server does not compress by default
      either. The client's offer is ignored.

    It uses simple-websocket 1.x's attributes (``sock``, ``ws``, ``connected``,
    ``event``, ``environ``), none private but none documented either, hence
    the ``<2`` bound in pyproject.toml. Control frames that simple-websocket's
    reading greenlet answers itself (a pong to a client's WebSocket ping, the
    echo of a close) still go out with ``socket.send()``, outside the queue;
    Socket.IO clients ping at the engine.io level, through :meth:`send`.
    """

    def __init__(
        self, environ: dict[str, Any], *, send_timeout: float | None = None, **kwargs: Any
    ) -> None:
        self._pending: list[bytes] = []
        self._wake = gevent.event.Event()
        self._finished = False
        super().__init__(environ, **kwargs)
        if send_timeout is not None:
            self.sock.settimeout(send_timeout)
        self._writer = gevent.spawn(self._write_pending)

    def handshake(self) -> None:
        """Answer the upgrade request, without the compression extension."""
        self.sock = _ShutdownOnClose(self.sock)
        self.environ = {
            key: value
            for key, value in self.environ.items()
            if key != 'HTTP_SEC_WEBSOCKET_EXTENSIONS'
        }
        super().handshake()

    def send(self, data: bytes | str) -> None:
        """Queue one message for the writer greenlet."""
        if not self.connected:
            raise simple_websocket.ConnectionClosed(self.close_reason, self.close_message)
        self._pending.append(server_frame(data))
        self._wake.set()

    def close(self, reason: int | None = None, message: str | None = None) -> None:
        """Queue the closing frame after what is pending; the writer then ends."""
        if not self.connected:
            raise simple_websocket.ConnectionClosed(self.close_reason, self.close_message)
        self._pending.append(
            self.ws.send(CloseConnection(reason or CloseReason.NORMAL_CLOSURE, message))
        )
        self.connected = False
        self.finish()

    def finish(self) -> None:
        """Let the writer greenlet send what is pending, then end."""
        self._finished = True
        self._wake.set()

    def _write_pending(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._pending:
                data = b''.join(self._pending)
                self._pending.clear()
                try:
                    self.sock.sendall(data)
                except OSError:  # gone, or stopped reading for too long
                    self._pending.clear()
                    self.connected = False
                    self.event.set()
                    self.sock.close()  # ends the reading greenlet and the connection
                    return
            if self._finished:
                return


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
            self._send_timeout = server.ping_interval + server.ping_timeout

        def close(self) -> None:
            if self.ws.connected:
                self.ws.close()
            else:
                self.ws.finish()

        def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
            # SimpleWebSocketWSGI.__call__, with the connection class above.
            self.ws = WebSocketConnection(
                environ, send_timeout=self._send_timeout, **self.server_args
            )
            try:
                result = self.app(self)
            finally:
                self.ws.finish()  # engine.io is done with it: the writer may end
            if self.ws.mode == 'gunicorn':
                raise StopIteration()  # gunicorn must not write a response of its own
            if self.ws.mode == 'werkzeug':
                raise ConnectionError()
            return result

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
    # engine.io takes its WebSocket class from this private table, with no public
    # hook (python-engineio is pinned <5); copied, so other servers keep theirs.
    engine._async = {**engine._async, 'websocket': _websocket_class(settings.max_message)}
    return server
