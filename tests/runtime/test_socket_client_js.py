"""``/socket.io/socket.io.js``: the spec's file, an npm-installed copy, or the CDN."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest

from rbconfig.converters import loads
from rbconfig.errors import StartupError
from rbconfig.runtime.socket import mount
from rbconfig.runtime.socket.client_js import CDN, ENV_VARIABLE
from tests.helpers.peers import CLIENT_DIST
from tests.helpers.server import start_server

SPEC = """\
rbconfig: 1
{socketio}
sockets:
  /:
    events:
      hello: python:client_js_handlers.hello
"""


@pytest.fixture
def app_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder holding a handler module; the current folder too (searched as well)."""
    (tmp_path / 'client_js_handlers.py').write_text('def hello(ctx, data):\n    return data\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_VARIABLE, raising=False)
    yield tmp_path


def make_app(folder: Path, socketio: str = '') -> Any:
    document = loads(SPEC.format(socketio=socketio), 'yaml', str(folder / 'spec.yaml'))

    def not_found(environ: dict, start_response: Any) -> list[bytes]:
        start_response('404 Not Found', [])
        return [b'app']

    return mount(document, not_found, {})


def call(app: Any, path: str, method: str = 'GET', **headers: str) -> tuple[str, dict, bytes]:
    environ: dict[str, Any] = {'PATH_INFO': path, 'REQUEST_METHOD': method}
    for name, value in headers.items():
        environ['HTTP_' + name.upper()] = value
    setup_testing_defaults(environ)
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answer['status'] = status
        answer['headers'] = dict(headers)

    body = b''.join(app(environ, start_response))
    return answer['status'], answer['headers'], body


def test_the_spec_file_is_served_under_both_names(app_folder: Path) -> None:
    (app_folder / 'vendor').mkdir()
    client = app_folder / 'vendor' / 'io.js'
    client.write_text('/* my socket.io build */')
    app = make_app(app_folder, 'socketio:\n  client: file:vendor/io.js')
    for name in ('socket.io.js', 'socket.io.min.js'):
        status, headers, body = call(app, f'/socket.io/{name}')
        assert status == '200 OK'
        assert body == b'/* my socket.io build */'
        assert headers['Content-Type'] == 'application/javascript; charset=utf-8'
    status, headers, _ = call(app, '/socket.io/socket.io.js')
    again = call(app, '/socket.io/socket.io.js', if_none_match=headers['ETag'])
    assert again[0] == '304 Not Modified'
    assert again[2] == b''
    head = call(app, '/socket.io/socket.io.js', 'HEAD')
    assert head[0] == '200 OK'
    assert head[1]['Content-Length'] == str(len('/* my socket.io build */'))
    assert head[2] == b''
    assert call(app, '/socket.io/socket.io.js', 'POST')[0] == '405 Method Not Allowed'
    # A changed file is served at once, with a new ETag.
    client.write_text('/* rebuilt */')
    status, new_headers, body = call(app, '/socket.io/socket.io.js')
    assert body == b'/* rebuilt */'
    assert new_headers['ETag'] != headers['ETag']


def test_an_npm_install_next_to_the_spec_is_found(app_folder: Path) -> None:
    modules = app_folder / 'node_modules' / 'socket.io-client'
    modules.mkdir(parents=True)
    (modules / 'dist').symlink_to(CLIENT_DIST, target_is_directory=True)
    app = make_app(app_folder)
    for name in ('socket.io.js', 'socket.io.min.js', 'socket.io.min.js.map'):
        status, headers, body = call(app, f'/socket.io/{name}')
        assert status == '200 OK', name
        assert body == (CLIENT_DIST / name).read_bytes()
    assert call(app, '/socket.io/socket.io.min.js.map')[1]['Content-Type'].startswith(
        'application/json'
    )
    # Other names under the Socket.IO path are not Socket.IO's: the app answers.
    assert call(app, '/socket.io/other.js')[2] == b'app'


def test_a_parent_folder_install_is_found(app_folder: Path) -> None:
    (app_folder / 'node_modules' / 'socket.io').mkdir(parents=True)
    (app_folder / 'node_modules' / 'socket.io' / 'client-dist').symlink_to(CLIENT_DIST)
    inner = app_folder / 'apps' / 'demo'
    inner.mkdir(parents=True)
    (inner / 'client_js_handlers.py').write_text('def hello(ctx, data):\n    return data\n')
    app = make_app(inner)
    status, _, body = call(app, '/socket.io/socket.io.min.js')
    assert status == '200 OK'
    assert body == (CLIENT_DIST / 'socket.io.min.js').read_bytes()


def test_the_environment_variable_names_a_copy(
    app_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VARIABLE, str(CLIENT_DIST))
    app = make_app(app_folder)
    assert call(app, '/socket.io/socket.io.js')[2] == (CLIENT_DIST / 'socket.io.js').read_bytes()
    monkeypatch.setenv(ENV_VARIABLE, str(app_folder / 'nowhere'))
    with pytest.raises(StartupError, match='RBCONFIG_SOCKETIO_CLIENT=.*no such file or folder'):
        make_app(app_folder)


def test_without_a_copy_it_redirects_to_the_cdn(app_folder: Path) -> None:
    app = make_app(app_folder)
    status, headers, body = call(app, '/socket.io/socket.io.js')
    assert status == '302 Found'
    assert headers['Location'] == 'https://cdn.socket.io/4.8.1/socket.io.min.js'
    assert call(app, '/socket.io/socket.io.esm.min.js')[1]['Location'] == (
        CDN + 'socket.io.esm.min.js'
    )


def test_the_client_must_be_a_file_or_folder_that_exists(app_folder: Path) -> None:
    with pytest.raises(StartupError) as error:
        make_app(app_folder, 'socketio:\n  client: file:missing.js')
    problem = error.value.problems[0]
    assert (problem.line, problem.where) == (3, 'socketio.client')
    assert 'no such file' in problem.message
    with pytest.raises(StartupError, match="must be a 'file:' or 'directory:' location"):
        make_app(app_folder, 'socketio:\n  client: python:client_js_handlers.hello')


def test_a_custom_path_moves_everything(app_folder: Path) -> None:
    (app_folder / 'io.js').write_text('//io')
    app = make_app(app_folder, 'socketio:\n  path: /rt\n  client: file:io.js')
    assert call(app, '/rt/socket.io.js')[2] == b'//io'
    assert call(app, '/socket.io/socket.io.js')[2] == b'app'


def test_a_running_server_redirects(tmp_path: Path) -> None:
    """The same through ``rbconfig run``: no local copy anywhere, so the CDN."""
    (tmp_path / 'client_js_handlers.py').write_text('def hello(ctx, data):\n    return data\n')
    (tmp_path / 'spec.yaml').write_text(SPEC.format(socketio=''))
    env = {ENV_VARIABLE: ''}  # empty: not set
    with start_server(tmp_path / 'spec.yaml', cwd=tmp_path, env=env) as server:

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        opener = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as answer:
            opener.open(server.url + '/socket.io/socket.io.js', timeout=5)
        assert answer.value.code == 302
        assert answer.value.headers['Location'] == CDN + 'socket.io.min.js'
        # It said so at start-up, with how to get a local copy.
        assert (
            f'rbconfig: socket.io.js: a redirect to the CDN ({CDN}), so pages need the network; '
            "for a local copy run 'npm install socket.io-client' in . (or a folder above it), "
            f'or set {ENV_VARIABLE}=DIR (docs/sockets.md)\n'
        ) in server.output()


def test_a_running_server_names_its_local_copy(tmp_path: Path) -> None:
    (tmp_path / 'client_js_handlers.py').write_text('def hello(ctx, data):\n    return data\n')
    (tmp_path / 'spec.yaml').write_text(SPEC.format(socketio=''))
    env = {ENV_VARIABLE: str(CLIENT_DIST)}
    with start_server(tmp_path / 'spec.yaml', cwd=tmp_path, env=env) as server:
        assert f'rbconfig: socket.io.js: a local copy, {CLIENT_DIST}\n' in server.output()
