"""Serve a WSGI app with gevent: TCP_NODELAY, an access log and a clean stop.

gevent's pywsgi writes a response's headers and body in two sends. On a
keep-alive connection, Nagle's algorithm then holds the body back until the
client acknowledges the headers, which a client delays by ~40 ms: ten times
fewer requests per second. :class:`Server` sets ``TCP_NODELAY`` on every
accepted socket.

On SIGINT or SIGTERM the server stops accepting, closes idle keep-alive
connections and long-lived exchanges (WebSockets, Socket.IO long-polls: their
clients reconnect), lets other requests in flight finish (at most
``stop_timeout`` seconds) and returns, so the process exits with status 0.

gevent's monkey-patching must have been done before this module is used with
an app that does blocking I/O (``rbconfig run`` does it first thing).
"""

from __future__ import annotations

import signal
import socket
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

import gevent
from gevent.event import Event
from gevent.pool import Pool
from gevent.pywsgi import WSGIHandler, WSGIServer

from ..errors import redact

__all__ = ['AccessLog', 'Server', 'serve']

WSGIApp = Callable[..., Any]


class Connection(WSGIHandler):
    """pywsgi's handler, with a shorter access-log line and graceful-stop support."""

    server: Server
    close_connection: bool

    def read_requestline(self) -> str:
        # Between requests a keep-alive connection idles here; stop() closes those.
        idle = self.server.idle
        idle.add(self)
        try:
            return super().read_requestline()
        finally:
            idle.discard(self)

    def get_environ(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().get_environ()
        # The connection's own socket, for a WebSocket upgrade (runtime/socket/websocket.py).
        environ['rbconfig.socket'] = self.socket
        return environ

    def start_response(self, status: str, headers: list[Any], exc_info: Any = None) -> Any:
        if self.server.stopping or self.close_connection:
            # The connection closes after this response (the client asked for it,
            # or the server stops): say so.
            self.close_connection = True
            if not any(name.lower() == 'connection' for name, _ in headers):
                headers = [*headers, ('Connection', 'close')]
        return super().start_response(status, headers, exc_info)

    def handle_one_request(self) -> Any:
        if self.server.stopping:
            return None
        return super().handle_one_request()

    def format_request(self) -> str:
        """``127.0.0.1 "GET /hello HTTP/1.1" 200 12 0.4ms [request-id]``.

        The request id (the ``X-Request-ID`` response header the app sets)
        links the line to the app's own log lines about that request.
        """
        address = self.client_address
        client = address[0] if isinstance(address, tuple) else address
        status = str(self.code) if self.code and self.code > 0 else '000'
        length = self.response_length or '-'
        if self.time_finish:
            took = f'{(self.time_finish - self.time_start) * 1000:.1f}ms'
        else:
            took = '-'
        # A token in a query string stays out of the log.
        line = f'{client or "-"} "{redact(self.requestline or "")}" {status} {length} {took}'
        for name, value in getattr(self, 'response_headers', None) or ():
            if name.lower() == b'x-request-id':
                return f'{line} [{value.decode("latin-1")}]'
        return line


class Server(WSGIServer):
    """A pywsgi server with ``TCP_NODELAY`` on each connection and a graceful :meth:`stop`.

    Args:
        listener: an ``(host, port)`` address or a bound, listening socket.
        application: the WSGI app.
        log: where access lines go (a logger, a file, or None for none).
        stop_timeout: seconds that requests in flight get to finish on stop.
        **kwargs: passed to :class:`gevent.pywsgi.WSGIServer`.
    """

    handler_class = Connection

    def __init__(
        self,
        listener: Any,
        application: WSGIApp,
        *,
        log: Any = 'default',
        stop_timeout: float = 5.0,
        **kwargs: Any,
    ) -> None:
        # A pool, so that stop() can wait for the connections in flight.
        kwargs.setdefault('spawn', Pool())
        super().__init__(listener, application, log=log, **kwargs)
        self.stop_timeout = stop_timeout
        self.stopping = False
        self.idle: set[Connection] = set()
        #: Each open connection's handler and the greenlet serving it.
        self.handlers: dict[Connection, Any] = {}

    def handle(self, sock: Any, address: Any) -> None:
        """Set ``TCP_NODELAY`` on the connection, then serve it."""
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # not TCP (a Unix socket): nothing to do
            pass
        handler = self.handler_class(sock, address, self)
        self.handlers[handler] = gevent.getcurrent()
        try:
            handler.handle()
        finally:
            self.handlers.pop(handler, None)

    def stop(self, timeout: float | None = None) -> None:
        """Stop accepting and wait (at most ``stop_timeout``) for requests in flight.

        Idle keep-alive connections are closed at once. So are long-lived
        exchanges that would only end with the client (WebSockets and Socket.IO
        long-polls): their clients reconnect to the next server, which matters
        for ``--reload`` with a browser open. Other requests finish and answer
        with ``Connection: close``.
        """
        self.stopping = True
        self.close()
        for handler, greenlet in list(self.handlers.items()):
            if handler in self.idle:
                _shutdown(handler)
            elif _long_lived(handler):
                _shutdown(handler)
                greenlet.kill(block=False)
            else:
                handler.close_connection = True  # 'Connection: close' when it answers
        if self.pool is not None:
            self.pool.join(timeout=self.stop_timeout if timeout is None else timeout)
            self.pool.kill(block=True, timeout=1)


def _shutdown(handler: Connection) -> None:
    sock = getattr(handler, 'socket', None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _long_lived(handler: Connection) -> bool:
    """A WebSocket, or an Engine.IO long-poll waiting for something to say."""
    environ = getattr(handler, 'environ', None) or {}
    if environ.get('HTTP_UPGRADE', '').lower() == 'websocket':
        return True
    return environ.get('REQUEST_METHOD') == 'GET' and 'transport=polling' in environ.get(
        'QUERY_STRING', ''
    )


class AccessLog:
    """Writes ``TIME LINE`` to a stream: the access log.

    Straight to the stream rather than through :mod:`logging`: about 1 µs a
    line instead of 7.5 µs, which is a tenth of a small request's cost.
    The time stamp (local time, to the second) is formatted once a second.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self._second = -1
        self._stamp = ''

    def write(self, line: str) -> None:
        """Write one line (pywsgi passes it with its newline)."""
        now = int(time.time())
        if now != self._second:
            self._second = now
            self._stamp = time.strftime('%Y-%m-%dT%H:%M:%S', time.localtime(now))
        (self.stream or sys.stderr).write(f'{self._stamp} {line}')


def serve(
    application: WSGIApp,
    host: str = '127.0.0.1',
    port: int = 8000,
    *,
    listener: socket.socket | None = None,
    access_log: bool = True,
    banner: str | None = None,
    stop_timeout: float = 5.0,
    stream: TextIO | None = None,
) -> int:
    """Serve ``application`` until SIGINT or SIGTERM; returns the exit status.

    Args:
        application: the WSGI app.
        host: the address to bind.
        port: the port to bind.
        listener: an already listening socket to use instead (``--reload`` passes one).
        access_log: write one line per request to stderr.
        banner: text printed after the URL on the start-up line.
        stop_timeout: seconds that requests in flight get to finish on stop.
        stream: where the start-up and stop lines go (default: stderr).

    Returns:
        0 after a clean stop, 1 when the address cannot be bound.
    """
    out = stream or sys.stderr
    server = Server(
        listener if listener is not None else (host, port),
        application,
        log=AccessLog() if access_log else None,
        stop_timeout=stop_timeout,
    )
    try:
        server.start()
    except OSError as ex:
        print(f'rbconfig: cannot listen on {host}:{port}: {ex.strerror or ex}', file=out)
        return 1
    bound_host, bound_port = server.server_host, server.server_port
    shown = f'[{bound_host}]' if ':' in str(bound_host) else bound_host
    print(f'rbconfig: serving on http://{shown}:{bound_port}{banner or ""}', file=out, flush=True)

    stopped = Event()

    def on_signal(signum: int) -> None:
        if not stopped.is_set():
            print(f'rbconfig: {signal.Signals(signum).name}, stopping', file=out, flush=True)
            stopped.set()

    handlers = [
        gevent.signal_handler(signum, on_signal, signum)
        for signum in (signal.SIGINT, signal.SIGTERM)
    ]
    try:
        stopped.wait()
        started = time.monotonic()
        server.stop()
        print(f'rbconfig: stopped in {time.monotonic() - started:.1f}s', file=out, flush=True)
    finally:
        for handler in handlers:
            handler.cancel()
    return 0
