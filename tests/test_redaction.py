"""Secrets in locations stay secret (issue 11.4).

``use: proxy:http://admin:secret@host/base`` used to show the password on
``/__doc__`` and ``/__openapi__.json``. Userinfo and token-like query
parameters are redacted by one function (``rbconfig.errors.redact``) wherever
a location or URL is shown: the docs page, OpenAPI, AsyncAPI, spec errors in
every format, the proxy's errors, and the access log of a real server.
"""

from __future__ import annotations

import base64
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from falcon.testing import TestClient

from rbconfig.converters import load
from rbconfig.errors import Problem, SpecError, redact
from rbconfig.export.asyncapi import asyncapi_document
from rbconfig.export.docpage import render_doc_page
from rbconfig.export.openapi import openapi_document
from rbconfig.wsgi import wsgi_app
from tests.helpers import refused_port, start_server, write_spec

SECRET = 's3cr3t-pw'
TOKEN = 'tok-123456'


@pytest.mark.parametrize(
    ('text', 'expected'),
    [
        ('proxy:http://admin:s3cr3t@host/base', 'proxy:http://***@host/base'),
        ('https://user@host:8443/', 'https://***@host:8443/'),
        ('redis://:pw@127.0.0.1:6379/0', 'redis://***@127.0.0.1:6379/0'),
        ('/x?token=abc&page=2', '/x?token=***&page=2'),
        ('GET /a?q=1&access_token=abc&API_KEY=k;sig=s HTTP/1.1',
         'GET /a?q=1&access_token=***&API_KEY=***;sig=*** HTTP/1.1'),
        ("got 'proxy:http://a:b@h/p?password=x'", "got 'proxy:http://***@h/p?password=***'"),
        ('?signature=abc&X-Amz-Credential=c&client_secret=d&pwd=e',
         '?signature=***&X-Amz-Credential=***&client_secret=***&pwd=***'),
    ],
)  # fmt: skip
def test_redact_hides_userinfo_and_token_parameters(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    'text',
    ['python:pkg.module.func', 'file:static/index.html', 'user@example.com writes', '/a?b=c&d=e'],
)
def test_redact_leaves_text_without_secrets_alone(text: str) -> None:
    assert redact(text) == text


def test_a_problem_message_never_carries_a_secret() -> None:
    problem = Problem('s.rbr', 1, 1, 'paths.x', f"after 'use … /base?token={TOKEN}'")
    assert TOKEN not in str(problem)
    assert problem.message == "after 'use … /base?token=***'"


BAD_USE = f'proxy:http://admin:{SECRET}@bad host/base?token={TOKEN}'


@pytest.mark.parametrize(
    ('name', 'text'),
    [
        ('bad.yaml', f'rbconfig: 1\npaths:\n  up:\n    url: /up\n    use: "{BAD_USE}"\n'),
        ('bad.toml', f'rbconfig = 1\n[paths.up]\nurl = "/up"\nuse = "{BAD_USE}"\n'),
        ('bad.rbr', f'path up (\n    url /up,\n    use "{BAD_USE}"\n);\n'),
        ('syntax.rbr', f'path up (\n    url /up,\n    use {BAD_USE.replace(" ", "")} zz\n);\n'),
        ('global.yaml', f'rbconfig: 1\nglobals:\n  up: "{BAD_USE}"\n'),
        ('event.yaml',
         f'rbconfig: 1\nsockets:\n  /:\n    events:\n      x: "{BAD_USE}"\n'),
    ],
)  # fmt: skip
def test_spec_errors_in_every_format_redact_the_location(
    tmp_path: Path, name: str, text: str
) -> None:
    spec = tmp_path / name
    spec.write_text(text)
    with pytest.raises(SpecError) as caught:
        load(spec)
    message = str(caught.value)
    assert f'{spec}:' in message
    assert SECRET not in message and TOKEN not in message
    assert '***' in message


