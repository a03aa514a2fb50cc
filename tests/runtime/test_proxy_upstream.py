"""proxy: locations against a real upstream HTTP server (threaded, over loopback).

The upstream records what it got and the client port of each request (so a reused
connection shows). Slow and streaming answers are driven by events the test sets,
never by sleeps.
"""

from __future__ import annotations

import gzip
import io
import json
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from falcon.testing import create_environ

from tests.helpers import refused_port

from .runtime_support import make_client

#: Set by the tests: /slow answers once 'release' is set; /stream sends its second
#: half once 'second' is set; /upload sets 'first_part' when the first 5 bytes came.
EVENTS = {name: threading.Event() for name in ('release', 'second', 'first_part')}

#: The client port of each request the upstream got, in order.
PORTS: list[int] = []


class Upstream(BaseHTTPRequestHandler):
    """Echoes what it got as JSON, with hop-by-hop headers; special paths below."""

    protocol_version = 'HTTP/1.1'

    def _answer(self) -> None:
        PORTS.append(self.client_address[1])
        special = getattr(self, '_' + self.path.strip('/').partition('?')[0], None)
        if special is not None:
            special()
            return
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length).decode()
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
        self.send_header('Connection', 'X-Private')
        self.send_header('X-Private', 'hop')
        self.send_header('Set-Cookie', 'a=1')
        self.send_header('Set-Cookie', 'b=2')
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _answer

    def _slow(self) -> None:
        EVENTS['release'].wait(30)
        self._send(b'late')

    def _stream(self) -> None:
        """Chunked: the first half at once, the second when the test says so."""
        self.send_response(200)
        self.send_header('Content-Type', 'text/plain')
        self.send_header('Transfer-Encoding', 'chunked')
        self.end_headers()
        self.wfile.write(b'6\r\nfirst \r\n')
        self.wfile.flush()
        EVENTS['second'].wait(30)
        self.wfile.write(b'6\r\nsecond\r\n0\r\n\r\n')

    def _broken(self) -> None:
        """Promises 100 bytes, sends 4 and hangs up."""
        self.send_response(200)
        self.send_header('Content-Length', '100')
        self.end_headers()
        self.wfile.write(b'part')
        self.close_connection = True

    def _upload(self) -> None:
        first = self.rfile.read(5)
        EVENTS['first_part'].set()
        rest = self.rfile.read(int(self.headers['Content-Length']) - 5)
        self._send(first + b'|' + rest)

    def _unmeasured(self) -> None:
        """A Content-Length that is not a number: the body runs until the connection ends."""
        self.send_response(200)
        self.send_header('Content-Length', 'many')
        self.end_headers()
        self.wfile.write(b'all of it')
        self.close_connection = True

    def _garbage(self) -> None:
        """Not HTTP at all."""
        self.wfile.write(b'NOT HTTP\r\n\r\n')
        self.close_connection = True

    def _gzipped(self) -> None:
        self._send(gzip.compress(b'squeezed'), ('Content-Encoding', 'gzip'))

    def _send(self, data: bytes, *header: tuple[str, str]) -> None:
        self.send_response(200)
        self.send_header('Content-Length', str(len(data)))
        for name, value in header:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the proxy hung up on /slow on purpose


@contextmanager
def serving(context: ssl.SSLContext | None = None) -> Iterator[int]:
    """The upstream in a thread (over TLS with ``context``) until the block ends; its port."""
    server = QuietServer(('127.0.0.1', 0), Upstream)
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        EVENTS['release'].set()
        EVENTS['second'].set()
        server.shutdown()
        server.server_close()


@pytest.fixture(scope='module')
def upstream() -> Iterator[int]:
    with serving() as port:
        yield port


