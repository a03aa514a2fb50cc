"""Handler conventions: legacy RedBarrel (WebOb), Falcon responders, plain functions → JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rbconfig.errors import StartupError
from rbconfig.runtime.conventions import convention_of

from .runtime_support import make_client, make_document

LEGACY = """\
import json
import webob
import webob.exc


def inspect_request(globs, request, **params):
    return json.dumps({
        'body': request.body.decode(),
        'header': request.headers.get('X-Thing'),
        'GET': dict(request.GET),
        'POST': dict(request.POST),
        'match': request.match,
        'path_info': request.environ['PATH_INFO'],
        'params': params,
        'globs': sorted(globs),
    })


def only_url(globs, request, url=''):
    return 'url=' + url


def with_response(globs, request):
    request.response.headers['X-Made'] = 'yes'
    request.response.status = 201
    return 'created'


def full_response(globs, request):
    response = webob.Response(body=b'raw', status=202, content_type='application/x-thing')
    response.headers['X-Own'] = '1'
    return response


def not_found(globs, request):
    raise webob.exc.HTTPNotFound('no such thing')


def see_other(globs, request):
    raise webob.exc.HTTPSeeOther(location='/elsewhere')


def unavailable(globs, request):
    raise webob.exc.HTTPServiceUnavailable(headers={'Retry-After': '30'})


def as_bytes(globs, request):
    return b'\\x00\\x01'


class Controller:
    def __init__(self):
        self.calls = 0

    def __call__(self, globs, request):
        self.calls += 1
        return str(self.calls)


controller = Controller()
"""

MODERN = """\
import falcon
import pydantic


def falcon_style(req, resp, rest):
    resp.media = {'rest': rest, 'method': req.method}


def falcon_kwargs(req, resp, **params):
    resp.text = ','.join(sorted(params))


def item(id, body, q='none', globs=None):
    return {'id': id, 'body': body, 'q': q, 'app': globs['app_name']}


def needs_query(term):
    return {'term': term}


def text():
    return 'plain'


def nothing():
    return None


def created(name):
    return {'name': name}, 201, {'Location': '/things/' + name}


def raw(raw, headers, query):
    return {'raw': raw.decode(), 'thing': headers.get('x-thing'), 'query': query}


def refuse():
    raise falcon.HTTPForbidden(description='not you')


class Out(pydantic.BaseModel):
    n: int


def model():
    return Out(n=3)


def forced(globs, request):
    return {'forced': sorted(globs)}
