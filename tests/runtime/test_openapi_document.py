"""OpenAPI 3.1 from the model, checked with openapi-spec-validator."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from rbconfig.converters import load
from rbconfig.errors import Problem, SpecError
from rbconfig.export.openapi import full_url, openapi_document, openapi_path
from rbconfig.schema import parse_spec
from tests.helpers import ROOT, app_specs, child_env

APP_SPECS = app_specs()

DEMO: dict[str, Any] = {
    'rbconfig': 1,
    'meta': {'title': 'Demo', 'version': 1.0, 'description': 'Some *demos*.', 'x-team': 'web'},
    'root': '/api',
    'x-top': True,
    'types': {'blob': 'python:demos.Blob'},
    'paths': {
        'hello': {
            'url': '/',
            'use': 'python:demos.hello',
            'description': 'Says hello.\n\nAt length.',
            'response': {
                'status': {200: 'A greeting'},
                'headers': {'set': {'Content-Type': 'text/html', 'X-Served-By': 'rbconfig'}},
            },
        },
        'capitalize': {
            'method': 'POST',
            'url': '/capitalize/{id:[0-9]+}',
            'use': 'python:demos.capitalize',
            'x-rate': 5,
            'request': {
                'headers': {
                    'checks': [
                        {'header': 'Authorization', 'validates': 'python:demos.auth',
                         'return': 401},
                        {'header': 'X-Count', 'is': 'int', 'return': 400},
                    ]
                },
                'body': {
                    'checks': [{'is': 'json', 'return': 400}],
                    'schema': {'type': 'object', 'required': ['text'],
                               'properties': {'text': {'type': 'string'}}},
                },
            },
            'response': {
                'status': {200: 'The text, capitalized'},
                'headers': {'set': {'Content-Type': 'application/json'}},
                'body': {'checks': [{'is': 'json', 'return': 503}, {'on_error': 500}]},
            },
        },
        'several': {'method': 'PUT|GET|POST', 'url': '/several', 'max_body': 10},
        'blob': {'method': 'POST', 'url': '/blob',
                 'request': {'body': {'checks': [{'is': 'blob', 'return': 400}]}}},
        'js': {'url': '/js/{name:.*?}', 'use': 'directory:media'},
        'style': {'url': '/style.css', 'use': 'file:style.css'},
        'no_url': {'response': {'status': {200: 'never routed'}}},
    },
}  # fmt: skip


@pytest.fixture(scope='module')
def demo() -> dict[str, Any]:
    document = openapi_document(parse_spec(DEMO))
    validate(document)
    return document


def test_the_document_is_valid_openapi_3_1(demo: dict[str, Any]) -> None:
    assert demo['openapi'] == '3.1.0'
    assert demo['info'] == {
        'title': 'Demo',
        'version': '1.0',
        'description': 'Some *demos*.',
        'x-team': 'web',
    }
    assert demo['x-top'] is True


def test_paths_get_the_root_and_placeholders_lose_their_regex(demo: dict[str, Any]) -> None:
    assert list(demo['paths']) == [
        '/api',
        '/api/capitalize/{id}',
        '/api/several',
        '/api/blob',
        '/api/js/{name}',
        '/api/style.css',
    ]
    parameter = demo['paths']['/api/capitalize/{id}']['post']['parameters'][0]
    assert parameter == {
        'name': 'id',
        'in': 'path',
        'required': True,
        'schema': {'type': 'string', 'pattern': '^(?:[0-9]+)$'},
    }


def test_several_methods_make_several_operations(demo: dict[str, Any]) -> None:
    item = demo['paths']['/api/several']
    operations = {method: item[method] for method in ('put', 'get', 'post')}
    assert list(item) == ['put', 'get', 'post', 'x-rbconfig-other-methods']
    assert [operation['operationId'] for operation in operations.values()] == [
        'several_put',
        'several_get',
        'several_post',
    ]
    assert item['get']['responses']['413'] == {
        'description': 'The request body is larger than 10 bytes.',
        'headers': {'X-Request-Id': {'$ref': '#/components/headers/RequestId'}},
        'content': {
            'application/problem+json': {'schema': {'$ref': '#/components/schemas/Problem'}}
        },
    }
    assert item['get']['responses']['200']['content'] == {'text/plain': {}}  # the echo
    # Other methods answer 405 with Allow: said once per URL, not as operations.
    assert item['x-rbconfig-other-methods'] == {
        'allow': ['PUT', 'GET', 'POST', 'HEAD', 'OPTIONS'],
        'response': {'$ref': '#/components/responses/MethodNotAllowed'},
    }
    not_allowed = demo['components']['responses']['MethodNotAllowed']
    assert list(not_allowed['headers']) == ['Allow', 'X-Request-Id']
    assert list(not_allowed['content']) == ['application/problem+json']


def test_summary_description_content_type_and_headers(demo: dict[str, Any]) -> None:
    operation = demo['paths']['/api']['get']
    assert operation['summary'] == 'Says hello.'
    assert operation['description'] == 'Says hello.\n\nAt length.'
    assert operation['responses']['200'] == {
        'description': 'A greeting',
        'headers': {'X-Served-By': {'schema': {'type': 'string', 'const': 'rbconfig'}}},
        'content': {'text/html': {}},
    }


def test_checks_become_parameters_security_body_and_statuses(demo: dict[str, Any]) -> None:
    operation = demo['paths']['/api/capitalize/{id}']['post']
    assert operation['parameters'][1] == {
        'name': 'X-Count',
        'in': 'header',
        'required': True,
        'schema': {'type': 'integer'},
        'description': 'Must be of type int; 400 otherwise.',
    }
    assert operation['security'] == [{'auth': []}]
    assert demo['components']['securitySchemes']['auth'] == {
        'type': 'apiKey',
        'in': 'header',
        'name': 'Authorization',
        'description': 'Checked by python:demos.auth; 401 when it fails.',
    }
    body = operation['requestBody']
    assert body['required'] is True
    assert body['content']['application/json']['schema']['required'] == ['text']
    responses = operation['responses']
    assert responses['200']['content'] == {'application/json': {}}
    assert responses['400']['description'] == (
        'The request is malformed: a Content-Length that is not a number, or a body that '
        'cannot be read. The X-Count header must be an integer, otherwise 400. '
        'The request body must be JSON, otherwise 400. The request body is not JSON.'
    )
    assert responses['401']['description'].startswith('The Authorization header must pass')
    assert responses['413']['description'] == 'The request body is larger than 1048576 bytes.'
    assert responses['415']['description'] == 'The request body is sent as another type than JSON.'
    assert responses['422']['description'] == 'The request body does not match its schema.'
    assert responses['500']['description'] == 'The handler failed.'
    assert responses['503']['description'] == 'The response body must be JSON, otherwise 503.'
    for code in ('400', '401', '413', '415', '422', '500', '503'):
        assert responses[code]['content'] == {
            'application/problem+json': {'schema': {'$ref': '#/components/schemas/Problem'}}
        }, code
    assert operation['x-rate'] == 5
    assert operation['x-rbconfig-use'] == 'python:demos.capitalize'


def test_custom_types_files_and_folders(demo: dict[str, Any]) -> None:
    blob = demo['paths']['/api/blob']['post']['requestBody']
    assert list(blob['content']) == ['application/octet-stream']
    assert demo['paths']['/api/style.css']['get']['responses']['200']['content'] == {'text/css': {}}
    assert demo['paths']['/api/js/{name}']['get']['parameters'][0]['schema'] == {
        'type': 'string',
        'pattern': '^(?:.*?)$',
    }


@pytest.mark.parametrize(
    ('root', 'url', 'expected'),
    [
        (None, '/a', '/a'),
        ('/api', '/', '/api'),
        ('/api/', '/a', '/api/a'),
        ('/', '/a', '/a'),
    ],
)
def test_full_url(root: str | None, url: str, expected: str) -> None:
    assert full_url(root, url) == expected


def test_openapi_path_keeps_nested_braces_out() -> None:
    path, placeholders = openapi_path('/a/{id:[0-9]{3}}/{rest:.*}')
    assert path == '/a/{id}/{rest}'
    assert [(p.name, p.regex) for p in placeholders] == [('id', '[0-9]{3}'), ('rest', '.*')]


def test_pydantic_models_are_imported_relative_to_the_spec(tmp_path: Path) -> None:
    (tmp_path / 'shapes_models.py').write_text(
        'from pydantic import BaseModel\n\n'
        'class Point(BaseModel):\n    x: int\n    y: int\n\n'
        'class Line(BaseModel):\n    start: Point\n    end: Point\n'
    )
    spec = tmp_path / 'shapes.yaml'
    spec.write_text(
        'rbconfig: 1\npaths:\n  draw:\n    method: POST\n    url: /draw\n'
        '    request:\n      body:\n        schema: python:shapes_models.Line\n'
    )
    document = openapi_document(load(spec))
    validate(document)
    schema = document['paths']['/draw']['post']['requestBody']['content']['application/json']
    assert schema['schema']['properties']['start'] == {'$ref': '#/components/schemas/Point'}
    assert document['components']['schemas']['Point']['required'] == ['x', 'y']


def test_a_missing_model_is_a_startup_error_at_its_line(tmp_path: Path) -> None:
    spec = tmp_path / 'gone.yaml'
    spec.write_text(
        'rbconfig: 1\npaths:\n  draw:\n    method: POST\n    url: /draw\n'
        '    request:\n      body:\n        schema: python:no_such_models.Line\n'
    )
    with pytest.raises(SpecError) as caught:
        openapi_document(load(spec))
    assert str(caught.value).startswith(f'{spec}:8:')
    assert 'no_such_models' in str(caught.value)


def test_a_missing_model_can_be_a_warning_instead(tmp_path: Path) -> None:
    spec = tmp_path / 'gone.yaml'
    spec.write_text(
        'rbconfig: 1\npaths:\n  draw:\n    method: POST\n    url: /draw\n'
        '    request:\n      body:\n        schema: python:no_such_models.Line\n'
    )
    warnings: list[Problem] = []
    document = openapi_document(load(spec), warnings=warnings)
    validate(document)
    content = document['paths']['/draw']['post']['requestBody']['content']
    assert content == {
        'application/json': {'schema': {'x-rbconfig-schema': 'python:no_such_models.Line'}}
    }
    assert [(w.line, w.severity) for w in warnings] == [(8, 'warning')]
    result = subprocess.run(
        [sys.executable, '-m', 'rbconfig.cli', 'openapi', str(spec)],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=30,
    )
    assert result.returncode == 0
    assert result.stderr.startswith(f'{spec}:8:9: warning: paths.draw.request.body.schema:')
    validate(json.loads(result.stdout))


def test_every_example_app_exists() -> None:
    assert ROOT / 'apps' / 'hello' / 'hello.yaml' in APP_SPECS


@pytest.mark.parametrize('spec', APP_SPECS, ids=[str(p.relative_to(ROOT)) for p in APP_SPECS])
def test_every_example_app_gives_valid_openapi(spec: Path) -> None:
    # Every location resolves (rbconfig validate checks it), so no model is left out.
    warnings: list[Problem] = []
    document = openapi_document(load(spec), warnings=warnings)
    validate(document)
    assert warnings == []
    assert document['paths'] or not any(p.url for p in load(spec).spec.paths.values())


def test_the_openapi_command(tmp_path: Path) -> None:
    spec = tmp_path / 'tiny.yaml'
    spec.write_text('rbconfig: 1\npaths:\n  ping:\n    url: /ping\n')
    out = tmp_path / 'openapi.json'
    command = [sys.executable, '-m', 'rbconfig.cli', 'openapi', str(spec)]
    env = child_env()
    printed = subprocess.run(command, capture_output=True, text=True, env=env, timeout=30)
    assert printed.returncode == 0, printed.stderr
    document = json.loads(printed.stdout)
    validate(document)
    assert document['info']['title'] == 'tiny'
    written = subprocess.run([*command, '-o', str(out)], capture_output=True, env=env, timeout=30)
    assert written.returncode == 0
    assert json.loads(out.read_text()) == document


def test_the_openapi_command_reports_a_bad_spec(tmp_path: Path) -> None:
    spec = tmp_path / 'bad.yaml'
    spec.write_text('rbconfig: 2\n')
    result = subprocess.run(
        [sys.executable, '-m', 'rbconfig.cli', 'openapi', str(spec)],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=30,
    )
    assert result.returncode == 1
    assert f'{spec}:1:' in result.stderr
    assert 'Traceback' not in result.stderr
    assert result.stdout == ''


def test_openapi_does_not_import_the_server_stack(tmp_path: Path) -> None:
    spec = tmp_path / 'tiny.yaml'
    spec.write_text('rbconfig: 1\npaths:\n  ping:\n    url: /ping\n')
    code = (
        'import sys\n'
        'from rbconfig.cli import main\n'
        f'main(["openapi", {str(spec)!r}, "-o", {str(tmp_path / "o.json")!r}])\n'
        'print(sorted(m for m in ("falcon", "gevent", "socketio") if m in sys.modules))\n'
    )
    result = subprocess.run(
        [sys.executable, '-c', code], capture_output=True, text=True, env=child_env(), timeout=30
    )
    assert result.stdout.strip() == '[]', result.stderr
