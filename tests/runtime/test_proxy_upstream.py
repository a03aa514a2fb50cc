"""proxy: locations against a real upstream HTTP server on a free port."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.helpers import refused_port

from .runtime_support import make_client


class Upstream(BaseHTTPRequestHandler):
    """Echoes what it got as JSON; /slow answers late; sends hop-by-hop headers back."""

    protocol_version = 'HTTP/1.1'

    def _answer(self) -> None:
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length).decode()
        if self.path.startswith('/slow'):
            time.sleep(1.5)
        data = json.dumps(
            {
                'method': self.command,
                'path': self.path,
                'body': body,
                'headers': {name.lower(): value for name, value in self.headers.items()},
            }
        ).encode()
        self.send_response(207 if self.path.startswith('/status') else 200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.send_header('X-Upstream', 'yes')
        self.send_header('Keep-Alive', 'timeout=5')
        self.send_header('Connection', 'close, X-Private')
        self.send_header('X-Private', 'hop')
        self.send_header('Set-Cookie', 'a=1')
        self.send_header('Set-Cookie', 'b=2')
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the proxy hung up on /slow on purpose


@pytest.fixture(scope='module')
def upstream() -> Iterator[int]:
    server = QuietServer(('127.0.0.1', 0), Upstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def client(tmp_path: Path, upstream: int):  # noqa: ANN201
    with refused_port() as dead:  # nobody listens there while the test runs
        yield _client(tmp_path, upstream, dead)


def _client(tmp_path: Path, upstream: int, dead: int):  # noqa: ANN202
    spec = {
        'root': '/svc',
        'paths': {
            'api': {
                'url': '/api/{rest:.*}',
                'method': 'GET|POST|PUT|DELETE|PATCH',
                'use': f'proxy:http://127.0.0.1:{upstream}',
                'x-proxy-read-timeout': 0.5,
            },
            'based': {'url': '/based/{rest:.*}', 'use': f'proxy:http://127.0.0.1:{upstream}/v2/'},
            'exact': {'url': '/exact', 'use': f'proxy:http://127.0.0.1:{upstream}'},
            'dead': {
                'url': '/dead',
                'use': f'proxy:http://127.0.0.1:{dead}',
                'x-proxy-connect-timeout': 0.5,
            },
        },
    }
    return make_client(tmp_path, spec)


def test_forwards_method_path_query_body_and_headers(client, upstream: int) -> None:  # noqa: ANN001
    answer = client.simulate_post(
        '/svc/api/things/1',
        params={'q': 'a b', 'n': '2'},
        body='{"x": 1}',
        headers={
            'Content-Type': 'application/json',
            'X-Custom': 'kept',
            'Authorization': 'Bearer t',
            'Connection': 'keep-alive, X-Drop-Me',
            'X-Drop-Me': 'gone',
            'Proxy-Authorization': 'Basic secret',
            'TE': 'trailers',
            'Upgrade': 'h2c',
        },
        remote_addr='10.1.2.3',
    )
    assert answer.status_code == 200
    seen = answer.json
    assert seen['method'] == 'POST'
    assert seen['path'] == '/things/1?q=a+b&n=2' or seen['path'] == '/things/1?q=a%20b&n=2'
    assert seen['body'] == '{"x": 1}'
    headers = seen['headers']
    assert headers['x-custom'] == 'kept' and headers['authorization'] == 'Bearer t'
    assert headers['content-type'] == 'application/json'
    assert headers['host'] == f'127.0.0.1:{upstream}'
    assert headers['x-forwarded-for'] == '10.1.2.3'
    for hop in ('x-drop-me', 'proxy-authorization', 'te', 'upgrade', 'keep-alive'):
        assert hop not in headers, hop
    assert headers.get('connection', 'close') == 'close'


def test_relays_status_and_end_to_end_headers_only(client) -> None:  # noqa: ANN001
    answer = client.simulate_get('/svc/api/status')
    assert answer.status_code == 207
    assert answer.headers['x-upstream'] == 'yes'
    assert answer.headers['content-type'] == 'application/json'
    assert 'keep-alive' not in answer.headers and 'x-private' not in answer.headers
    assert answer.headers.get('connection') is None
    assert [c.name for c in answer.cookies.values()] == ['a', 'b']


def test_other_methods_and_paths(client) -> None:  # noqa: ANN001
    assert client.simulate_delete('/svc/api/x').json['method'] == 'DELETE'
    assert client.simulate_get('/svc/based/a/b').json['path'] == '/v2/a/b'
    assert client.simulate_get('/svc/exact').json['path'] == '/'


def test_unreachable_upstream_is_502(client) -> None:  # noqa: ANN001
    answer = client.simulate_get('/svc/dead')
    assert answer.status_code == 502
    assert answer.headers['content-type'] == 'application/problem+json'
    assert 'unreachable' in answer.json['detail']


def test_slow_upstream_is_504_and_the_app_keeps_serving(client) -> None:  # noqa: ANN001
    started = time.monotonic()
    answer = client.simulate_get('/svc/api/slow')
    assert answer.status_code == 504 and 'in time' in answer.json['detail']
    assert time.monotonic() - started < 1.4
    assert client.simulate_get('/svc/api/fast').status_code == 200
