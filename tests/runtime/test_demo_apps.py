"""apps/hello and apps/demos: each served from YAML and from its .rbr twin, same behaviour."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from falcon.testing import TestClient

from rbconfig.converters import load
from rbconfig.runtime.app import build_app

APPS = Path(__file__).resolve().parents[2] / 'apps'
TOKEN = {'Authorization': 'Bearer demo'}


def client_for(spec: Path) -> TestClient:
    """A client for ``spec``, its module freshly imported (as in a new process)."""
    sys.modules.pop(spec.stem, None)
    return TestClient(build_app(load(spec)))


#: (method, url, keyword arguments) played against both twins.
DEMO_SCRIPT: list[tuple[str, str, dict[str, Any]]] = [
    ('GET', '/demos', {}),
    ('HEAD', '/demos', {}),
    ('GET', '/demos/count', {}),
    ('GET', '/demos/count', {}),
    ('GET', '/demos/count2', {}),
    ('GET', '/demos/count2', {}),
    ('GET', '/demos/index.html', {}),
    ('POST', '/demos/capitalize', {'body': '"hello world"', 'headers': TOKEN}),
    ('POST', '/demos/capitalize', {'body': 'hello world', 'headers': TOKEN}),
    ('POST', '/demos/capitalize', {'body': '"hello"'}),
    ('POST', '/demos/capitalize', {'body': '"hello"', 'headers': {'Authorization': 'Bearer x'}}),
    ('GET', '/demos/capitalize', {}),
    ('GET', '/demos/redbarrel.css', {}),
    ('GET', '/demos/redbarrel-small.css', {}),
    ('POST', '/demos/blob', {'body': base64.b64encode(b'twelve bytes')}),
    ('POST', '/demos/blob', {'body': 'not base64!'}),
    ('POST', '/demos/blob', {'body': ''}),
    ('PUT', '/demos/index2.html', {}),
    ('GET', '/demos/index2.html', {}),
    ('POST', '/demos/index2.html', {}),
    ('DELETE', '/demos/index2.html', {}),
    ('GET', '/demos/greet/Ann', {}),
    ('GET', '/demos/greet/Ann', {'params': {'polite': 'yes'}}),
    ('GET', '/demos/dummy', {'headers': {'X-Hello': 'there'}}),
    ('GET', '/demos/nowhere', {}),
]


def play(
    client: TestClient, script: list[tuple[str, str, dict[str, Any]]]
) -> list[tuple[Any, ...]]:
    results = []
    for method, url, options in script:
        answer = client.simulate_request(method, url, **options)
        body: Any = answer.text
        skip = {'x-request-id'}
        if answer.headers.get('content-type') == 'application/problem+json':
            body = {k: v for k, v in answer.json.items() if k != 'request_id'}
            skip.add('content-length')  # the request ids differ in length
        headers = {k: v for k, v in answer.headers.items() if k not in skip}
        results.append((method, url, answer.status_code, headers, body))
    return results


@pytest.fixture(scope='module')
def demo_runs() -> dict[str, list[tuple[Any, ...]]]:
    return {
        fmt: play(client_for(APPS / 'demos' / f'demos.{fmt}'), DEMO_SCRIPT)
        for fmt in ('yaml', 'rbr')
    }


def test_demos_twins_behave_identically(demo_runs: dict[str, list[tuple[Any, ...]]]) -> None:
    for yaml_result, rbr_result in zip(demo_runs['yaml'], demo_runs['rbr'], strict=True):
        assert yaml_result == rbr_result


@pytest.mark.parametrize('fmt', ['yaml', 'rbr'])
def test_demos_answers(demo_runs: dict[str, list[tuple[Any, ...]]], fmt: str) -> None:
    answers = [result[2:] for result in demo_runs[fmt]]
    (
        hello,
        head,
        count1,
        count2,
        c2a,
        c2b,
        page,
        cap,
        cap_bad_json,
        cap_no_auth,
        cap_bad_auth,
        cap_get,
        css,
        small,
        blob,
        blob_bad,
        blob_empty,
        put,
        get,
        post,
        delete,
        greet,
        polite,
        dummy,
        nowhere,
    ) = answers
    assert hello[0] == 200 and hello[2] == 'Hello World!'
    assert head[0] == 200 and head[2] == '' and head[1]['content-length'] == '12'
    assert (count1[2], count2[2]) == ('1', '2')
    assert (c2a[2], c2b[2]) == ('110', '120')  # config.ini: start 100, step 10
    assert page[1]['content-type'] == 'text/html' and '<h1>A simple page</h1>' in page[2]
    assert cap[0] == 200 and json.loads(cap[2]) == 'Hello world'
    assert cap[1]['content-type'] == 'application/json'
    assert cap_bad_json[0] == 400 and cap_bad_json[1]['content-type'] == 'application/problem+json'
    assert (
        cap_no_auth[0] == 401
        and cap_no_auth[2]['detail'] == 'Authorization: no Authorization header'
    )
    assert cap_bad_auth[0] == 401
    assert cap_get[0] == 405 and cap_get[1]['allow'] == 'POST, OPTIONS'
    css_text = (APPS / 'demos' / 'redbarrel.css').read_text()
    assert css[0] == 200 and css[2] == css_text and css[1]['content-type'] == 'text/css'
    assert small[2] == 'body{font-family:Georgia,serif;margin:2em}h1{color:#a00;font-size:2em}'
    assert len(small[2]) < len(css_text)
    assert blob[2] == '12 bytes received'
    assert blob_bad[0] == 400 and blob_bad[2]['detail'].startswith('the request body is not blob')
    assert blob_empty[0] == 400
    assert [put[0], get[0], post[0], delete[0]] == [200, 200, 200, 405]
    assert 'Served for a PUT' in put[2] and 'Served for a POST' in post[2]
    assert json.loads(greet[2]) == {'greeting': 'Hi, Ann!'}
    assert json.loads(polite[2]) == {'greeting': 'Good day, Ann!'}
    assert dummy[1]['content-type'] == 'text/plain; charset=utf-8'
    assert dummy[2].startswith('GET /demos/dummy HTTP/1.1\r\n') and 'X-Hello: there' in dummy[2]
    assert nowhere[0] == 404


def test_demos_use_both_handler_conventions() -> None:
    app = build_app(load(APPS / 'demos' / 'demos.yaml'))
    kinds = {route.name: route.convention for route in app.routes}
    assert kinds['hello_world'] == 'legacy' and kinds['counter'] == 'legacy'
    assert kinds['greet'] == 'json'
    assert kinds['css'] == 'file' and kinds['dummy'] == 'dummy'


@pytest.mark.parametrize('fmt', ['yaml', 'rbr'])
def test_hello(fmt: str) -> None:
    client = client_for(APPS / 'hello' / f'hello.{fmt}')
    answer = client.simulate_get('/')
    assert (answer.status_code, answer.text) == (200, 'Hello, World!')
    assert answer.headers['content-type'] == 'text/plain; charset=utf-8'
    assert client.simulate_post('/').status_code == 405


def test_twin_specs_load_to_the_same_model() -> None:
    for app, ignore in (('hello', set()), ('demos', {'description'})):
        yaml_spec = load(APPS / app / f'{app}.yaml').spec
        rbr_spec = load(APPS / app / f'{app}.rbr').spec
        assert yaml_spec.globals == rbr_spec.globals and yaml_spec.types == rbr_spec.types
        assert yaml_spec.root == rbr_spec.root
        for name, path in yaml_spec.paths.items():
            other = rbr_spec.paths[name]
            assert path.model_dump(exclude=ignore) == other.model_dump(exclude=ignore), name
