"""The gevent server in-process: TCP_NODELAY, the access log, graceful stop, keep-alive.

Each server runs in its own thread with its own gevent hub; the test talks to
it over a real socket with the standard library (no monkey-patching here).
The raw-bytes HTTP cases (smuggling, timeouts, limits) are in test_server_http.py.
"""

from __future__ import annotations

import http.client
import io
import socket
import threading
import time

import pytest
from gevent.pywsgi import WSGIServer

from rbconfig.runtime.server import AccessLog

from .server_support import threaded


def keep_alive_mean(port: int, requests: int = 20, path: str = '/') -> float:
    """Mean seconds per request over one keep-alive connection."""
    connection = http.client.HTTPConnection('127.0.0.1', port, timeout=5)
    try:
        connection.request('GET', path)
        connection.getresponse().read()  # connect and warm up
        started = time.perf_counter()
        for _ in range(requests):
            connection.request('GET', path)
            response = connection.getresponse()
            assert response.read() == b'hello'
        return (time.perf_counter() - started) / requests
    finally:
        connection.close()


def test_tcp_nodelay_is_on_while_the_connection_is_served() -> None:
    with threaded() as box:
        for _ in range(3):
            connection = http.client.HTTPConnection('127.0.0.1', box.port, timeout=5)
            connection.request('GET', '/nodelay')
            assert connection.getresponse().read() == b'1'
            connection.close()
    assert box.seen.count(('GET', '/nodelay')) == 3


def test_keep_alive_requests_do_not_wait_for_delayed_acks() -> None:
    # Plain pywsgi is the control: its two sends per response meet Nagle + delayed ACK.
    with threaded(server_class=WSGIServer, log=None) as box:
        plain = keep_alive_mean(box.port, requests=5)
    with threaded() as box:
        ours = keep_alive_mean(box.port)
        # A streamed response (several writes) does not wait either.
        streamed = keep_alive_mean(box.port, path='/stream')
    assert ours < 0.010, f'{ours * 1000:.1f} ms per keep-alive request'
    assert streamed < 0.010, f'{streamed * 1000:.1f} ms per streamed keep-alive request'
    assert plain > 0.030, f'the control did not show the 40 ms stall ({plain * 1000:.1f} ms)'


def test_access_log_has_one_line_per_request() -> None:
    stream = io.StringIO()
    with threaded(log=AccessLog(stream)) as box:
        connection = http.client.HTTPConnection('127.0.0.1', box.port, timeout=5)
        for path in ('/a', '/b?x=1'):
            connection.request('GET', path)
            connection.getresponse().read()
        connection.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2, lines
    # TIME CLIENT "REQUEST LINE" STATUS BYTES DURATION
    stamp, line = lines[0].split(' ', 1)
    assert time.strptime(stamp, '%Y-%m-%dT%H:%M:%S')
    assert line.startswith('127.0.0.1 "GET /a HTTP/1.1" 200 ')
    assert lines[1].split(' ', 1)[1].startswith('127.0.0.1 "GET /b?x=1 HTTP/1.1" 200 ')
    assert lines[1].endswith('ms')


def test_access_log_names_the_request_id_of_an_error() -> None:
    stream = io.StringIO()
    with threaded(log=AccessLog(stream)) as box:
        connection = http.client.HTTPConnection('127.0.0.1', box.port, timeout=5)
        connection.request('GET', '/missing')
        response = connection.getresponse()
        response.read()
        connection.close()
    assert response.status == 404
    assert stream.getvalue().rstrip().endswith('[req-1]'), stream.getvalue()


def test_access_log_shows_an_upgrade_as_101() -> None:
    stream = io.StringIO()
    with threaded(log=AccessLog(stream)) as box:
        with socket.create_connection(('127.0.0.1', box.port), timeout=5) as client:
            client.sendall(
                b'GET /upgrade HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n'
            )
            answer = b''
            while not answer.endswith(b'bye'):
                answer += client.recv(100)
            assert client.recv(100) == b''  # the app returned: the server closed
    assert answer.startswith(b'HTTP/1.1 101 ')
    line = stream.getvalue().rstrip().split(' ', 1)[1]
    assert line.startswith('127.0.0.1 "GET /upgrade HTTP/1.1" 101 '), line


def test_stop_finishes_requests_in_flight_and_closes_idle_connections() -> None:
    results: dict[str, object] = {}
    with threaded(stop_timeout=60) as box:
        idle = http.client.HTTPConnection('127.0.0.1', box.port, timeout=10)
        idle.request('GET', '/')
        idle.getresponse().read()  # now idle, kept alive

        def slow() -> None:
            connection = http.client.HTTPConnection('127.0.0.1', box.port, timeout=5)
            connection.request('GET', '/wait')
            response = connection.getresponse()
            results['status'] = response.status
            results['body'] = response.read()
            results['connection'] = response.getheader('Connection')

        client = threading.Thread(target=slow)
        client.start()
        try:
            assert box.app_entered.wait(10), 'the slow request did not reach the app'
            box.stop.set()  # stop while the request is in the app
            # The idle connection is closed while the slow request is still held: stop()
            # does not wait for idle connections.
            assert idle.sock.recv(1) == b''
            assert not box.stopped.is_set()
            # Nothing listens any more, though a request is still in flight.
            with pytest.raises(OSError):
                socket.create_connection(('127.0.0.1', box.port), timeout=5).close()
        finally:
            box.release.set()  # now let it answer
            client.join(10)
            idle.close()
        assert box.stopped.wait(10), 'stop() did not return once the request ended'
    assert results == {'status': 200, 'body': b'hello', 'connection': 'close'}