"""


@pytest.fixture
def client(tmp_path: Path):  # noqa: ANN201
    legacy = {
        name: {
            'url': f'/legacy/{name}',
            'method': 'GET|POST|DELETE|PUT',
            'use': f'python:legacymod.{name}',
        }
        for name in (
            'only_url',
            'with_response',
            'full_response',
            'not_found',
            'see_other',
            'unavailable',
            'as_bytes',
            'controller',
        )
    }
    legacy['inspect_request'] = {
        'url': '/legacy/inspect/{key}',
        'method': 'GET|POST|DELETE|PUT',
        'use': 'python:legacymod.inspect_request',
    }
    modern = {
        'falcon_style': {'url': '/f/{rest:.*}', 'use': 'python:modernmod.falcon_style'},
        'falcon_kwargs': {'url': '/fk/{a}/{b}', 'use': 'python:modernmod.falcon_kwargs'},
        'item': {'url': '/items/{id}', 'method': 'POST', 'use': 'python:modernmod.item'},
        'needs_query': {'url': '/search', 'use': 'python:modernmod.needs_query'},
        'text': {'url': '/text', 'use': 'python:modernmod.text'},
        'nothing': {'url': '/nothing', 'use': 'python:modernmod.nothing'},
        'created': {'url': '/things/{name}', 'method': 'PUT', 'use': 'python:modernmod.created'},
        'raw': {'url': '/raw', 'method': 'POST', 'use': 'python:modernmod.raw'},
        'refuse': {'url': '/refuse', 'use': 'python:modernmod.refuse'},
        'model': {'url': '/model', 'use': 'python:modernmod.model'},
        'forced': {'url': '/forced', 'use': 'python:modernmod.forced', 'x-handler': 'json'},
    }
    spec = {'globals': {'app_name': 'demo'}, 'paths': {**legacy, **modern}}
    return make_client(tmp_path, spec, {'legacymod.py': LEGACY, 'modernmod.py': MODERN})


def test_convention_is_read_from_the_signature() -> None:
    def legacy(globs, request): ...  # noqa: ANN001, ANN202
    def legacy2(globals, request, **params): ...  # noqa: ANN001, ANN003, ANN202, A002
    def falcon_like(req, resp, **params): ...  # noqa: ANN001, ANN003, ANN202
    def plain(name, body=None): ...  # noqa: ANN001, ANN202
    def only_globs(globs): ...  # noqa: ANN001, ANN202

    assert convention_of(legacy) == 'legacy'
    assert convention_of(legacy2) == 'legacy'
    assert convention_of(falcon_like) == 'falcon'
    assert convention_of(plain) == 'json'
    assert convention_of(only_globs) == 'json'


def test_legacy_request_api(client) -> None:  # noqa: ANN001
    answer = client.simulate_post(
        '/legacy/inspect/k1',
        body='a=1&b=2',
        params={'q': 'x'},
        headers={'X-Thing': 'hello', 'Content-Type': 'application/x-www-form-urlencoded'},
    )
    data = json.loads(answer.text)
    assert answer.headers['content-type'] == 'text/html; charset=UTF-8'  # WebOb's default
    assert data['body'] == 'a=1&b=2'
    assert data['header'] == 'hello'
    assert data['GET'] == {'q': 'x'} and data['POST'] == {'a': '1', 'b': '2'}
    assert data['match'] == {'action': 'inspect_request', 'key': 'k1'}
    assert data['path_info'] == '/legacy/inspect/k1'
    assert data['params'] == {}  # POST: no query params as keyword arguments
    assert data['globs'] == ['app_name']


def test_legacy_query_params_become_kwargs_for_get_and_delete_only(client) -> None:  # noqa: ANN001
    get = json.loads(client.simulate_get('/legacy/inspect/k', params={'a': '1'}).text)
    delete = json.loads(client.simulate_delete('/legacy/inspect/k', params={'a': '1'}).text)
    put = json.loads(client.simulate_put('/legacy/inspect/k', params={'a': '1'}).text)
    assert get['params'] == {'a': '1'} and delete['params'] == {'a': '1'}
    assert put['params'] == {}


def test_legacy_unaccepted_query_params_are_left_out(client) -> None:  # noqa: ANN001
    answer = client.simulate_get('/legacy/only_url', params={'url': 'u', 'other': 'o'})
    assert answer.status_code == 200 and answer.text == 'url=u'


def test_legacy_query_that_is_not_utf8_is_a_400(client) -> None:  # noqa: ANN001
    # WebOb decodes the query strictly; the client's bytes are its mistake, not a 500.
    answer = client.simulate_get('/legacy/inspect/k', query_string='x=%ff')
    assert answer.status_code == 400
    assert answer.headers['content-type'] == 'application/problem+json'
    assert answer.json['detail'] == 'The query string is not valid UTF-8.'


def test_legacy_request_response_and_webob_response(client) -> None:  # noqa: ANN001
    made = client.simulate_get('/legacy/with_response')
    assert (made.status_code, made.text, made.headers['x-made']) == (201, 'created', 'yes')
    full = client.simulate_get('/legacy/full_response')
    assert (full.status_code, full.content, full.headers['x-own']) == (202, b'raw', '1')
    assert full.headers['content-type'] == 'application/x-thing'
    assert client.simulate_get('/legacy/as_bytes').content == b'\x00\x01'


def test_legacy_webob_exceptions(client) -> None:  # noqa: ANN001
    missing = client.simulate_get('/legacy/not_found')
    assert missing.status_code == 404
    assert missing.headers['content-type'] == 'application/problem+json'
    assert missing.json['detail'] == 'no such thing'
    moved = client.simulate_get('/legacy/see_other')
    assert moved.status_code == 303 and moved.headers['location'].endswith('/elsewhere')
    assert moved.content == b''
    busy = client.simulate_get('/legacy/unavailable')
    assert busy.status_code == 503 and busy.headers['retry-after'] == '30'
    assert busy.json['title'] == 'Service Unavailable'


def test_legacy_callable_instance_keeps_state(client) -> None:  # noqa: ANN001
    assert [client.simulate_get('/legacy/controller').text for _ in range(3)] == ['1', '2', '3']


def test_falcon_style(client) -> None:  # noqa: ANN001
    assert client.simulate_get('/f/a/b').json == {'rest': 'a/b', 'method': 'GET'}
    assert client.simulate_get('/fk/1/2').text == 'a,b'


def test_json_style_params_body_query_globs(client) -> None:  # noqa: ANN001
    answer = client.simulate_post('/items/9', json={'x': [1]}, params={'q': 'z'})
    assert answer.headers['content-type'] == 'application/json'
    assert answer.json == {'id': '9', 'body': {'x': [1]}, 'q': 'z', 'app': 'demo'}
    bad = client.simulate_post(
        '/items/9', body='{nope', headers={'Content-Type': 'application/json'}
    )
    assert bad.status_code == 400 and 'not valid JSON' in bad.json['detail']


def test_json_style_query_parameter_by_name(client) -> None:  # noqa: ANN001
    assert client.simulate_get('/search', params={'term': 'x'}).json == {'term': 'x'}
    missing = client.simulate_get('/search')
    assert missing.status_code == 400 and "'term'" in missing.json['detail']


def test_json_style_return_values(client) -> None:  # noqa: ANN001
    text = client.simulate_get('/text')
    assert (text.text, text.headers['content-type']) == ('plain', 'text/plain; charset=utf-8')
    assert client.simulate_get('/nothing').status_code == 204
    made = client.simulate_put('/things/bob')
    assert made.status_code == 201 and made.headers['location'] == '/things/bob'
    assert made.json == {'name': 'bob'}
    assert client.simulate_get('/model').json == {'n': 3}


def test_json_style_raw_headers_query(client) -> None:  # noqa: ANN001
    answer = client.simulate_post(
        '/raw', body=b'bytes', params={'a': '1'}, headers={'X-Thing': 't'}
    )
    assert answer.json == {'raw': 'bytes', 'thing': 't', 'query': {'a': '1'}}


def test_raising_falcon_errors(client) -> None:  # noqa: ANN001
    answer = client.simulate_get('/refuse')
    assert answer.status_code == 403 and answer.json['detail'] == 'not you'


def test_x_handler_forces_the_convention(client) -> None:  # noqa: ANN001
    assert client.simulate_get('/forced').json == {'forced': ['app_name']}


def test_falcon_handler_must_take_url_params(tmp_path: Path) -> None:
    spec = {'paths': {'f': {'url': '/f/{a}', 'use': 'python:badfalcon.f'}}}
    doc = make_document(tmp_path, spec, {'badfalcon.py': 'def f(req, resp):\n    pass\n'})
    from rbconfig.runtime.app import build_app

    with pytest.raises(StartupError, match=r"does not take the URL params \['a'\]"):
        build_app(doc)


def test_unknown_x_handler_and_not_callable(tmp_path: Path) -> None:
    from rbconfig.runtime.app import build_app

    spec = {'paths': {'f': {'url': '/f', 'use': 'python:badconv.f', 'x-handler': 'magic'}}}
    doc = make_document(tmp_path, spec, {'badconv.py': 'def f():\n    pass\nVALUE = 3\n'})
    with pytest.raises(StartupError, match='x-handler must be one of'):
        build_app(doc)
    spec = {'paths': {'f': {'url': '/f', 'use': 'python:badconv.VALUE'}}}
    doc = make_document(tmp_path, spec)
    with pytest.raises(StartupError, match='not callable') as info:
        build_app(doc)
    assert info.value.problems[0].line is not None


def test_checked_json_is_handed_over_parsed(tmp_path: Path) -> None:
    module = """\
