"""The demos over real sockets: `rbconfig run` (gevent) for both twins, a proxy in front."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import child_env, start_server
from tests.helpers.server import Server

APPS = Path(__file__).resolve().parents[2] / 'apps'
AUTH = {'Authorization': 'Bearer demo'}


@pytest.fixture(scope='module', params=['yaml', 'rbr'])
def demos(request: pytest.FixtureRequest) -> Iterator[Server]:
    with start_server(APPS / 'demos' / f'demos.{request.param}') as server:
        yield server


def connect(server: Server) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(server.host, server.port, timeout=10)


def test_keep_alive_conversation(demos: Server) -> None:
    conn = connect(demos)
    conn.request('GET', '/demos')
    first = conn.getresponse()
    assert (first.status, first.read()) == (200, b'Hello World!')
    conn.request('POST', '/demos/capitalize', body=b'"over the wire"', headers=AUTH)
    answer = conn.getresponse()
    assert answer.status == 200 and json.loads(answer.read()) == 'Over the wire'
    assert answer.getheader('Content-Type') == 'application/json'
    conn.request('POST', '/demos/capitalize', body=b'"x"')
    refused = conn.getresponse()
    assert refused.status == 401 and refused.getheader('Content-Type') == 'application/problem+json'
    assert json.loads(refused.read())['request_id'] == refused.getheader('X-Request-Id')
    conn.request('HEAD', '/demos/redbarrel.css')
    head = conn.getresponse()
    assert head.status == 200 and head.read() == b'' and int(head.getheader('Content-Length')) > 0
    conn.close()


def test_chunked_body_under_and_over_the_limit(demos: Server) -> None:
    conn = connect(demos)
    # an iterable body without a length: http.client sends it chunked
    conn.request('POST', '/demos/capitalize', body=iter([b'"chun', b'ked"']), headers=AUTH)
    answer = conn.getresponse()
    assert (answer.status, json.loads(answer.read())) == (200, 'Chunked')
    conn.close()
    conn = connect(demos)
    big = iter([b'x' * 65536] * 20)  # 1.25 MiB > the 1 MiB default
    conn.request('POST', '/demos/capitalize', body=big, headers=AUTH)
    answer = conn.getresponse()
    assert answer.status == 413 and json.loads(answer.read())['max_body'] == 1024 * 1024
    conn.close()


BROKEN_CHUNK = 'a chunk size in the chunked body is not a hexadecimal number'


def _post_broken_chunked(server: Server, *, body_with_headers: bool) -> tuple[int, str]:
    """POST a chunked body whose chunk size is not hexadecimal: (status, problem detail).

    With the body in the same write as the headers, the server's parser meets the
    broken chunk before the request is handed to the app. Otherwise the request says
    ``Expect: 100-continue`` and the body goes only after the server's ``100 Continue``,
    which it sends when the app starts reading the body: the app meets the broken chunk.
    """
    head = (
        b'POST /demos/capitalize HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer demo\r\n'
        b'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n'
    )
    body = b'"not chunked"'
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        if body_with_headers:
            sock.sendall(head + body)
        else:
            sock.sendall(head[:-2] + b'Expect: 100-continue\r\n\r\n')
            interim = b''
            while not interim.endswith(b'\r\n\r\n'):
                interim += sock.recv(1)
            assert interim.startswith(b'HTTP/1.1 100 ')
            sock.sendall(body)
        answer = http.client.HTTPResponse(sock)
        answer.begin()
        return answer.status, json.loads(answer.read())['detail']


def test_broken_chunked_body_refused_by_the_server(demos: Server) -> None:
    assert _post_broken_chunked(demos, body_with_headers=True) == (400, BROKEN_CHUNK)


def test_broken_chunked_body_met_by_the_app_says_the_same(demos: Server) -> None:
    status, detail = _post_broken_chunked(demos, body_with_headers=False)
    assert (status, detail) == (400, f'The request body could not be read: {BROKEN_CHUNK}')


def test_413_is_answered_before_the_body_is_sent(demos: Server) -> None:
    conn = connect(demos)
    conn.putrequest('POST', '/demos/capitalize')
    for name, value in AUTH.items():
        conn.putheader(name, value)
    conn.putheader('Content-Length', str(50 * 1024 * 1024))
    conn.endheaders()  # and not one byte of the 50 MiB
    answer = conn.getresponse()
    assert answer.status == 413
    assert json.loads(answer.read())['title'] == 'Content Too Large'
    conn.close()


def test_a_proxy_in_front_of_the_demos(demos: Server, tmp_path: Path) -> None:
    spec = tmp_path / 'front.yaml'
    spec.write_text(
        'rbconfig: 1\n'
        'paths:\n'
        '  demos:\n'
        '    url: /front/{rest:.*}\n'
        '    method: GET|POST\n'
        f'    use: proxy:http://{demos.host}:{demos.port}/demos\n'
    )
    with start_server(spec) as front:
        conn = connect(front)
        conn.request('GET', '/front/greet/Bo?polite=yes')
        answer = conn.getresponse()
        assert json.loads(answer.read()) == {'greeting': 'Good day, Bo!'}
        conn.request('POST', '/front/capitalize', body=b'"proxied"', headers=AUTH)
        answer = conn.getresponse()
        assert (answer.status, json.loads(answer.read())) == (200, 'Proxied')
        conn.request('POST', '/front/capitalize', body=b'"proxied"')
        refused = conn.getresponse()
        assert refused.status == 401 and b'Authorization' in refused.read()
        conn.close()


def test_startup_error_names_the_spec_line(tmp_path: Path) -> None:
    spec = tmp_path / 'broken.yaml'
    spec.write_text('rbconfig: 1\npaths:\n  p:\n    url: /p\n    use: python:nosuchmodule.f\n')
    done = subprocess.run(
        [sys.executable, '-m', 'rbconfig.cli', 'run', str(spec), '--port', '0'],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=60,
    )
    assert done.returncode == 1
    assert f'{spec}:5:5: error: paths.p.use: python:nosuchmodule.f: no module named' in done.stderr
    assert 'Traceback' not in done.stderr
