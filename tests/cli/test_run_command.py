"""``rbconfig run`` as a real process on a free port: serving, logging, stopping, errors."""

from __future__ import annotations

import html
import http.client
import json
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import ROOT, Server, app_specs, child_env, start_server, write_spec

HELLO_SPEC = """\
rbconfig: 1
meta:
  title: Greeter
  version: '2.1'
  description: |
    Says *hello*.
paths:
  hello:
    description: The greeting.
    url: /hello
    use: python:greet.hello
    response:
      status: {200: A greeting}
      headers:
        set: {Content-Type: text/plain}
"""

GREET_PY = """\
def hello(globs, request):
    return 'Hello\\n'
"""


@pytest.fixture
def hello_spec(tmp_path: Path) -> Path:
    """A one-path spec with its (RedBarrel-style) handler module."""
    return write_spec(tmp_path, 'greeter.yaml', HELLO_SPEC, {'greet': GREET_PY})


def get(url: str, timeout: float = 5) -> tuple[int, dict[str, str], bytes]:
    """GET ``url``: status, headers (lower-case names), body."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            headers = {key.lower(): value for key, value in response.headers.items()}
            return response.status, headers, response.read()
    except urllib.error.HTTPError as ex:
        return ex.code, {key.lower(): value for key, value in ex.headers.items()}, ex.read()


def run_cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, '-m', 'rbconfig.cli', *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=child_env(),
        cwd=ROOT,
    )


def test_serves_the_spec_with_a_startup_line_and_an_access_log(hello_spec: Path) -> None:
    with start_server(hello_spec) as server:
        status, headers, body = get(server.url + '/hello')
        assert (status, body) == (200, b'Hello\n')
        assert headers['content-type'].startswith('text/plain')
        output = server.wait_for_output('"GET /hello HTTP/1.1" 200')
    assert f'serving on {server.url}' in output
    # TIME CLIENT "REQUEST LINE" STATUS BYTES DURATION
    line = r'^\S+ 127\.0\.0\.1 "GET /hello HTTP/1\.1" 200 \d+ [\d.]+ms$'
    assert re.search(line, output, re.M), output
    assert 'greeter.yaml' in output


def test_introspection_pages_are_served(hello_spec: Path) -> None:
    with start_server(hello_spec) as server:
        status, headers, body = get(server.url + '/__openapi__.json')
        assert status == 200
        assert headers['content-type'] == 'application/json'
        document = json.loads(body)
        assert document['info'] == {
            'title': 'Greeter',
            'version': '2.1',
            'description': 'Says *hello*.',
        }
        assert document['paths']['/hello']['get']['responses']['200']['content'] == {
            'text/plain': {}
        }
        status, headers, body = get(server.url + '/__doc__')
        assert status == 200
        assert headers['content-type'] == 'text/html; charset=utf-8'
        assert b'<em>hello</em>' in body and b'/hello' in body


def test_introspection_pages_live_under_the_root(tmp_path: Path) -> None:
    spec = tmp_path / 'rooted.yaml'
    spec.write_text('rbconfig: 1\nroot: /api\npaths:\n  echo:\n    url: /echo\n')
    with start_server(spec) as server:
        assert get(server.url + '/api/__doc__')[0] == 200
        status, _, body = get(server.url + '/api/__openapi__.json')
        assert status == 200
        assert list(json.loads(body)['paths']) == ['/api/echo']
        assert get(server.url + '/__doc__')[0] == 404


#: A spec with a POST path that reads its body (/announce) and Socket.IO.
SOCKETS_SPEC = ROOT / 'tests' / 'runtime' / 'socket_specs' / 'events.yaml'


def half_sent_post(port: int) -> http.client.HTTPConnection:
    """A POST to /announce in flight: the server is reading its body, which never comes.

    It asks ``Expect: 100-continue``: the server says ``100 Continue`` when the handler
    starts reading the body, so the request is known to be in the server's hands.
    :func:`finish_post` sends the body.
    """
    posting = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    posting.putrequest('POST', '/announce')
    posting.putheader('Content-Length', '10')
    posting.putheader('Expect', '100-continue')
    posting.endheaders()
    assert posting.sock.recv(100).startswith(b'HTTP/1.1 100 Continue\r\n')
    return posting


def finish_post(posting: http.client.HTTPConnection, server: Server) -> None:
    """Send the held POST's body: it is answered (and closed), then the server exits."""
    posting.send(b'helloworld')
    answer = posting.getresponse()
    assert (answer.status, answer.read()) == (200, b'sent')
    assert answer.getheader('Connection') == 'close'
    server.process.wait(10)