def upper(globs, request, body):
    return body.upper()


def falcon_media(req, resp):
    resp.media = {'got': req.get_media()}


def plain(body):
    return {'got': body}
"""
    check = {'checks': [{'is': 'json', 'return': 400}]}
    altered = {'checks': [{'is': 'json', 'return': 400}, {'alter': 'python:oncejson.upper'}]}
    spec = {
        'paths': {
            'f': {
                'url': '/f',
                'method': 'POST',
                'use': 'python:oncejson.falcon_media',
                'request': {'body': check},
            },
            'p': {
                'url': '/p',
                'method': 'POST',
                'use': 'python:oncejson.plain',
                'request': {'body': check},
            },
            'a': {
                'url': '/a',
                'method': 'POST',
                'use': 'python:oncejson.falcon_media',
                'request': {'body': altered},
            },
            'b': {
                'url': '/b',
                'method': 'POST',
                'use': 'python:oncejson.plain',
                'request': {'body': altered},
            },
        }
    }
    client = make_client(tmp_path, spec, {'oncejson.py': module})
    # text/plain: Falcon alone could not parse it; the check's result is reused
    text = {'Content-Type': 'text/plain'}
    assert client.simulate_post('/f', body='["x"]', headers=text).json == {'got': ['x']}
    assert client.simulate_post('/p', body='["x"]', headers=text).json == {'got': ['x']}
    # an alter after the check changes the body: handlers see the new one
    assert client.simulate_post('/a', json=['x']).json == {'got': ['X']}
    assert client.simulate_post('/b', json=['x']).json == {'got': ['X']}


def test_falcon_handlers_read_an_already_read_body(tmp_path: Path) -> None:
    module = """\