@pytest.fixture
def client(tmp_path: Path, upstream: int):  # noqa: ANN201
    for event in EVENTS.values():
        event.clear()
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
            'checked': {
                'url': '/checked/{rest:.*}',
                'use': f'proxy:http://127.0.0.1:{upstream}',
                'response': {'body': {'checks': [{'is': 'json', 'return': 502}]}},
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
            'X-Forwarded-For': '192.0.2.7',
            'Host': 'shop.example',
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
    assert headers['content-length'] == '8'
    assert headers['host'] == f'127.0.0.1:{upstream}'
    assert headers['x-forwarded-for'] == '192.0.2.7, 10.1.2.3'
    assert headers['x-forwarded-proto'] == 'http'
    assert headers['x-forwarded-host'] == 'shop.example'
    for hop in ('x-drop-me', 'proxy-authorization', 'te', 'upgrade', 'keep-alive'):
        assert hop not in headers, hop


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
    head = client.simulate_head('/svc/exact')
    assert head.status_code == 200 and head.content == b''
    assert int(head.headers['content-length']) > 0  # the upstream's, for its GET body


def test_connections_to_the_upstream_are_kept_alive(client) -> None:  # noqa: ANN001
    PORTS.clear()
    for _ in range(5):
        assert client.simulate_get('/svc/api/again').status_code == 200
    assert len(PORTS) == 5 and len(set(PORTS)) == 1, PORTS


def test_the_answer_is_streamed_as_the_upstream_sends_it(client) -> None:  # noqa: ANN001
    """The first half reaches the client while the upstream holds the second back."""
    seen: dict[str, Any] = {}
    body = client.app(
        create_environ('/svc/api/stream'),
        lambda status, headers, exc_info=None: seen.update(status=status, headers=dict(headers)),
    )
    chunks = iter(body)
    assert next(chunks) == b'first '
    assert not EVENTS['second'].is_set()
    assert seen['status'] == '200 OK' and 'content-length' not in seen['headers']
    EVENTS['second'].set()
    assert b''.join(chunks) == b'second'
    body.close()
    # The connection went back to the pool: the next request reuses it.
    PORTS.clear()
    client.simulate_get('/svc/api/one')
    client.simulate_get('/svc/api/two')
    assert len(set(PORTS)) == 1


def test_the_request_body_is_streamed_up_as_it_comes(client) -> None:  # noqa: ANN001
    """The upstream gets the first bytes before the client has sent the rest."""

    class Trickle(io.RawIOBase):
        """The client's body: 5 bytes, then the rest once the upstream has those."""

        step = 0
        upstream_had_the_start = False

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            self.step += 1
            if self.step == 1:
                return b'hello'
            if self.step == 2:
                self.upstream_had_the_start = EVENTS['first_part'].wait(10)
                return b' world'
            return b''

    env = create_environ('/svc/api/upload', method='POST', headers={'Content-Length': '11'})
    env['wsgi.input'] = trickle = Trickle()
    seen: dict[str, Any] = {}
    body = client.app(env, lambda status, headers, exc_info=None: seen.update(status=status))
    assert seen['status'] == '200 OK'
    assert b''.join(body) == b'hello| world'
    body.close()
    assert trickle.upstream_had_the_start


def test_an_answer_with_a_malformed_length_is_relayed_to_its_end(client) -> None:  # noqa: ANN001
    answer = client.simulate_get('/svc/api/unmeasured')
    assert (answer.status_code, answer.text) == (200, 'all of it')
    assert answer.headers.get('content-length') in (None, '9')


def test_compressed_answers_pass_untouched(client) -> None:  # noqa: ANN001
    answer = client.simulate_get('/svc/api/gzipped')
    assert answer.headers['content-encoding'] == 'gzip'
    assert gzip.decompress(answer.content) == b'squeezed'


def test_unreachable_upstream_is_502(client) -> None:  # noqa: ANN001
    answer = client.simulate_get('/svc/dead')
    assert answer.status_code == 502
    assert answer.headers['content-type'] == 'application/problem+json'
    assert 'unreachable' in answer.json['detail']
    assert 'HTTPConnection' not in answer.json['detail']  # no library internals


def test_an_upstream_answer_that_is_not_http_is_502_in_words(
    client,  # noqa: ANN001
    caplog: pytest.LogCaptureFixture,
) -> None:
    answer = client.simulate_get('/svc/api/garbage')
    assert answer.status_code == 502
    assert answer.json['detail'].endswith('failed: its answer is not HTTP')
    # The client gets words; the operator's log has the error itself.
    assert 'NOT HTTP' not in answer.text and 'BadStatusLine' not in answer.text
    assert 'BadStatusLine' in caplog.text


def test_an_unreachable_upstream_is_named_in_words(client) -> None:  # noqa: ANN001
    detail = client.simulate_get('/svc/dead').json['detail']
    assert detail.endswith('is unreachable: it refused the connection')
    assert 'Errno' not in detail


@pytest.mark.parametrize(
    'path', ['/svc/api/../../etc/passwd', '/svc/api/a/./b', '/svc/api/..', '/svc/api/a\\..\\b']
)
def test_dot_segments_are_not_forwarded(client, path: str) -> None:  # noqa: ANN001
    # The upstream would resolve them against its base path and serve what is outside it.
    before = len(PORTS)
    answer = client.simulate_get(path)
    assert answer.status_code == 400, answer.text
    assert answer.headers['content-type'] == 'application/problem+json'
    assert len(PORTS) == before  # the upstream never saw the request


def test_slow_upstream_is_504_and_the_app_keeps_serving(client) -> None:  # noqa: ANN001
    answer = client.simulate_get('/svc/api/slow')  # the upstream waits for the test
    assert answer.status_code == 504 and 'in time' in answer.json['detail']
    assert not EVENTS['release'].is_set()  # the 504 came before the upstream answered
    EVENTS['release'].set()
    assert client.simulate_get('/svc/api/fast').status_code == 200


def test_an_upstream_failing_mid_answer_cuts_the_answer_short(
    client,  # noqa: ANN001
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = client.app(create_environ('/svc/api/broken'), lambda *args: None)
    with pytest.raises(ConnectionResetError):
        b''.join(body)  # the server then closes the client's connection
    body.close()
    assert 'the upstream 127.0.0.1' in caplog.text and 'failed while answering' in caplog.text
    assert client.simulate_get('/svc/api/after').status_code == 200


def test_checked_answers_are_read_whole(client) -> None:  # noqa: ANN001
    assert client.simulate_get('/svc/checked/json').status_code == 200
    assert client.simulate_get('/svc/checked/gzipped').status_code == 502  # not JSON


# -- an HTTPS upstream ------------------------------------------------------------------


@pytest.fixture(scope='module')
def tls_upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """The same upstream over TLS, with a self-signed certificate for 127.0.0.1 (made by
    the openssl command); gives its port and the certificate's file."""
    folder = tmp_path_factory.mktemp('tls')
    cert, key = folder / 'cert.pem', folder / 'key.pem'
    subprocess.run(
        ['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
         '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
         '-keyout', str(key), '-out', str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with serving(context) as port:
        yield port, cert


def _tls_client(tmp_path: Path, port: int):  # noqa: ANN202
    spec = {'paths': {'api': {'url': '/api/{rest:.*}', 'use': f'proxy:https://127.0.0.1:{port}'}}}
    return make_client(tmp_path, spec)


def test_an_https_upstream_is_reached_over_verified_tls(
    tmp_path: Path, tls_upstream: tuple[int, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, cert = tls_upstream
    monkeypatch.setenv('SSL_CERT_FILE', str(cert))  # OpenSSL's own: trust this certificate
    answer = _tls_client(tmp_path, port).simulate_get('/api/things', params={'q': '1'})
    assert answer.status_code == 200, answer.text
    assert answer.json['path'] == '/things?q=1'
    assert answer.json['headers']['host'] == f'127.0.0.1:{port}'


def test_an_https_upstream_with_an_untrusted_certificate_is_502(
    tmp_path: Path, tls_upstream: tuple[int, Path]
) -> None:
    port, _ = tls_upstream
    answer = _tls_client(tmp_path, port).simulate_get('/api/things')
    assert answer.status_code == 502
    assert answer.headers['content-type'] == 'application/problem+json'
    detail = answer.json['detail']
    assert detail == (
        f'The upstream 127.0.0.1:{port} failed: '
        'its TLS certificate was refused (self-signed certificate)'
    )  # no library internals (urllib3's pool, OpenSSL's source line)
