"""Body schemas (JSON Schema, Pydantic), RFC 9457 field errors, and --mock examples."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from rbconfig.errors import StartupError

from .runtime_support import make_client, make_document

SCHEMAMOD = """\
import pydantic


class Person(pydantic.BaseModel):
    name: str
    age: int = pydantic.Field(ge=0)


def create(body):
    data = body if isinstance(body, dict) else body.model_dump()
    return {'type': type(body).__name__, 'data': data}


def good():
    return {'id': 1, 'name': 'x'}


def bad():
    return {'id': 'one'}


def text():
    return 'not json at all'
"""

PERSON = {
    'type': 'object',
    'required': ['name', 'age'],
    'properties': {'name': {'type': 'string'}, 'age': {'type': 'integer', 'minimum': 0}},
    'additionalProperties': False,
}
ITEM = {'type': 'object', 'required': ['id'], 'properties': {'id': {'type': 'integer'}}}


@pytest.fixture
def client(tmp_path: Path):  # noqa: ANN201
    paths = {
        'inline': {
            'url': '/inline',
            'method': 'POST',
            'use': 'python:schemamod.create',
            'request': {'body': {'schema': PERSON}},
        },
        'model': {
            'url': '/model',
            'method': 'POST',
            'use': 'python:schemamod.create',
            'request': {'body': {'schema': 'python:schemamod.Person'}},
        },
        'good': {
            'url': '/good',
            'use': 'python:schemamod.good',
            'response': {'body': {'schema': ITEM}},
        },
        'bad': {
            'url': '/bad',
            'use': 'python:schemamod.bad',
            'response': {'body': {'schema': ITEM}},
        },
        'text': {
            'url': '/text',
            'use': 'python:schemamod.text',
            'response': {'body': {'schema': ITEM}},
        },
    }
    return make_client(tmp_path, {'paths': paths}, {'schemamod.py': SCHEMAMOD})


def test_valid_bodies_reach_the_handler(client) -> None:  # noqa: ANN001
    answer = client.simulate_post('/inline', json={'name': 'Ann', 'age': 3})
    assert answer.json == {'type': 'dict', 'data': {'name': 'Ann', 'age': 3}}
    answer = client.simulate_post('/model', json={'name': 'Ann', 'age': 3})
    assert answer.json == {'type': 'Person', 'data': {'name': 'Ann', 'age': 3}}


def test_json_schema_failure_is_422_listing_each_field(client) -> None:  # noqa: ANN001
    answer = client.simulate_post('/inline', json={'age': -1, 'extra': True})
    assert answer.status_code == 422
    assert answer.headers['content-type'] == 'application/problem+json'
    problem = answer.json
    assert problem['type'] == 'about:blank' and problem['title'] == 'Unprocessable Content'
    assert problem['status'] == 422
    pointers = sorted(error['pointer'] for error in problem['errors'])
    assert pointers == ['#', '#', '#/age']
    details = ' '.join(error['detail'] for error in problem['errors'])
    assert "'name' is a required property" in details and 'extra' in details
    assert 'less than the minimum' in details


def test_pydantic_failure_is_422_listing_each_field(client) -> None:  # noqa: ANN001
    answer = client.simulate_post('/model', json={'name': 5, 'age': 'x'})
    assert answer.status_code == 422
    assert sorted(error['pointer'] for error in answer.json['errors']) == ['#/age', '#/name']


def test_a_body_that_is_not_an_object_is_said_so_without_the_models_name(client) -> None:  # noqa: ANN001
    for body in ('null', '[1]', '"Ann"'):
        answer = client.simulate_post('/model', body=body)
        assert answer.status_code == 422
        assert answer.json['errors'] == [{'pointer': '#', 'detail': 'Input should be an object'}]
        assert 'Person' not in answer.text  # pydantic says "or instance of Person"


def test_body_that_is_not_json_is_400(client) -> None:  # noqa: ANN001
    for url in ('/inline', '/model'):
        answer = client.simulate_post(url, body='{not json')
        assert answer.status_code == 400 and 'not valid JSON' in answer.json['detail']


def test_a_body_sent_as_another_type_than_json_is_415(client) -> None:  # noqa: ANN001
    body = '{"name": "Ann", "age": 3}'
    for url in ('/inline', '/model'):
        answer = client.simulate_post(url, body=body, content_type='text/plain')
        assert answer.status_code == 415
        assert answer.headers['content-type'] == 'application/problem+json'
        assert answer.json['detail'] == (
            'The request body must be sent as application/json, not as text/plain.'
        )
        # JSON types, with parameters, and no type at all are JSON.
        for content_type in ('application/json; charset=utf-8', 'application/merge-patch+json'):
            assert (
                client.simulate_post(url, body=body, content_type=content_type).status_code == 200
            )
        assert client.simulate_post(url, body=body).status_code == 200


def test_response_schema(client, caplog: pytest.LogCaptureFixture) -> None:  # noqa: ANN001
    assert client.simulate_get('/good').json == {'id': 1, 'name': 'x'}
    with caplog.at_level(logging.ERROR, logger='rbconfig.runtime'):
        answer = client.simulate_get('/bad')
    assert answer.status_code == 500
    assert answer.json['detail'] == 'The response did not match its schema.'
    rid = answer.headers['x-request-id']
    assert any(
        rid in record.getMessage() and '#/id' in record.getMessage() for record in caplog.records
    )
    assert client.simulate_get('/text').status_code == 500


def test_invalid_json_schema_stops_startup(tmp_path: Path) -> None:
    from rbconfig.runtime.app import build_app

    spec = {'paths': {'p': {'url': '/p', 'request': {'body': {'schema': {'type': 'nonsense'}}}}}}
    with pytest.raises(StartupError, match='invalid JSON Schema'):
        build_app(make_document(tmp_path, spec))


MOCKED = {
    'paths': {
        'example': {
            'url': '/example',
            'response': {'status': {200: 'OK'}, 'body': {'example': {'hello': 'world'}}},
        },
        'schema': {
            'url': '/schema',
            'response': {
                'status': {201: 'Created'},
                'body': {
                    'schema': {
                        'type': 'object',
                        'properties': {
                            'id': {'type': 'integer'},
                            'tags': {'type': 'array', 'items': {'type': 'string'}},
                            'when': {'type': 'string', 'format': 'date-time'},
                            'kind': {'enum': ['a', 'b']},
                        },
                    }
                },
            },
        },
        'described': {'url': '/described', 'response': {'status': {202: 'Accepted for later'}}},
        'nothing': {'url': '/nothing', 'method': 'POST'},
        'handled': {'url': '/handled', 'use': 'python:mockmod.real'},
    }
}


def test_mock_answers_examples_for_paths_without_handler(tmp_path: Path) -> None:
    client = make_client(
        tmp_path, MOCKED, {'mockmod.py': 'def real():\n    return "real"\n'}, mock=True
    )
    assert client.simulate_get('/example').json == {'hello': 'world'}
    answer = client.simulate_get('/schema')
    assert answer.status_code == 201
    assert answer.json == {'id': 0, 'tags': ['string'], 'when': '2026-01-01T00:00:00Z', 'kind': 'a'}
    described = client.simulate_get('/described')
    assert (described.status_code, described.text) == (202, 'Accepted for later')
    assert client.simulate_post('/nothing', body='x').text.startswith('POST /nothing')
    assert client.simulate_get('/handled').text == 'real'


def test_without_mock_paths_without_handler_echo(tmp_path: Path) -> None:
    client = make_client(tmp_path, MOCKED, {'mockmod.py': 'def real():\n    return "real"\n'})
    answer = client.simulate_get('/example', headers={'X-Hi': 'there'})
    assert answer.headers['content-type'] == 'text/plain; charset=utf-8'
    assert answer.text.startswith('GET /example HTTP/1.1\r\n') and 'X-Hi: there' in answer.text


def test_mock_from_pydantic_model(tmp_path: Path) -> None:
    files = {
        'mockmodel.py': (
            'import pydantic\nclass Out(pydantic.BaseModel):\n    n: int = 7\n    s: str\n'
        )
    }
    spec = {'paths': {'m': {'url': '/m', 'response': {'body': {'schema': 'python:mockmodel.Out'}}}}}
    client = make_client(tmp_path, spec, files, mock=True)
    assert client.simulate_get('/m').json == {'n': 7, 's': 'string'}
    assert make_document(tmp_path, spec).spec.paths['m'].use is None
