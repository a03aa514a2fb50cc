"""OpenAPI lists every answer the runtime gives, and nothing it never gives (issue 14.2).

One spec with every kind of path (body schemas inline and Pydantic, checks of
each kind, ``on_error``, the three handler conventions, files, folders, a
proxy, the echo) is served in-process. Every operation of its OpenAPI
document, and every method its URLs do not take, gets the same battery of
requests: one every check lets through, then each thing that can be wrong with
it: ``?fail=1`` (the test handlers raise then), JSON that does not match, text
that is not JSON, no body, JSON sent as ``text/plain``, no ``Content-Type``, the
checked headers missing, a body past the limit, a ``Content-Length`` that is not
a number, a broken chunked body. It runs twice: with the served file there and
a silent upstream (timeouts), then with both gone (refused connections).

Each answer's status must be documented for its operation (405 with ``Allow``
for the other methods), and a documented problem must come as
``application/problem+json`` matching ``components.schemas.Problem``. The other
way round, each problem status an operation documents must be answered by some
request of the battery. Nothing here lists statuses: both sides come from the
document and the app.
"""

from __future__ import annotations

import io
import itertools
import json
import socket
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import falcon.testing
import jsonschema
import pytest
from openapi_spec_validator import validate

from rbconfig.export.openapi import openapi_document
from rbconfig.schema import HTTP_METHODS
from rbconfig.wsgi import wsgi_app

from .runtime_support import make_document

CODE = """\
import pydantic


class Person(pydantic.BaseModel):
    name: str
    age: int = pydantic.Field(ge=0)


class Word(pydantic.BaseModel):
    word: str


def create(body, fail: str = ''):
    if fail:
        raise RuntimeError('asked to fail')
    return {'created': True}, 201


def item(id, body, fail: str = ''):
    if fail:
        raise RuntimeError('asked to fail')
    return {'id': id}


def legacy(globs, request):
    if request.GET.get('fail'):
        raise RuntimeError('asked to fail')
    return 'ok'


def falconish(req, resp):
    resp.media = {'word': 7} if req.get_param('fail') else {'word': 'seven'}


def auth(globs, request, value):
    return value == 'good'


def upper(globs, request, body):
    return body.upper()


class Even:
    def __call__(self, value):
        if value == 'boom':
            raise RuntimeError('a type check that breaks')
        return int(value) % 2 == 0
"""

PERSON = {
    'type': 'object',
    'required': ['name', 'age'],
    'properties': {'name': {'type': 'string'}, 'age': {'type': 'integer', 'minimum': 0}},
}


def _spec(silent: int) -> dict[str, Any]:
    return {
        'root': '/api',
        'types': {'even': 'python:answersmod.Even'},
        'paths': {
            'create': {
                'method': 'POST',
                'url': '/people',
                'use': 'python:answersmod.create',
                'request': {'body': {'schema': 'python:answersmod.Person'}},
                'response': {'status': {201: 'Created'}},
            },
            'replace': {
                'method': 'PUT',
                'url': '/people/{id:[0-9]+}',
                'use': 'python:answersmod.item',
                'request': {
                    'headers': {
                        'checks': [
                            {'header': 'X-Token', 'validates': 'python:answersmod.auth',
                             'return': 401},
                            {'on_error': 503},
                        ]
                    },
                    'body': {'schema': PERSON},
                },
            },
            'legacy': {
                'method': 'GET|POST',
                'url': '/legacy',
                'use': 'python:answersmod.legacy',
                'request': {
                    'headers': {'checks': [{'header': 'X-Count', 'is': 'int', 'return': 400}]}
                },
            },
            'word': {
                'url': '/word',
                'use': 'python:answersmod.falconish',
                'response': {'body': {'schema': 'python:answersmod.Word'}},
            },
            'typed': {
                'method': 'POST',
                'url': '/typed',
                'max_body': 64,
                'request': {
                    'body': {
                        'checks': [
                            {'is': 'even', 'return': 409},
                            {'alter': 'python:answersmod.upper'},
                        ]
                    }
                },
            },
            'page': {'url': '/page', 'use': 'file:page.html'},
            'static': {'url': '/static/{name}', 'use': 'directory:static'},
            'slow': {
                'url': '/slow',
                'use': f'proxy:http://127.0.0.1:{silent}',
                'x-proxy-connect-timeout': 0.05,
                'x-proxy-read-timeout': 0.05,
            },
        },
    }  # fmt: skip


#: Values tried for each URL placeholder.
SAMPLES = {'id': ['7'], 'name': ['hello.txt', 'missing.txt']}

#: A request every check lets through: a Person as JSON, the checked headers.
GOOD: dict[str, Any] = {
    'body': b'{"name": "Ann", "age": 3}',
    'headers': {'Content-Type': 'application/json', 'X-Token': 'good', 'X-Count': '3'},
    'query': '',
}
JSON_TYPE = {'Content-Type': 'application/json'}


class _BrokenChunks(io.RawIOBase):
    """A chunked body that breaks while it is read (the client went away)."""

    def read(self, size: int = -1) -> bytes:
        raise OSError('the connection broke mid-body')

    def readable(self) -> bool:
        return True


def _requests() -> Iterator[dict[str, Any]]:
    """The battery: the good request, then each thing that can be wrong with it."""
    yield GOOD
    yield {**GOOD, 'query': 'fail=1'}  # the test handlers raise
    for body in (b'{"name": 5}', b'{not json', b'4', b'boom'):
        yield {**GOOD, 'body': body}
    yield {**GOOD, 'body': b'', 'headers': {'X-Token': 'good', 'X-Count': '3'}}
    yield {**GOOD, 'headers': {**GOOD['headers'], 'Content-Type': 'text/plain'}}
    yield {**GOOD, 'headers': {'X-Token': 'good', 'X-Count': '3'}}  # no Content-Type
    yield {**GOOD, 'headers': JSON_TYPE}  # no checked headers
    yield {**GOOD, 'body': b'x' * (1024 * 1024 + 1)}
    yield {**GOOD, 'environ': {'CONTENT_LENGTH': 'ten'}}
    yield {
        **GOOD,
        'body': b'',
        'headers': {**GOOD['headers'], 'Transfer-Encoding': 'chunked'},
        'environ': {'wsgi.input': _BrokenChunks()},
    }


