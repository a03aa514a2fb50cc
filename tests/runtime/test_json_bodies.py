"""Request bodies are read as standard JSON (RFC 8259) everywhere, and bad ones are 400s.

``is json`` checks, body schemas (JSON Schema and Pydantic), json-style handlers' ``body``
and Falcon's ``req.get_media()`` all read JSON the same way: no NaN or Infinity, no number
too large for a double, UTF-8 only; and a body nested too deeply is a 400 problem, never a
500 with a RecursionError traceback in the log (issue 11.5).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from rbconfig.runtime import json_text

from .runtime_support import make_client

MODULE = """\
from pydantic import BaseModel


class Item(BaseModel):
    name: str


def echo(body):
    return {'got': body.model_dump() if isinstance(body, BaseModel) else body}


def falcon_echo(req, resp):
    resp.media = {'got': req.get_media()}
"""

CHECKED = {'checks': [{'is': 'json', 'return': 400}]}
ANY_DEPTH = {'type': 'array', 'items': {'$ref': '#'}}


@pytest.fixture
def client(tmp_path: Path):  # noqa: ANN201
    def post(name: str, use: str, body: dict[str, object] | None = None) -> dict[str, object]:
        path: dict[str, object] = {'url': f'/{name}', 'method': 'POST', 'use': use}
        if body is not None:
            path['request'] = {'body': body}
        return path

    spec = {
        'paths': {
            'checked': post('checked', 'python:jsonmod.echo', CHECKED),
            'checked_falcon': post('checked_falcon', 'python:jsonmod.falcon_echo', CHECKED),
            'plain': post('plain', 'python:jsonmod.echo'),
            'falcon': post('falcon', 'python:jsonmod.falcon_echo'),
            'schema': post('schema', 'python:jsonmod.echo', {'schema': ANY_DEPTH}),
            'model': post('model', 'python:jsonmod.echo', {'schema': 'python:jsonmod.Item'}),
        }
    }
    return make_client(tmp_path, spec, {'jsonmod.py': MODULE})


URLS = ['/checked', '/checked_falcon', '/plain', '/falcon', '/schema', '/model']
JSON = {'Content-Type': 'application/json'}


@pytest.mark.parametrize('url', URLS)
def test_a_deeply_nested_body_is_a_400_problem_and_no_traceback(
    client,  # noqa: ANN001
    url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    for depth in (990, 5_000, 100_000):
        body = '[' * depth + ']' * depth
        answer = client.simulate_post(url, body=body, headers=JSON)
        assert answer.status_code == 400, (url, depth, answer.text)
        assert answer.headers['content-type'] == 'application/problem+json'
        assert 'nested too deeply' in answer.json['detail']
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert 'RecursionError' not in caplog.text and 'Traceback' not in caplog.text


def test_json_too_deep_for_its_schema_is_a_422_problem(
    client,  # noqa: ANN001
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Read, but too deep to check: jsonschema recurses a few frames per level."""
    answer = client.simulate_post('/schema', body='[' * 400 + ']' * 400, headers=JSON)
    assert answer.status_code == 422, answer.text
    assert answer.json['errors'] == [{'pointer': '#', 'detail': 'nested too deeply to be checked'}]
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


@pytest.mark.parametrize('url', URLS)
@pytest.mark.parametrize(
    ('body', 'why'),
    [
        ('NaN', 'NaN is not a JSON value'),
        ('[1, Infinity]', 'Infinity is not a JSON value'),
        ('{"a": -Infinity}', '-Infinity is not a JSON value'),
        ('1e999999', 'the number 1e999999 is too large'),
        ('[-1E400]', 'the number -1E400 is too large'),
        ('1' + '0' * 5000, 'a number in it has too many digits'),
        (b'"\xe9t\xe9"', 'it is not UTF-8 text'),
        ('"caf\u00e9"'.encode('utf-16'), 'it is not UTF-8 text'),
    ],
)
def test_what_standard_json_refuses_is_a_400(
    client,  # noqa: ANN001
    url: str,
    body: str | bytes,
    why: str,
) -> None:
    answer = client.simulate_post(url, body=body, headers=JSON)
    assert answer.status_code == 400, (url, answer.text)
    assert why in answer.json['detail'], answer.json
    assert 'sys.set_int_max_str_digits' not in answer.text


def test_standard_json_is_read_as_before(client) -> None:  # noqa: ANN001
    body = '\ufeff{"name": "caf\u00e9", "n": [1, 2.5, -0.0, 1e300, true, null]}'.encode()
    expected = {'name': 'caf\u00e9', 'n': [1, 2.5, -0.0, 1e300, True, None]}
    for url in ('/checked', '/checked_falcon', '/plain', '/falcon'):
        answer = client.simulate_post(url, body=body, headers=JSON)
        assert answer.status_code == 200, (url, answer.text)
        assert answer.json == {'got': expected}, url
    assert client.simulate_post('/model', json={'name': 'x'}).json == {'got': {'name': 'x'}}
    deep = '[' * 100 + ']' * 100  # deep, but not too deep
    assert client.simulate_post('/schema', body=deep, headers=JSON).status_code == 200


def test_the_decoder_alone() -> None:
    assert json_text.loads(b'{"a": [1.5, "x"]}') == {'a': [1.5, 'x']}
    assert json_text.loads('[1]') == [1]
    for text in ('NaN', '[Infinity]', '1e309', '[' * 50_000):
        with pytest.raises(ValueError):
            json_text.loads(text)
