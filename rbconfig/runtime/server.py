"""Serve a WSGI app with gevent: strict HTTP/1.1, time limits, an access log, a clean stop.

:class:`Server` is a gevent :class:`~gevent.server.StreamServer`; each
connection is served by :class:`~rbconfig.runtime.connection.Connection`
(httptools parses the requests; see that module for what is refused and why).
Only gevent's public API is used: the stream server, its pool, ``stop()``.

* ``TCP_NODELAY`` on every accepted socket: a response whose headers and body
  go out in two sends would otherwise wait for the client's delayed ACK
  (~40 ms) on a keep-alive connection.
* Time limits (:class:`Timeouts`): for a request's headers, and for a client
  that stays silent (an idle keep-alive connection, a stalled body).
* A listen backlog of 2048 (gevent's default is 128): a burst of new
  connections waits in the kernel's queue instead of being retried by the
  client a second later.
* On SIGINT or SIGTERM the server stops accepting, closes idle keep-alive
  connections and long-lived exchanges (WebSockets, Socket.IO long-polls:
  their clients reconnect), lets other requests in flight finish (at most
  ``stop_timeout`` seconds, answering ``Connection: close``) and returns, so
  the process exits with status 0.

gevent's monkey-patching must have been done before this module is used with
an app that does blocking I/O (``rbconfig run`` does it first thing).
"""

from __future__ import annotations

import signal
import socket
import sys
import time
from collections.abc import Callable
from typing import Any, NamedTuple, TextIO

import gevent
from gevent.event import Event
from gevent.pool import Pool
from gevent.server import StreamServer

from .connection import Connection, Request, log_line

__all__ = ['AccessLog', 'Server', 'Timeouts', 'serve']

WSGIApp = Callable[..., Any]

#: Queued connections the kernel holds for the server (it caps this at net.core.somaxconn).
BACKLOG = 2048


class Timeouts(NamedTuple):
    """The server's time limits, in seconds."""

    #: From a request's first byte to the end of its headers (slowloris): then 408.
    header: float = 10.0
    #: The longest the client may stay silent while the server waits for it: between
    #: requests on a keep-alive connection, in a request body, reading the response.
    idle: float = 15.0


