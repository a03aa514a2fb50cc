"""Body size limits (413), problem+json errors, request ids, 500s that keep serving."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from falcon.testing import create_environ

from rbconfig.runtime.app import build_app
from rbconfig.runtime.connection import BodyError

from .runtime_support import make_client, make_document

LIMITMOD = """\
def size(globs, request):
    return str(len(request.body))


def modern_size(raw):
    return {'size': len(raw)}


def boom(globs, request):
    raise ZeroDivisionError('secret internals')


def ok():
    return 'ok'
"""


class CountingStream(io.BytesIO):
    """A request body that remembers how much was read from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk


def call(
    app: Any, method: str, path: str, body: bytes, **env: Any
) -> tuple[int, dict[str, str], bytes]:
    """Call the WSGI app directly, with a hand-made environ."""
    environ = create_environ(path, method=method)
    environ.pop('CONTENT_LENGTH', None)
    environ.update(env)
    environ['wsgi.input'] = env.get('wsgi.input', io.BytesIO(body))
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen['status'] = int(status.split()[0])
        seen['headers'] = {name.lower(): value for name, value in headers}

    data = b''.join(app(environ, start_response))
    return seen['status'], seen['headers'], data


@pytest.fixture
def app(tmp_path: Path):  # noqa: ANN201
    spec = {
        'max_body': 100,
        'paths': {
            'spec_limit': {'url': '/spec', 'method': 'POST', 'use': 'python:limitmod.size'},
            'path_limit': {
                'url': '/path',
                'method': 'POST',
                'use': 'python:limitmod.size',
                'max_body': 10,
            },
            'big': {
                'url': '/big',
                'method': 'POST',
                'use': 'python:limitmod.modern_size',
                'max_body': 5000,
            },
            'boom': {'url': '/boom', 'use': 'python:limitmod.boom'},
            'boom_named': {'url': '/boom/{name}', 'use': 'python:limitmod.boom'},
            'ok': {'url': '/ok', 'use': 'python:limitmod.ok'},
        },
    }
    return build_app(make_document(tmp_path, spec, {'limitmod.py': LIMITMOD}))


def test_413_from_content_length_without_reading_the_body(app: Any) -> None:
    stream = CountingStream(b'x' * 101)
    status, headers, body = call(
        app, 'POST', '/spec', b'', CONTENT_LENGTH='101', **{'wsgi.input': stream}
    )
    assert status == 413 and stream.taken == 0
    assert headers['content-type'] == 'application/problem+json'
    problem = json.loads(body)
    assert problem['title'] == 'Content Too Large' and problem['max_body'] == 100
    assert call(app, 'POST', '/spec', b'x' * 100, CONTENT_LENGTH='100')[2] == b'100'


def test_path_limit_overrides_spec_limit(app: Any) -> None:
    assert call(app, 'POST', '/path', b'x' * 11, CONTENT_LENGTH='11')[0] == 413
    assert call(app, 'POST', '/path', b'x' * 10, CONTENT_LENGTH='10')[0] == 200
    assert call(app, 'POST', '/big', b'x' * 1000, CONTENT_LENGTH='1000')[2] == b'{"size": 1000}'


def test_chunked_body_stops_past_the_limit(app: Any) -> None:
    stream = CountingStream(b'x' * 10_000)
    status, _, _ = call(
        app, 'POST', '/spec', b'', HTTP_TRANSFER_ENCODING='chunked', **{'wsgi.input': stream}
    )
    assert status == 413 and stream.taken == 101
    status, _, body = call(app, 'POST', '/spec', b'x' * 50, HTTP_TRANSFER_ENCODING='chunked')
    assert (status, body) == (200, b'50')


def test_default_limit_is_one_mebibyte(tmp_path: Path) -> None:
    spec = {'paths': {'p': {'url': '/p', 'method': 'POST', 'use': 'python:limitdefault.size'}}}
    app = build_app(make_document(tmp_path, spec, {'limitdefault.py': LIMITMOD}))
    assert call(app, 'POST', '/p', b'', CONTENT_LENGTH=str(1024 * 1024 + 1))[0] == 413
    assert call(app, 'POST', '/p', b'x' * 1024 * 1024, CONTENT_LENGTH=str(1024 * 1024))[0] == 200


