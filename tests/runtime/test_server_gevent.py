"""The gevent server in-process: TCP_NODELAY, access log lines, graceful stop.

Each server runs in its own thread with its own gevent hub; the test talks to
it over a real socket with the standard library (no monkey-patching here).
"""

from __future__ import annotations

import http.client
import io
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import gevent
import pytest
from gevent.pywsgi import WSGIServer

from rbconfig.runtime.server import Connection, Server

#: /slow sets ``in_flight`` and answers once ``release`` is set (by the test's thread).
SLOW = {'in_flight': threading.Event(), 'release': threading.Event()}


def hello_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    if environ['PATH_INFO'] == '/slow':
        SLOW['in_flight'].set()
        while not SLOW['release'].is_set():  # a threading.Event: wait without blocking the hub
            gevent.sleep(0.01)
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', '5')])
    return [b'hello']


@contextmanager
def threaded(server_class: type[WSGIServer] = Server, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Run a server in a thread of its own; yields {'port', 'server', 'stop', 'stopped'}."""
    box: dict[str, Any] = {'stop': threading.Event(), 'stopped': threading.Event()}
    ready = threading.Event()

    def main() -> None:
        server = server_class(('127.0.0.1', 0), hello_app, **kwargs)
        server.start()
        box['server'], box['port'] = server, server.server_port
        ready.set()
        while not box['stop'].is_set():
            gevent.sleep(0.01)
        server.stop()
        box['stopped'].set()

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    assert ready.wait(10), 'the server did not start'
    try:
        yield box
    finally:
        box['stop'].set()
        thread.join(15)
        assert not thread.is_alive(), 'the server thread did not stop'


def keep_alive_mean(port: int, requests: int = 20) -> float:
    """Mean seconds per request over one keep-alive connection."""
    connection = http.client.HTTPConnection('127.0.0.1', port, timeout=5)
    try:
        connection.request('GET', '/')
        connection.getresponse().read()  # connect and warm up
        started = time.perf_counter()
        for _ in range(requests):
            connection.request('GET', '/')
            response = connection.getresponse()
            assert response.read() == b'hello'
        return (time.perf_counter() - started) / requests
    finally:
        connection.close()


def test_tcp_nodelay_is_set_on_every_accepted_socket() -> None:
    seen: list[int] = []

    class Probe(Connection):
        def handle(self) -> None:
            seen.append(self.socket.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            super().handle()

    with threaded(log=None, handler_class=Probe) as box:
        for _ in range(3):
            connection = http.client.HTTPConnection('127.0.0.1', box['port'], timeout=5)
            connection.request('GET', '/')
            assert connection.getresponse().read() == b'hello'
            connection.close()
    assert len(seen) == 3
    assert all(seen), seen


def test_keep_alive_requests_do_not_wait_for_delayed_acks() -> None:
    # Plain pywsgi is the control: its two sends per response meet Nagle + delayed ACK.
    with threaded(WSGIServer, log=None) as box:
        plain = keep_alive_mean(box['port'], requests=5)
    with threaded(log=None) as box:
        ours = keep_alive_mean(box['port'])
    assert ours < 0.010, f'{ours * 1000:.1f} ms per keep-alive request'
    assert plain > 0.030, f'the control did not show the 40 ms stall ({plain * 1000:.1f} ms)'


def test_access_log_has_one_line_per_request() -> None:
    stream = io.StringIO()
    logger = logging.getLogger('tests.access')
    logger.handlers[:] = [logging.StreamHandler(stream)]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    with threaded(log=logger) as box:
        connection = http.client.HTTPConnection('127.0.0.1', box['port'], timeout=5)
        for path in ('/a', '/b?x=1'):
            connection.request('GET', path)
            connection.getresponse().read()
        connection.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith('127.0.0.1 "GET /a HTTP/1.1" 200 ')
    assert lines[1].startswith('127.0.0.1 "GET /b?x=1 HTTP/1.1" 200 ')
    assert lines[1].endswith('ms')


def test_stop_finishes_requests_in_flight_and_closes_idle_connections() -> None:
    """The order of events: idle connections are closed at once, the request in flight ends."""
    results: dict[str, Any] = {}
    SLOW['in_flight'].clear()
    SLOW['release'].clear()
    with threaded(log=None, stop_timeout=60) as box:
        idle = http.client.HTTPConnection('127.0.0.1', box['port'], timeout=10)
        idle.request('GET', '/')
        assert idle.getresponse().read() == b'hello'  # now idle, kept alive

        def slow() -> None:
            connection = http.client.HTTPConnection('127.0.0.1', box['port'], timeout=30)
            connection.request('GET', '/slow')
            response = connection.getresponse()
            results['status'] = response.status
            results['body'] = response.read()
            results['connection'] = response.getheader('Connection')

        client = threading.Thread(target=slow)
        client.start()
        try:
            assert SLOW['in_flight'].wait(10), 'the slow request did not arrive'
            box['stop'].set()
            # The idle connection is closed while the slow request is still held: stop()
            # does not wait for idle connections (their keep-alive would outlast 60 s).
            assert idle.sock.recv(1) == b''
            assert not box['stopped'].is_set()
            # Nothing listens any more, though a request is still in flight.
            with pytest.raises(OSError):
                socket.create_connection(('127.0.0.1', box['port']), timeout=5).close()
        finally:
            SLOW['release'].set()
            client.join(10)
            idle.close()
        assert box['stopped'].wait(10), 'stop() did not return once the request ended'
    assert results == {'status': 200, 'body': b'hello', 'connection': 'close'}
