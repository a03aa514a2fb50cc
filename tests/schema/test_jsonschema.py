"""The published JSON Schema: current, valid, and in step with the models."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from rbconfig.schema.jsonschema import SCHEMA_URL, service_schema, service_schema_text

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / 'schemas' / 'service.schema.json'


def test_committed_schema_is_current() -> None:
    assert COMMITTED.read_text(encoding='utf-8') == service_schema_text(), (
        'schemas/service.schema.json is stale: run  '
        'rbconfig schema -o schemas/service.schema.json --force'
    )


def test_schema_is_valid_draft_2020_12_with_id_and_title() -> None:
    schema = service_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema['$schema'] == 'https://json-schema.org/draft/2020-12/schema'
    assert schema['$id'] == SCHEMA_URL
    assert schema['title'] == 'rbconfig service spec'
    assert schema['required'] == ['rbconfig']


@pytest.mark.parametrize(
    'spec', sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / 'apps').rglob('*.yaml'))
)
def test_every_example_spec_satisfies_the_schema(spec: str) -> None:
    data = yaml.safe_load((ROOT / spec).read_text(encoding='utf-8'))
    errors = [
        f'{error.json_path}: {error.message}'
        for error in jsonschema.Draft202012Validator(service_schema()).iter_errors(data)
    ]
    assert errors == []


@pytest.mark.parametrize(
    ('data', 'where'),
    [
        ({'rbconfig': 1, 'pahts': {}}, '$'),
        ({'rbconfig': 1, 'paths': {'a': {'method': 'GOT'}}}, '$.paths.a.method'),
        (
            {'rbconfig': 1, 'paths': {'a': {'response': {'status': {'9999': 'x'}}}}},
            '$.paths.a.response',
        ),
        ({'rbconfig': 1, 'paths': {'a': {'use': 'nowhere'}}}, '$.paths.a.use'),
        ({'rbconfig': 2}, '$.rbconfig'),
    ],
)
def test_editors_see_the_same_mistakes(data: dict, where: str) -> None:
    errors = list(jsonschema.Draft202012Validator(service_schema()).iter_errors(data))
    assert [error.json_path for error in errors] == [where]


def test_schema_allows_x_extensions_everywhere() -> None:
    data = {
        'rbconfig': 1,
        'x-a': 1,
        'paths': {
            'a': {
                'url': '/a',
                'method': 'GET|POST',
                'x-b': [1],
                'request': {'body': {'checks': [{'on_error': 500, 'x-c': 1}]}},
            }
        },
    }
    assert list(jsonschema.Draft202012Validator(service_schema()).iter_errors(data)) == []
    assert json.loads(service_schema_text()) == service_schema()
