"""file: and directory: locations; the directory traversal table."""

from __future__ import annotations

import os
from pathlib import Path

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