def form(req, resp):
    resp.media = {'form': req.get_media(), 'eof': req.bounded_stream.eof}


def stream(req, resp):
    resp.text = req.bounded_stream.read().decode() + '|' + req.stream.read().decode()
"""
    upper = {'checks': [{'alter': 'python:readbody.upper'}]}
    spec = {
        'paths': {
            'form': {
                'url': '/form',
                'method': 'POST',
                'use': 'python:readbody.form',
                'request': {'body': upper},
            },
            'stream': {
                'url': '/stream',
                'method': 'POST',
                'use': 'python:readbody.stream',
                'request': {'body': upper},
            },
        }
    }
    files = {
        'readbody.py': module + '\n\ndef upper(globs, request, body):\n    return body.upper()\n'
    }
    client = make_client(tmp_path, spec, files)
    form = client.simulate_post(
        '/form', body='a=1&b=x', headers={'Content-Type': 'application/x-www-form-urlencoded'}
    )
    assert form.json == {'form': {'A': '1', 'B': 'X'}, 'eof': True}
    assert client.simulate_post('/stream', body='abc').text == 'ABC|'


def test_int_and_float_annotations_convert_params(tmp_path: Path) -> None:
    module = """\
from __future__ import annotations


def page(id: int, scale: float = 1.0, label='x'):
    return {'id': id, 'scale': scale, 'label': label}
"""
    spec = {'paths': {'page': {'url': '/pages/{id}', 'use': 'python:annotated.page'}}}
    client = make_client(tmp_path, spec, {'annotated.py': module})
    assert client.simulate_get('/pages/7').json == {'id': 7, 'scale': 1.0, 'label': 'x'}
    answer = client.simulate_get('/pages/7', params={'scale': '2.5', 'label': '9'})
    assert answer.json == {'id': 7, 'scale': 2.5, 'label': '9'}
    bad = client.simulate_get('/pages/seven')
    assert bad.status_code == 400 and bad.json['detail'] == (
        "URL parameter 'id' must be int, got 'seven'"
    )
    assert client.simulate_get('/pages/7', params={'scale': 'big'}).status_code == 400
    # Numbers in decimal only: nan and inf would make the answer invalid JSON.
    for scale in ('nan', 'inf', '-Infinity', '1e999', '1_0'):
        refused = client.simulate_get('/pages/7', params={'scale': scale})
        assert refused.status_code == 400, scale
        assert refused.json['detail'] == f"query parameter 'scale' must be float, got {scale!r}"


def test_a_result_that_json_cannot_hold_is_a_500(tmp_path: Path) -> None:
    module = 'def nan():\n    return {"n": float("nan")}\n'
    spec = {'paths': {'nan': {'url': '/nan', 'use': 'python:nanmod.nan'}}}
    answer = make_client(tmp_path, spec, {'nanmod.py': module}).simulate_get('/nan')
    assert answer.status_code == 500  # not {"n": NaN}, which no JSON parser reads
    assert answer.headers['content-type'] == 'application/problem+json'