@pytest.fixture
def upstream() -> Iterator[tuple[int, list[dict[str, str]]]]:
    """A real HTTP upstream recording the headers of each request it gets."""
    seen: list[dict[str, str]] = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            seen.append({name.lower(): value for name, value in self.headers.items()})
            self.send_response(200)
            self.send_header('Content-Length', '2')
            self.end_headers()
            self.wfile.write(b'ok')

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(('127.0.0.1', 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], seen
    server.shutdown()
    server.server_close()


def _spec(folder: Path, port: int, dead: int) -> Path:
    return write_spec(
        folder,
        'secret.yaml',
        'rbconfig: 1\n'
        'paths:\n'
        '  up:\n'
        '    url: /up/{rest:.*}\n'
        f'    use: proxy:http://admin:{SECRET}@127.0.0.1:{port}/base\n'
        '  down:\n'
        '    url: /down\n'
        f'    use: proxy:http://admin:{SECRET}@127.0.0.1:{dead}\n'
        '    x-proxy-connect-timeout: 2\n'
        'sockets:\n'
        '  /:\n'
        '    events: {ping: python:secret_events.ping}\n',
        {'secret_events': 'def ping(ctx, data):\n    return data\n'},
    )


def test_exports_show_the_upstream_without_its_password(
    tmp_path: Path, upstream: tuple[int, list[dict[str, str]]]
) -> None:
    with refused_port() as dead:
        document = load(_spec(tmp_path, upstream[0], dead))
    page = render_doc_page(document)
    openapi = json.dumps(openapi_document(document))
    asyncapi = json.dumps(asyncapi_document(document))
    for shown in (page, openapi, asyncapi):
        assert SECRET not in shown and 'admin' not in shown
    assert f'http://***@127.0.0.1:{upstream[0]}/base' in page
    assert f'proxy:http://***@127.0.0.1:{upstream[0]}/base' in openapi


def test_the_proxy_sends_the_credentials_as_basic_auth_not_in_host(
    tmp_path: Path, upstream: tuple[int, list[dict[str, str]]]
) -> None:
    port, seen = upstream
    with refused_port() as dead:
        client = TestClient(wsgi_app(load(_spec(tmp_path, port, dead))))
        failed = client.simulate_get('/down')
    answer = client.simulate_get('/up/a', headers={'Authorization': 'Bearer client'})
    assert answer.status_code == 200 and answer.text == 'ok'
    assert seen[-1]['host'] == f'127.0.0.1:{port}'
    assert seen[-1]['authorization'] == 'Basic ' + base64.b64encode(
        f'admin:{SECRET}'.encode()
    ).decode('ascii')
    assert failed.status_code == 502
    assert f'127.0.0.1:{dead}' in failed.json['detail']
    assert SECRET not in failed.text and 'admin' not in failed.text


def test_a_real_server_shows_and_logs_no_secret(
    tmp_path: Path, upstream: tuple[int, list[dict[str, str]]]
) -> None:
    with (
        refused_port() as dead,
        start_server(_spec(tmp_path, upstream[0], dead), cwd=tmp_path) as server,
    ):
        bodies = []
        for url in ('/__doc__', '/__openapi__.json', '/__asyncapi__.json'):
            with urllib.request.urlopen(server.url + url, timeout=10) as answer:
                bodies.append(answer.read().decode())
        with urllib.request.urlopen(
            f'{server.url}/up/x?page=2&access_token={TOKEN}', timeout=10
        ) as answer:
            assert answer.read() == b'ok'
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(server.url + '/down', timeout=10)
        bodies.append(failed.value.read().decode())
        output = server.wait_for_output('"GET /down HTTP/1.1" 502')
    assert '"GET /up/x?page=2&access_token=*** HTTP/1.1" 200' in output
    for text in (*bodies, output):
        assert SECRET not in text and TOKEN not in text
    assert 'admin' not in ''.join(bodies)
