"""An in-process :class:`rbconfig.runtime.server.Server` in a thread of its own, for tests.

The server runs with its own gevent hub in a daemon thread; tests talk to it
over real sockets with the standard library (no monkey-patching in the test
process). Its app records every request and has a few paths to test with.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import gevent

from rbconfig.runtime.server import Server


class Box:
    """What a test needs of the running server."""

    def __init__(self) -> None:
        self.port = 0
        self.server: Any = None
        #: (method, path) of each request that reached the app, in order.
        self.seen: list[tuple[str, str]] = []
        #: Bodies the app read (/echo).
        self.bodies: list[bytes] = []
        self.stop = threading.Event()
        self.stopped = threading.Event()
        self.app_entered = threading.Event()
        self.release = threading.Event()


def make_app(box: Box) -> Any:
    """The test app.

    * ``/stream``: 'hello' in two pieces, no Content-Length (chunked);
    * ``/echo``: the request body, read whole;
    * ``/wait``: waits until the test sets ``box.release``;
    * ``/missing``: 404 with ``X-Request-Id: req-1``;
    * ``/too-large``: 413 without reading the body;
    * ``/nodelay``: '1' when TCP_NODELAY is set on the connection;
    * ``/upgrade``: answers ``101`` on the socket itself, as a WebSocket upgrade does,
      sends ``bye`` and returns without calling ``start_response``;
    * anything else: 'hello'.
    """

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        path = environ['PATH_INFO']
        box.seen.append((environ['REQUEST_METHOD'], path))
        if path == '/stream':
            start_response('200 OK', [('Content-Type', 'text/plain')])
            return iter([b'hel', b'lo'])
        if path == '/echo':
            body = environ['wsgi.input'].read()
            box.bodies.append(body)
            start_response('200 OK', [('Content-Length', str(len(body)))])
            return [body]
        if path == '/wait':
            box.app_entered.set()
            while not box.release.is_set():
                gevent.sleep(0.01)
        if path == '/missing':
            start_response('404 Not Found', [('Content-Length', '0'), ('X-Request-Id', 'req-1')])
            return [b'']
        if path == '/too-large':
            start_response('413 Content Too Large', [('Content-Length', '0')])
            return [b'']
        if path == '/upgrade':
            sock = environ['rbconfig.socket']
            sock.sendall(b'HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\n\r\nbye')
            return []
        if path == '/nodelay':
            flags = [
                connection.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
                for connection in box.server.connections
            ]
            answer = b'1' if flags and all(flags) else b'0'
            start_response('200 OK', [('Content-Length', '1')])
            return [answer]
        start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', '5')])
        return [b'hello']

    return app


@contextmanager
def threaded(server_class: Any = Server, app: Any = None, **kwargs: Any) -> Iterator[Box]:
    """Run a server (``log=None`` unless given) in a thread of its own until the block ends."""
    box = Box()
    ready = threading.Event()
    failed: list[BaseException] = []
    kwargs.setdefault('log', None)

    def main() -> None:
        try:
            server = server_class(('127.0.0.1', 0), app or make_app(box), **kwargs)
            server.start()
        except BaseException as ex:  # reported to the test below
            failed.append(ex)
            ready.set()
            return
        box.server, box.port = server, server.server_port
        ready.set()
        while not box.stop.is_set():
            gevent.sleep(0.01)
        server.stop()
        box.stopped.set()

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    assert ready.wait(10), 'the server did not start'
    if failed:
        raise failed[0]
    try:
        yield box
    finally:
        box.release.set()
        box.stop.set()
        thread.join(15)
        assert not thread.is_alive(), 'the server thread did not stop'


def raw_exchange(port: int, data: bytes, timeout: float = 10) -> bytes:
    """Send ``data`` on a new connection and read until the server closes it."""
    with socket.create_connection(('127.0.0.1', port), timeout=timeout) as sock:
        sock.sendall(data)
        return read_until_closed(sock)


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b''
    while True:
        try:
            data = sock.recv(65536)
        except ConnectionResetError:
            break
        if not data:
            break
        received += data
    return received