@pytest.mark.parametrize('signum', [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_server_promptly_with_status_0(signum: int) -> None:
    """Idle keep-alive connections are closed at once; a request in flight still ends.

    Event order, not time: the idle connection must be closed while a half-sent POST
    still holds the stop back.
    """
    with start_server(SOCKETS_SPEC) as server:
        idle = http.client.HTTPConnection('127.0.0.1', server.port, timeout=10)
        idle.request('GET', '/__openapi__.json')
        idle.getresponse().read()
        posting = half_sent_post(server.port)
        try:
            server.signal(signum)
            assert idle.sock.recv(1) == b''  # closed by the server...
            assert server.returncode is None  # ...while the POST holds the stop back
            finish_post(posting, server)
        finally:
            posting.close()
            idle.close()
        output = server.output()
    assert server.returncode == 0, output
    assert 'stopping' in output
    assert 'Traceback' not in output


def test_keep_alive_requests_are_fast(hello_spec: Path) -> None:
    """TCP_NODELAY: without it each keep-alive response waits ~40 ms for a delayed ACK."""
    with start_server(hello_spec) as server:
        connection = http.client.HTTPConnection('127.0.0.1', server.port, timeout=5)
        connection.request('GET', '/__openapi__.json')
        connection.getresponse().read()
        started = time.perf_counter()
        for _ in range(20):
            connection.request('GET', '/__openapi__.json')
            response = connection.getresponse()
            assert response.status == 200
            response.read()
        mean = (time.perf_counter() - started) / 20
        connection.close()
    assert mean < 0.010, f'{mean * 1000:.1f} ms per keep-alive request'


def test_an_invalid_spec_exits_1_with_file_line_column(tmp_path: Path) -> None:
    spec = tmp_path / 'bad.yaml'
    spec.write_text('rbconfig: 1\npaths:\n  x:\n    url: /x\n    methd: GET\n')
    result = run_cli('run', str(spec), '--port', '0')
    assert result.returncode == 1
    assert f'{spec}:5:5:' in result.stderr
    assert "unknown key 'methd'" in result.stderr
    assert 'Traceback' not in result.stderr


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    # Status 2 and one line, as for rbconfig validate (docs/serving.md).
    result = run_cli('run', str(tmp_path / 'nothing.yaml'), '--port', '0')
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f'rbconfig run: error: argument SPEC: no such file or folder: {tmp_path / "nothing.yaml"}'
    )
    assert 'Traceback' not in result.stderr


def test_a_handler_that_does_not_import_stops_startup(tmp_path: Path) -> None:
    spec = tmp_path / 'broken.yaml'
    spec.write_text('rbconfig: 1\npaths:\n  x:\n    url: /x\n    use: python:nowhere.handler\n')
    result = run_cli('run', str(spec), '--port', '0')
    assert result.returncode == 1
    assert f'{spec}:5:' in result.stderr
    assert 'nowhere' in result.stderr
    assert 'Traceback' not in result.stderr


def test_a_port_in_use_exits_1_with_a_message(hello_spec: Path) -> None:
    with start_server(hello_spec) as server:
        result = run_cli('run', str(hello_spec), '--port', str(server.port))
    assert result.returncode == 1
    assert f'cannot listen on 127.0.0.1:{server.port}' in result.stderr
    assert 'Traceback' not in result.stderr


@pytest.mark.parametrize('extra', [(), ('--reload',)])
def test_a_port_out_of_range_is_a_usage_error(hello_spec: Path, extra: tuple[str, ...]) -> None:
    result = run_cli('run', str(hello_spec), '--port', '99999', *extra)
    assert result.returncode == 2
    assert 'argument --port: expected a port number from 0 to 65535' in result.stderr
    assert 'Traceback' not in result.stderr


@pytest.mark.parametrize('spec', ['apps/hello/hello.yaml', 'apps/hello/hello.rbr'])
def test_serves_the_hello_app_in_both_formats(spec: str) -> None:
    with start_server(ROOT / spec) as server:
        status, _, body = get(server.url + '/')
    assert (status, body) == (200, b'Hello, World!')


MOCK_SPEC = """\
rbconfig: 1
paths:
  user:
    url: /user
    response:
      status: {200: The user}
      body:
        example: {name: Ada, id: 7}
  boom:
    url: /boom
    use: python:boom.fail
"""


@pytest.fixture
def mock_spec(tmp_path: Path) -> Path:
    boom = "def fail(globs, request):\n    raise RuntimeError('kaput')\n"
    return write_spec(tmp_path, 'mocked.yaml', MOCK_SPEC, {'boom': boom})


def test_mock_answers_examples_for_paths_without_a_handler(mock_spec: Path) -> None:
    with start_server(mock_spec, '--mock') as server:
        status, headers, body = get(server.url + '/user')
        assert '; mock; docs at' in server.wait_for_output('serving on')
    assert status == 200
    assert headers['content-type'] == 'application/json'
    assert json.loads(body) == {'name': 'Ada', 'id': 7}


def test_without_mock_a_path_without_a_handler_echoes(mock_spec: Path) -> None:
    with start_server(mock_spec) as server:
        status, headers, body = get(server.url + '/user')
    assert status == 200
    assert headers['content-type'].startswith('text/plain')
    assert body.startswith(b'GET /user')


def test_debug_puts_the_traceback_in_500_answers(mock_spec: Path) -> None:
    with start_server(mock_spec) as server:
        status, headers, quiet = get(server.url + '/boom')
        assert status == 500
        assert get(server.url + '/user')[0] == 200  # still serving
        # The access line of an error ends with its request id, as the error log does.
        rid = headers['x-request-id']
        output = server.wait_for_output('"GET /boom HTTP/1.1" 500')
        assert re.search(
            rf'"GET /boom HTTP/1\.1" 500 \d+ [\d.]+ms \[{re.escape(rid)}\]$', output, re.M
        )
        assert rid in output.split('"GET /boom')[0], 'the error log line names the request id'
    with start_server(mock_spec, '--debug') as server:
        status, _, loud = get(server.url + '/boom')
        assert status == 500
    assert b'kaput' not in quiet and b'Traceback' not in quiet
    assert b'kaput' in loud


#: Every spec under apps/, the reference spec of the format included (its code is there).
APP_SPECS = [path.relative_to(ROOT) for path in app_specs()]


@pytest.mark.parametrize('spec', APP_SPECS, ids=str)
def test_every_example_app_serves_its_doc_page_and_openapi(spec: Path) -> None:
    from openapi_spec_validator import validate

    from rbconfig.converters import load

    model = load(ROOT / spec).spec
    root = (model.root or '').rstrip('/')
    with start_server(ROOT / spec) as server:
        status, _, page = get(server.url + root + '/__doc__')
        assert status == 200, server.output()
        status, _, body = get(server.url + root + '/__openapi__.json')
        assert status == 200
        output = server.output()
    validate(json.loads(body))
    if model.meta and model.meta.title:
        assert html.escape(model.meta.title).encode() in page
    for namespace in model.sockets:
        assert f'Namespace <code>{namespace}</code>'.encode() in page
    assert 'Traceback' not in output


@pytest.mark.parametrize('transport', ['websocket', 'polling'])
def test_open_socketio_connections_do_not_hold_the_stop_back(transport: str) -> None:
    """On SIGTERM a Socket.IO client is let go at once; a request in flight still ends.

    Event order, not time: a POST whose body is half sent holds the stop back until the
    rest arrives; the Socket.IO client must be disconnected before that.
    """
    import threading

    import socketio

    with start_server(SOCKETS_SPEC) as server:
        client = socketio.Client(reconnection=False)
        gone = threading.Event()
        client.on('disconnect', lambda *args: gone.set())
        client.connect(server.url, transports=[transport], wait_timeout=10)
        posting = half_sent_post(server.port)
        try:
            assert client.transport() == transport
            server.signal(signal.SIGTERM)
            server.wait_for_output('stopping')
            assert gone.wait(10), f'the {transport} client was kept while a request was in flight'
            assert server.returncode is None  # the POST still holds the stop back
            finish_post(posting, server)
        finally:
            posting.close()
            client.disconnect()
        output = server.output()
    assert server.returncode == 0, output