def test_bad_content_length_is_400(app: Any) -> None:
    assert call(app, 'POST', '/spec', b'', CONTENT_LENGTH='lots')[0] == 400
    stream = CountingStream(b'x' * 10_000)
    status = call(app, 'POST', '/spec', b'', CONTENT_LENGTH='-1', **{'wsgi.input': stream})[0]
    assert status == 400 and stream.taken == 0


def test_500_problem_without_traceback_logged_with_request_id_and_keeps_serving(
    app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger='rbconfig.runtime'):
        status, headers, body = call(app, 'GET', '/boom', b'')
    assert status == 500 and headers['content-type'] == 'application/problem+json'
    problem = json.loads(body)
    assert problem == {
        'type': 'about:blank',
        'title': 'Internal Server Error',
        'status': 500,
        'detail': 'The server failed to handle this request.',
        'request_id': headers['x-request-id'],
    }
    assert 'secret internals' not in body.decode() and 'Traceback' not in body.decode()
    record = next(r for r in caplog.records if headers['x-request-id'] in r.getMessage())
    assert record.exc_info is not None and 'ZeroDivisionError' in record.getMessage()
    assert call(app, 'GET', '/ok', b'')[:1] == (200,)
    assert call(app, 'GET', '/boom', b'')[0] == 500
    assert call(app, 'GET', '/ok', b'')[2] == b'ok'


class BrokenStream(io.RawIOBase):
    """A body the server could not read: as rbconfig's server's Body raises it."""

    def read(self, size: int | None = -1) -> bytes:
        raise BodyError('the client closed the connection before the end of the body')


def test_a_body_that_breaks_under_a_handler_is_a_400(app: Any) -> None:
    # The legacy handler reads request.body itself (WebOb, from wsgi.input).
    status, headers, body = call(
        app, 'POST', '/spec', b'', CONTENT_LENGTH='10', **{'wsgi.input': BrokenStream()}
    )
    assert status == 400 and headers['content-type'] == 'application/problem+json'
    assert json.loads(body)['detail'] == (
        'The request body could not be read: '
        'the client closed the connection before the end of the body'
    )


def test_the_error_log_line_shows_the_path_encoded(
    app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # Decoded, the %0a would end the log line and start one of the client's making.
    with caplog.at_level(logging.ERROR, logger='rbconfig.runtime'):
        status = call(app, 'GET', '/boom/\n2026-12-04 ERROR forged', b'')[0]
    assert status == 500
    message = next(r.getMessage() for r in caplog.records if 'failed' in r.getMessage())
    assert 'GET /boom/%0A2026-12-04%20ERROR%20forged failed' in message
    assert '\n' not in message


def test_debug_puts_the_traceback_in_the_problem(tmp_path: Path) -> None:
    spec = {'paths': {'boom': {'url': '/boom', 'use': 'python:limitdebug.boom'}}}
    client = make_client(tmp_path, spec, {'limitdebug.py': LIMITMOD}, debug=True)
    problem = client.simulate_get('/boom').json
    assert problem['detail'] == 'ZeroDivisionError: secret internals'
    assert 'Traceback (most recent call last)' in problem['traceback']


def test_every_error_response_has_a_request_id(app: Any) -> None:
    ids = {
        call(app, method, path, b'')[1]['x-request-id']
        for method, path in (
            ('GET', '/nowhere'),
            ('GET', '/boom'),
            ('PUT', '/ok'),
            ('GET', '/boom'),
        )
    }
    assert len(ids) == 4
    given = call(app, 'GET', '/boom', b'', HTTP_X_REQUEST_ID='abc-123')
    assert given[1]['x-request-id'] == 'abc-123' and json.loads(given[2])['request_id'] == 'abc-123'
    forged = call(app, 'GET', '/nowhere', b'', HTTP_X_REQUEST_ID='bad id\r\nx')[1]['x-request-id']
    assert forged != 'bad id\r\nx' and ' ' not in forged
    assert 'x-request-id' not in call(app, 'GET', '/ok', b'')[1]  # success: kept short


def test_problem_shapes_for_framework_errors(app: Any) -> None:
    status, headers, body = call(app, 'GET', '/nowhere', b'')
    assert status == 404 and headers['content-type'] == 'application/problem+json'
    assert json.loads(body) == {
        'type': 'about:blank',
        'title': 'Not Found',
        'status': 404,
        'request_id': headers['x-request-id'],
    }
    status, headers, body = call(app, 'PUT', '/ok', b'')
    assert status == 405 and json.loads(body)['title'] == 'Method Not Allowed'
    assert headers['allow'] == 'GET, HEAD, OPTIONS'