def _call(app: Any, method: str, url: str, request: dict[str, Any]) -> falcon.testing.Result:
    """One request, in-process, built by falcon.testing (environ overrides allowed)."""
    environ = falcon.testing.create_environ(
        url,
        query_string=request['query'],
        method=method,
        headers=request['headers'],
        body=request['body'],
    )
    environ.update(request.get('environ', {}))
    start = falcon.testing.StartResponseMock()
    chunks = app(environ, start)
    try:
        data = b''.join(chunks)
    finally:
        getattr(chunks, 'close', lambda: None)()
    return falcon.testing.Result([data], start.status, start.headers)


def _urls(template: str) -> list[str]:
    names = [part[1:-1] for part in template.split('/') if part.startswith('{')]
    urls = []
    for values in itertools.product(*(SAMPLES[name] for name in names)):
        url = template
        for name, value in zip(names, values, strict=True):
            url = url.replace('{' + name + '}', value)
        urls.append(url)
    return urls


@pytest.fixture(scope='module')
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp('answers')
    silent = socket.socket()
    silent.bind(('127.0.0.1', 0))
    silent.listen(1)  # accepts nothing: requests to it time out
    document = make_document(
        folder,
        _spec(silent.getsockname()[1]),
        {'answersmod.py': CODE, 'page.html': '<p>hi</p>', 'static/hello.txt': 'hello'},
    )
    try:
        yield {
            'folder': folder,
            'silent': silent,
            'app': wsgi_app(document),
            'openapi': openapi_document(document),
        }
    finally:
        silent.close()


@pytest.fixture(scope='module')
def observed(world: dict[str, Any]) -> dict[tuple[str, str], list[tuple[falcon.testing.Result]]]:
    """(OpenAPI path, method) → every answer to the battery, in both phases."""
    app, openapi = world['app'], world['openapi']
    seen: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for phase in ('there', 'gone'):
        if phase == 'gone':
            (world['folder'] / 'page.html').unlink()
            world['silent'].close()  # connections are refused from now on
        for template in openapi['paths']:
            for url, method in itertools.product(_urls(template), HTTP_METHODS):
                for request in _requests():
                    seen[(template, method)].append(_call(app, method, url, request))
    return seen


def _operation(item: dict[str, Any], method: str) -> dict[str, Any] | None:
    operation = item.get(method.lower())
    if operation is None and method == 'HEAD':
        operation = item.get('get')  # GET answers HEAD
    return operation


def _check_problem(
    answer: falcon.testing.Result, problem_schema: dict[str, Any], method: str
) -> None:
    assert answer.headers['content-type'] == 'application/problem+json'
    if method == 'HEAD':  # the same headers, no body
        assert answer.content == b''
        return
    body = json.loads(answer.content)
    jsonschema.validate(body, problem_schema)
    assert body['status'] == answer.status_code
    assert answer.headers['x-request-id'] == body['request_id']


def test_the_document_is_valid_openapi(world: dict[str, Any]) -> None:
    validate(world['openapi'])


def test_every_answer_is_documented_for_its_operation(
    world: dict[str, Any], observed: dict[tuple[str, str], list[Any]]
) -> None:
    openapi = world['openapi']
    problem_schema = openapi['components']['schemas']['Problem']
    for (template, method), answers in observed.items():
        item = openapi['paths'][template]
        operation = _operation(item, method)
        for answer in answers:
            status = answer.status_code
            where = f'{method} {template} answered {status}: {answer.text[:200]}'
            if operation is None:
                allowed = item['x-rbconfig-other-methods']['allow']
                allow = {part.strip() for part in answer.headers['allow'].split(',')}
                if method == 'OPTIONS':
                    # Falcon's default OPTIONS answer leaves itself out of its Allow.
                    assert status == 200 and allow == set(allowed) - {'OPTIONS'}, where
                else:
                    assert allow == set(allowed), where
                    assert status == 405 and method not in allowed, where
                    _check_problem(answer, problem_schema, method)
                continue
            responses = operation['responses']
            assert str(status) in responses or 'default' in responses, where
            documented = responses.get(str(status), {})
            if 'application/problem+json' in documented.get('content', {}):
                _check_problem(answer, problem_schema, method)


def test_every_documented_problem_is_answered(
    world: dict[str, Any], observed: dict[tuple[str, str], list[Any]]
) -> None:
    openapi = world['openapi']
    for template, item in openapi['paths'].items():
        for method in HTTP_METHODS:
            operation = item.get(method.lower())
            if operation is None:
                continue
            answered = {answer.status_code for answer in observed[(template, method)]}
            for status, response in operation['responses'].items():
                if 'application/problem+json' in response.get('content', {}):
                    assert int(status) in answered, f'{method} {template}: {status} never answered'


def test_the_battery_reaches_every_handler(
    world: dict[str, Any], observed: dict[tuple[str, str], list[Any]]
) -> None:
    # Without a success somewhere, the checks above would prove little.
    for template, item in world['openapi']['paths'].items():
        for method in HTTP_METHODS:
            if method.lower() in item and template != '/api/slow':
                answered = {answer.status_code for answer in observed[(template, method)]}
                assert any(200 <= status < 300 for status in answered), (method, template)
