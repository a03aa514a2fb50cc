"""file: and directory: locations; the directory traversal table."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from rbconfig.errors import StartupError
from rbconfig.runtime.app import build_app
from rbconfig.runtime.runners import safe_child

from .runtime_support import make_client, make_document

FILES = {
    'public/app.js': 'console.log(1)',
    'public/style.css': 'body {}',
    'public/.env': 'SECRET=1',
    'public/sub/page.html': '<p>sub</p>',
    'public/%2e%2e': 'literally named',
    'secret.txt': 'top secret',
    'page.html': '<p>hi</p>',
    'data.bin': b'\x00\xff',
}


@pytest.fixture
def client(tmp_path: Path):  # noqa: ANN201
    outside = tmp_path / 'secret.txt'
    (tmp_path / 'public').mkdir()
    os.symlink(outside, tmp_path / 'public' / 'escape.txt')
    os.symlink(tmp_path / 'public' / 'style.css', tmp_path / 'public' / 'inside.css')
    spec = {
        'paths': {
            'flat': {'url': '/static/{name}', 'use': 'directory:public'},
            'deep': {'url': '/deep/{name:.*}', 'use': 'directory:public'},
            'page': {'url': '/page', 'use': 'file:page.html'},
            'data': {'url': '/data', 'use': 'file:data.bin'},
        }
    }
    return make_client(tmp_path, spec, FILES)


def test_file_with_guessed_content_type(client) -> None:  # noqa: ANN001
    page = client.simulate_get('/page')
    assert (page.text, page.headers['content-type']) == ('<p>hi</p>', 'text/html; charset=utf-8')
    data = client.simulate_get('/data')
    assert (data.content, data.headers['content-type']) == (b'\x00\xff', 'application/octet-stream')


def test_directory_serves_files(client) -> None:  # noqa: ANN001
    css = client.simulate_get('/static/style.css')
    assert css.status_code == 200 and css.text == 'body {}'
    assert css.headers['content-type'] == 'text/css; charset=utf-8'
    assert client.simulate_get('/static/app.js').text == 'console.log(1)'
    assert client.simulate_get('/deep/sub/page.html').text == '<p>sub</p>'
    assert client.simulate_get('/static/inside.css').text == 'body {}'  # symlink inside: fine
    assert client.simulate_get('/static/%252e%252e').text == 'literally named'  # decoded once


@pytest.mark.parametrize(
    'url',
    [
        '/static/..',
        '/static/../secret.txt',
        '/static/%2e%2e',
        '/static/%2e%2e/secret.txt',
        '/static/%2E%2E%2Fsecret.txt',
        '/deep/../secret.txt',
        '/deep/sub/../../secret.txt',
        '/deep/%2e%2e/secret.txt',
        '/deep/sub/%2e%2e/%2e%2e/secret.txt',
        '/deep//etc/passwd',
        '/deep/%2Fetc%2Fpasswd',
        '/static/escape.txt',
        '/deep/escape.txt',
        '/static/a%00.txt',
        '/static/style.css%00.txt',
        '/static/..%5Csecret.txt',
        '/static/sub%5C..%5C..%5Csecret.txt',
        '/static/.env',
        '/deep/sub/.hidden',
        '/deep/sub',
        '/deep/',
        '/static/missing.txt',
    ],
)
def test_no_way_out_of_the_directory(client, url: str) -> None:  # noqa: ANN001
    answer = client.simulate_get(url)
    assert answer.status_code == 404, url
    assert 'top secret' not in answer.text and 'SECRET' not in answer.text


def test_safe_child_directly(tmp_path: Path) -> None:
    (tmp_path / 'a.txt').write_text('a')
    root = os.path.realpath(tmp_path)
    assert safe_child(root, 'a.txt') == os.path.join(root, 'a.txt')
    for name in ('', '..', '../a.txt', '/a.txt', 'a.txt\0', '.\\a.txt', './a.txt', 'b/../a.txt'):
        assert safe_child(root, name) is None, name


def test_directory_needs_a_name_placeholder(tmp_path: Path) -> None:
    (tmp_path / 'public').mkdir()
    spec = {'paths': {'d': {'url': '/static/{file}', 'use': 'directory:public'}}}
    with pytest.raises(StartupError, match=r'needs a \{name\} placeholder') as info:
        build_app(make_document(tmp_path, spec))
    assert info.value.problems[0].where == 'paths.d.url'


def test_missing_file_or_folder_stops_startup(tmp_path: Path) -> None:
    spec = {'paths': {'f': {'url': '/f', 'use': 'file:nope.css'}}}
    with pytest.raises(StartupError, match='no such file'):
        build_app(make_document(tmp_path, spec))
    spec = {'paths': {'d': {'url': '/d/{name}', 'use': 'directory:nope'}}}
    with pytest.raises(StartupError, match='no such folder'):
        build_app(make_document(tmp_path, spec))


# ---------------------------------------------------------------- served as a static server


@pytest.fixture
def served(tmp_path: Path):  # noqa: ANN201
    """A file path and a folder of assets (and a path whose response body is checked)."""
    files: dict[str, str | bytes] = {
        'site/report.txt': '0123456789',
        'site/app.js': 'export {}',
        'site/data.json': '{"a": 1}',
        'site/logs.txt.gz': b'\x1f\x8b\x08\x00',
        'site/module.wasm': b'\x00asm',
        'site/noext': b'?',
        'site/big.bin': bytes(range(256)) * 4096,  # 1 MiB
        'upper.py': 'def upper(globs, request, body):\n    return body.upper()\n',
    }
    spec = {
        'paths': {
            'report': {'url': '/report', 'use': 'file:site/report.txt'},
            'assets': {'url': '/assets/{name}', 'use': 'directory:site'},
            'shouted': {
                'url': '/shouted',
                'use': 'file:site/report.txt',
                'response': {'body': {'checks': [{'alter': 'python:upper.upper'}]}},
            },
        }
    }
    return make_client(tmp_path, spec, files)


def test_files_carry_validators_and_their_length(served) -> None:  # noqa: ANN001
    for url in ('/report', '/assets/report.txt'):
        answer = served.simulate_get(url)
        assert answer.status_code == 200 and answer.text == '0123456789'
        headers = answer.headers
        assert headers['content-length'] == '10'
        assert headers['accept-ranges'] == 'bytes'
        assert headers['etag'].startswith('"') and headers['etag'].endswith('-a"')
        assert headers['last-modified'].endswith(' GMT')
        assert headers['content-type'] == 'text/plain; charset=utf-8'


def test_conditional_gets_answer_304_without_a_body(served) -> None:  # noqa: ANN001
    first = served.simulate_get('/assets/report.txt')
    etag, modified = first.headers['etag'], first.headers['last-modified']
    for headers in (
        {'If-None-Match': etag},
        {'If-None-Match': f'"other", W/{etag}'},  # weak comparison
        {'If-None-Match': '*'},
        {'If-Modified-Since': modified},
        {'If-Modified-Since': 'Fri, 01 Jan 2100 00:00:00 GMT'},
    ):
        answer = served.simulate_get('/assets/report.txt', headers=headers)
        assert answer.status_code == 304, headers
        assert answer.content == b''
        assert answer.headers['etag'] == etag
    for headers in (
        {'If-None-Match': '"other"'},
        {'If-Modified-Since': 'Sat, 01 Jan 2000 00:00:00 GMT'},
        # If-None-Match wins over If-Modified-Since (RFC 9110 §13.1.3).
        {'If-None-Match': '"other"', 'If-Modified-Since': modified},
        # A date that is not one is ignored (RFC 9110 §13.1.3), not a 400.
        {'If-Modified-Since': 'garbage'},
        {'If-Modified-Since': f'{modified}; length=10'},
    ):
        answer = served.simulate_get('/assets/report.txt', headers=headers)
        assert (answer.status_code, answer.text) == (200, '0123456789'), headers
    head = served.simulate_head('/report', headers={'If-None-Match': etag})
    assert head.status_code == 304


@pytest.mark.parametrize(
    ('asked', 'part', 'content_range'),
    [
        ('bytes=0-3', '0123', 'bytes 0-3/10'),
        ('bytes=4-', '456789', 'bytes 4-9/10'),
        ('bytes=-3', '789', 'bytes 7-9/10'),
        ('bytes=8-100', '89', 'bytes 8-9/10'),
        ('bytes=-50', '0123456789', 'bytes 0-9/10'),
    ],
)
def test_a_range_is_a_206(served, asked: str, part: str, content_range: str) -> None:  # noqa: ANN001
    answer = served.simulate_get('/assets/report.txt', headers={'Range': asked})
    assert answer.status_code == 206
    assert answer.text == part
    assert answer.headers['content-range'] == content_range
    assert answer.headers['content-length'] == str(len(part))


def test_ranges_out_of_the_file_or_not_understood(served) -> None:  # noqa: ANN001
    outside = served.simulate_get('/assets/report.txt', headers={'Range': 'bytes=10-'})
    assert outside.status_code == 416
    assert outside.headers['content-range'] == 'bytes */10'
    assert outside.headers['content-type'] == 'application/problem+json'
    for ignored in ('bytes=0-1,4-5', 'bytes=x-y', 'lines=1-2', 'bytes=5-2'):
        answer = served.simulate_get('/assets/report.txt', headers={'Range': ignored})
        assert (answer.status_code, answer.text) == (200, '0123456789'), ignored


def test_if_range_sends_the_whole_file_once_it_changed(served) -> None:  # noqa: ANN001
    first = served.simulate_get('/report')
    etag, modified = first.headers['etag'], first.headers['last-modified']
    for condition, status in (
        (etag, 206),
        (modified, 206),
        ('"stale"', 200),
        (f'W/{etag}', 200),  # If-Range compares strongly
        ('Sat, 01 Jan 2000 00:00:00 GMT', 200),
    ):
        answer = served.simulate_get(
            '/report', headers={'Range': 'bytes=0-1', 'If-Range': condition}
        )
        assert answer.status_code == status, condition
        assert answer.text == ('01' if status == 206 else '0123456789')


def test_head_gets_the_headers_only(served) -> None:  # noqa: ANN001
    answer = served.simulate_head('/assets/big.bin')
    assert answer.status_code == 200 and answer.content == b''
    assert answer.headers['content-length'] == str(1024 * 1024)
    ranged = served.simulate_head('/assets/big.bin', headers={'Range': 'bytes=0-9'})
    assert ranged.status_code == 200  # a HEAD ignores Range


@pytest.mark.parametrize(
    ('name', 'content_type'),
    [
        ('app.js', 'text/javascript; charset=utf-8'),
        ('data.json', 'application/json'),
        ('logs.txt.gz', 'application/gzip'),
        ('module.wasm', 'application/wasm'),
        ('noext', 'application/octet-stream'),
    ],
)
def test_content_types_by_name(served, name: str, content_type: str) -> None:  # noqa: ANN001
    assert served.simulate_get(f'/assets/{name}').headers['content-type'] == content_type


def test_a_large_file_is_streamed_in_blocks_and_closed(served) -> None:  # noqa: ANN001
    from falcon.testing import create_environ

    app = served.app
    before = len(os.listdir('/proc/self/fd'))
    seen: dict[str, Any] = {}
    body = app(
        create_environ('/assets/big.bin'),
        lambda status, headers, exc_info=None: seen.update(status=status, headers=headers),
    )
    chunks = list(body)
    body.close()
    assert seen['status'] == '200 OK'
    assert len(chunks) > 1 and max(len(chunk) for chunk in chunks) <= 64 * 1024
    assert b''.join(chunks) == bytes(range(256)) * 4096
    assert len(os.listdir('/proc/self/fd')) == before


def test_checked_response_bodies_get_the_whole_file(served) -> None:  # noqa: ANN001
    answer = served.simulate_get('/shouted', headers={'Range': 'bytes=0-1'})
    assert (answer.status_code, answer.text) == (200, '0123456789'.upper())
    assert 'etag' not in answer.headers  # the body is not the file's any more


def test_a_real_server_streams_ranges_and_304s(tmp_path: Path) -> None:
    """Over a socket, on the gevent server: 8 MiB whole, a range of it, then a 304."""
    import http.client

    from tests.helpers import start_server, write_spec

    content = os.urandom(8 * 1024 * 1024)
    (tmp_path / 'public').mkdir()
    (tmp_path / 'public' / 'blob.bin').write_bytes(content)
    spec = write_spec(
        tmp_path,
        'files.yaml',
        'rbconfig: 1\npaths:\n  f:\n    url: /f/{name}\n    use: directory:public\n',
    )
    with start_server(spec) as server:
        connection = http.client.HTTPConnection('127.0.0.1', server.port, timeout=30)
        connection.request('GET', '/f/blob.bin')
        whole = connection.getresponse()
        assert whole.status == 200 and whole.read() == content
        etag = whole.getheader('ETag')
        connection.request('GET', '/f/blob.bin', headers={'Range': 'bytes=1000000-1000099'})
        part = connection.getresponse()
        assert (part.status, part.read()) == (206, content[1_000_000:1_000_100])
        connection.request('GET', '/f/blob.bin', headers={'If-None-Match': etag})
        cached = connection.getresponse()
        assert (cached.status, cached.read()) == (304, b'')
        connection.close()
        output = server.output()
    assert 'Traceback' not in output
