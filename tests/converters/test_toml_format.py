"""The TOML reader (positions found in the text, comments) and the writer's shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from rbconfig.converters import build_document, load
from rbconfig.converters.toml import TomlFormat
from rbconfig.schema import Spec

TOML = TomlFormat()
APPS = Path(__file__).resolve().parents[2] / 'apps' / 'reference'

TEXT = """\
#:schema ../schema.json
# About the service.
rbconfig = 1

[paths.hello]
url = "/hello"
description = '''
Two lines,
# the second looks like a comment.
'''

# The checks.
[paths.hello.request.body]
checks = [
  # first the type
  { is = "json", return = 400 },
  { alter = "python:m.f" },
]

[paths.hello.response.status]
200 = "OK"

[[paths.hello.request.headers.checks]]
header = "X-Count"
is = "int"
return = 400
"""


def test_positions_found_in_the_text() -> None:
    source = TOML.read(TEXT, 'spec.toml')
    assert source.positions[('rbconfig',)] == (3, 1)
    assert source.positions[('paths', 'hello')] == (5, 1)
    assert source.positions[('paths', 'hello', 'url')] == (6, 1)
    checks = ('paths', 'hello', 'request', 'body', 'checks')
    assert source.positions[(*checks, 0)] == (16, 3)
    assert source.positions[(*checks, 0, 'return')] == (16, 18)
    assert source.positions[(*checks, 1, 'alter')] == (17, 5)
    assert source.positions[('paths', 'hello', 'response', 'status', 200)] == (21, 1)
    headers = ('paths', 'hello', 'request', 'headers', 'checks')
    assert source.positions[(*headers, 0)] == (23, 1)
    assert source.positions[(*headers, 0, 'is')] == (25, 1)


def test_comments_attach_to_the_next_key_or_header() -> None:
    source = TOML.read(TEXT, 'spec.toml')
    assert source.comments == {
        ('rbconfig',): ['About the service.'],
        ('paths', 'hello', 'request', 'body'): ['The checks.'],
        ('paths', 'hello', 'request', 'body', 'checks', 0): ['first the type'],
    }


def test_reference_twins_are_the_same_spec() -> None:
    assert load(APPS / 'service.toml').spec == load(APPS / 'service.yaml').spec


def test_writer_shape() -> None:
    spec = Spec.model_validate(
        {
            'rbconfig': 1,
            'paths': {
                'p': {
                    'url': '/p',
                    'method': 'GET',
                    'request': {'body': {'checks': [{'is': 'json', 'return': 400}]}},
                    'response': {'status': {200: 'OK'}},
                }
            },
            'sockets': {'/chat': {'events': {'message': 'python:chat.said'}}},
        }
    )
    body = TOML.write(spec).split('\n', 1)[1]
    assert body == (
        'rbconfig = 1\n'
        '\n'
        '[paths.p]\n'
        'method = "GET"\n'
        'url = "/p"\n'
        '\n'
        '[paths.p.request.body]\n'
        'checks = [\n'
        '  { is = "json", return = 400 },\n'
        ']\n'
        '\n'
        '[paths.p.response.status]\n'
        '200 = "OK"\n'
        '\n'
        '[sockets."/chat"]\n'
        '\n'
        '[sockets."/chat".events]\n'
        'message = "python:chat.said"\n'
    )


def test_null_cannot_be_written_as_toml() -> None:
    spec = Spec.model_validate(
        {'rbconfig': 1, 'paths': {'p': {'url': '/p', 'x-data': {'a': None}}}}
    )
    # Refused before writing, at its place (UnwritableSpec is a ValueError).
    with pytest.raises(
        ValueError, match=r'^paths\.p\.x-data\.a: the value null is nothing, which TOML'
    ):
        TOML.write(spec)


def test_file_written_as_toml_validates() -> None:
    document = build_document(TOML, TEXT, 'spec.toml')
    again = build_document(TOML, TOML.write(document.spec, document.comments), 'again.toml')
    assert again.spec == document.spec
    assert again.comments == document.comments


@pytest.mark.parametrize(
    'namespace',
    [
        {'use': 'python:a.b', 'emits': {'m': {'description': 'd'}, 'e2': {}, 'e3': {}}},
        {'events': {'a': {'use': 'python:a.b', 'description': 'd'}, 'b': 'python:a.c'}},
        {'use': 'python:a.b', 'x-data': {'t': {'k': 1}, 's': 2, 'u': {'k': 3}}},
    ],
    ids=['emits', 'events', 'extension'],
)
def test_mappings_keep_their_order(namespace: dict[str, object]) -> None:
    """A table written after a plain value of the same mapping would come back first."""
    spec = Spec.model_validate({'rbconfig': 1, 'sockets': {'/chat': namespace}})
    again = build_document(TOML, TOML.write(spec), 'again.toml').spec
    assert again == spec
    for key, value in namespace.items():
        if isinstance(value, dict):
            assert list(again.to_data()['sockets']['/chat'][key]) == list(value)


def test_models_keep_their_layout() -> None:
    """A model's own keys are laid out by the model, plain values before its tables."""
    spec = Spec.model_validate(
        {'rbconfig': 1, 'paths': {'p': {'url': '/p', 'response': {'status': {200: 'OK'}}}}}
    )
    spec.extensions['x-late'] = 1
    spec.paths['p'].extensions['x-after'] = 'v'
    text = TOML.write(spec)
    assert text.endswith(
        'rbconfig = 1\nx-late = 1\n\n[paths.p]\nurl = "/p"\nx-after = "v"\n\n'
        '[paths.p.response.status]\n200 = "OK"\n'
    )
