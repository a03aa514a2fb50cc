"""An in-process :class:`rbconfig.runtime.server.Server` in a thread of its own, for tests.

The server runs with its own gevent hub in a daemon thread; tests talk to it
over real sockets with the standard library (no monkey-patching in the test
process). Its app records every request and has a few paths to test with.
"""

from __future__ import annotations

import http.client
import json
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
    * ``/echo-or-400``: the request body, or a 400 of its own when it cannot be read
      (as rbconfig's runtime answers a broken body);
    * ``/status/NNN``: the status ``NNN Whatever`` (a bad one for ``100``, ``101``, ``999``);
    * ``/header/crlf``, ``/header/latin``: an ``X-Bad`` header the server cannot write
      (a line break, a character outside Latin-1), with ``X-Request-Id: req-2``;
      ``/header/stream``: the same line-break header on a streamed response;
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
        if path == '/echo-or-400':
            try:
                body = environ['wsgi.input'].read()
            except OSError as ex:
                text = str(ex).encode()
                start_response('400 Bad Request', [('Content-Length', str(len(text)))])
                return [text]
            start_response('200 OK', [('Content-Length', str(len(body)))])
            return [body]
        if path.startswith('/status/'):
            start_response(f'{path[8:]} Whatever', [('Content-Length', '0')])
            return [b'']
        if path.startswith('/header/'):
            value = 'caf\u20ac' if path == '/header/latin' else 'a\r\nX-Injected: 1'
            start_response('200 OK', [('X-Request-Id', 'req-2'), ('X-Bad', value)])
            return iter([b'hel', b'lo']) if path == '/header/stream' else [b'hello']
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


class OneFile:
    """A socket stand-in whose makefile() is always the same buffered file, kept open.

    http.client reads one response from a file and closes it; responses that
    follow on the connection (pipelined, keep-alive) are read from the same one.
    """

    def __init__(self, sock: socket.socket) -> None:
        self.file = sock.makefile('rb')

    def makefile(self, *args: Any, **kwargs: Any) -> Any:
        return self

    def __getattr__(self, name: str) -> Any:
        return getattr(self.file, name)

    def close(self) -> None:
        pass


def read_response(source: OneFile, method: str = 'GET') -> http.client.HTTPResponse:
    """The next response on the connection, its body read (as ``response.body``)."""
    response = http.client.HTTPResponse(source, method=method)  # type: ignore[arg-type]
    response.begin()
    response.body = response.read()  # type: ignore[attr-defined]
    return response


def problem_of(raw: bytes) -> tuple[int, dict[str, str], dict[str, Any]]:
    """(status, headers, problem) of one raw response that is the last on its connection."""
    head, _, body = raw.partition(b'\r\n\r\n')
    lines = head.decode('latin-1').split('\r\n')
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(':')
        headers[name.strip().lower()] = value.strip()
    assert len(body) == int(headers['content-length']), raw
    return status, headers, json.loads(body)


class Lines:
    """An access log for tests: keeps the lines (``threaded(log=Lines())``)."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def write(self, line: str) -> None:
        self.lines.append(line)