class Server(StreamServer):
    """A gevent stream server answering HTTP/1.1 with a WSGI app.

    Args:
        listener: an ``(host, port)`` address or a bound, listening socket.
        application: the WSGI app.
        log: where access lines go: an object with ``write`` (an :class:`AccessLog`,
            a file), or None for none.
        timeouts: the time limits.
        stop_timeout: seconds that requests in flight get to finish on stop.
        backlog: the listen backlog, when ``listener`` is an address.
        spawn: how connections are spawned (default: a :class:`gevent.pool.Pool`).
    """

    def __init__(
        self,
        listener: Any,
        application: WSGIApp,
        *,
        log: Any = None,
        timeouts: Timeouts = Timeouts(),
        stop_timeout: float = 5.0,
        backlog: int | None = None,
        spawn: Any = None,
    ) -> None:
        if backlog is None and not isinstance(listener, socket.socket):
            backlog = BACKLOG
        # A pool, so that stop() can wait for the connections in flight.
        super().__init__(listener, backlog=backlog, spawn=spawn if spawn is not None else Pool())
        self.application = application
        self.log = log
        self.timeouts = timeouts
        self.stop_timeout = stop_timeout
        self.stopping = False
        #: The open connections and the greenlet serving each.
        self.connections: dict[Connection, Any] = {}
        self._environ: dict[str, Any] = {}

    def init_socket(self) -> None:
        """Bind (when given an address), then fill in the environ every request starts from."""
        super().init_socket()
        address = self.address
        host, port = (address[0], address[1]) if isinstance(address, tuple) else ('', '')
        self._environ = {
            'GATEWAY_INTERFACE': 'CGI/1.1',
            'SERVER_SOFTWARE': f'rbconfig gevent/{gevent.__version__}',
            'SERVER_NAME': str(host),
            'SERVER_PORT': str(port),
            'SCRIPT_NAME': '',
            'wsgi.version': (1, 0),
            'wsgi.url_scheme': 'http',
            'wsgi.errors': sys.stderr,
            'wsgi.multithread': False,
            'wsgi.multiprocess': False,
            'wsgi.run_once': False,
            'wsgi.input_terminated': True,
        }

    def connection_environ(self, address: Any) -> dict[str, Any]:
        """The environ every request of a connection from ``address`` starts from."""
        environ = dict(self._environ)
        if isinstance(address, tuple):
            environ['REMOTE_ADDR'] = str(address[0])
            environ['REMOTE_PORT'] = str(address[1])
        else:
            environ['REMOTE_ADDR'] = environ['REMOTE_PORT'] = ''
        return environ

    def handle(self, sock: Any, address: Any) -> None:
        """Set ``TCP_NODELAY`` on the connection, then serve it."""
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # not TCP (a Unix socket): nothing to do
            pass
        connection = Connection(self, sock, address)
        self.connections[connection] = gevent.getcurrent()
        try:
            connection.serve()
        finally:
            self.connections.pop(connection, None)

    def log_request(
        self, connection: Connection, request: Request | None, started: float, note: str = ''
    ) -> None:
        """Write the access-log line of one answered request."""
        log = self.log
        if log is not None:
            log.write(log_line(connection, request, time.perf_counter() - started, note))

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
        for connection, greenlet in list(self.connections.items()):
            if connection.idle:
                _shutdown(connection.sock)
            elif _long_lived(connection.environ):
                _shutdown(connection.sock)
                greenlet.kill(block=False)
        super().stop(timeout)


def _shutdown(sock: Any) -> None:
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _long_lived(environ: dict[str, Any] | None) -> bool:
    """A WebSocket, or an Engine.IO long-poll waiting for something to say."""
    if not environ:
        return False
    if environ.get('HTTP_UPGRADE', '').lower() == 'websocket':
        return True
    return environ.get('REQUEST_METHOD') == 'GET' and 'transport=polling' in environ.get(
        'QUERY_STRING', ''
    )


class AccessLog:
    """Writes ``TIME LINE`` to a stream: the access log.

    Straight to the stream rather than through :mod:`logging`: about 1 µs a
    line instead of 7.5 µs, which is a tenth of a small request's cost. The
    lines of one turn of the event loop go out in one write, after the
    responses of that turn: under load that is one system call for dozens of
    lines, and a slow reader of the log (a pipe) holds up no response.
    The time stamp (local time, to the second) is formatted once a second.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self._second = -1
        self._stamp = ''
        self._pending: list[str] = []

    def write(self, line: str) -> None:
        """Queue one line (with its newline); it is written at the end of this loop turn."""
        now = int(time.time())
        if now != self._second:
            self._second = now
            self._stamp = time.strftime('%Y-%m-%dT%H:%M:%S', time.localtime(now))
        pending = self._pending
        pending.append(f'{self._stamp} {line}')
        if len(pending) == 1:
            gevent.get_hub().loop.run_callback(self.flush)

    def flush(self) -> None:
        """Write the queued lines."""
        if self._pending:
            text = ''.join(self._pending)
            self._pending.clear()
            stream = self.stream or sys.stderr
            try:
                stream.write(text)
                stream.flush()
            except (OSError, ValueError):  # the log's reader is gone: keep serving
                pass


def serve(
    application: WSGIApp,
    host: str = '127.0.0.1',
    port: int = 8000,
    *,
    listener: socket.socket | None = None,
    access_log: bool = True,
    banner: str | None = None,
    timeouts: Timeouts = Timeouts(),
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
        timeouts: the time limits for clients.
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
        timeouts=timeouts,
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
