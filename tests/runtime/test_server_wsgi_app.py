"""The WSGI app in-process: the introspection routes, their place, and sockets."""

from __future__ import annotations

import json
from pathlib import Path

import falcon
from falcon import testing
from openapi_spec_validator import validate

from rbconfig.converters import load
from rbconfig.export.pages import introspection_urls
from rbconfig.wsgi import wsgi_app
from tests.helpers import ROOT


def client(spec: Path, **options: bool) -> testing.TestClient:
    return testing.TestClient(wsgi_app(load(spec), **options))


def test_doc_and_openapi_under_the_root_with_head_and_405() -> None:
    demos = client(ROOT / 'apps' / 'demos' / 'demos.yaml')
    page = demos.simulate_get('/demos/__doc__')
    assert page.status_code == 200
    assert page.headers['content-type'] == 'text/html; charset=utf-8'
    assert 'href="/demos/__openapi__.json"' in page.text
    head = demos.simulate_head('/demos/__doc__')
    assert head.status_code == 200 and head.content == b''
    assert head.headers['content-length'] == str(len(page.content))
    assert demos.simulate_post('/demos/__doc__').status_code == 405
    document = demos.simulate_get('/demos/__openapi__.json').json
    validate(document)
    assert '/demos/capitalize' in document['paths']
    assert demos.simulate_get('/__doc__').status_code == 404


def test_introspection_urls() -> None:
    assert introspection_urls(load(ROOT / 'apps' / 'demos' / 'demos.yaml')) == {
        'doc': '/demos/__doc__',
        'openapi': '/demos/__openapi__.json',
    }
    assert introspection_urls(load(ROOT / 'apps' / 'hello' / 'hello.yaml')) == {
        'doc': '/__doc__',
        'openapi': '/__openapi__.json',
    }


def test_a_spec_path_claiming_the_doc_url_wins(tmp_path: Path) -> None:
    spec = tmp_path / 'own.yaml'
    spec.write_text('rbconfig: 1\npaths:\n  doc:\n    url: /__doc__\n    use: file:mine.html\n')
    (tmp_path / 'mine.html').write_text('<p>my own docs</p>')
    app = client(spec)
    assert app.simulate_get('/__doc__').text == '<p>my own docs</p>'
    assert app.simulate_get('/__openapi__.json').status_code == 200


def test_a_spec_with_sockets_is_mounted_around_the_falcon_app() -> None:
    app = wsgi_app(load(ROOT / 'apps' / 'chat' / 'chat.yaml'))
    assert not isinstance(app, falcon.App)
    chat = testing.TestClient(app)
    assert chat.simulate_get('/__doc__').status_code == 200
    handshake = chat.simulate_get('/socket.io/', query_string='EIO=4&transport=polling')
    assert handshake.status_code == 200
    assert json.loads(handshake.text[1:])['sid']
