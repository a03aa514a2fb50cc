"""The YAML reader (positions, comments, anchors) and the emitter's shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from rbconfig.converters import build_document, load
from rbconfig.converters.yaml import YamlFormat
from rbconfig.schema import Spec
from rbconfig.schema.jsonschema import SCHEMA_URL

YAML = YamlFormat()
REFERENCE = Path(__file__).resolve().parents[2] / 'apps' / 'reference' / 'service.yaml'

TEXT = """\
# yaml-language-server: $schema=whatever
# About the service.
rbconfig: 1
meta:
  description: |
    Line one.

    # not a comment: inside the text
paths:
  # Says hello.
  hello:
    url: /hello
    request:
      body:
        checks:
          # first the type
          - is: json
            return: 400
          - {alter: python:m.f}
"""


def test_positions_point_at_keys_and_items() -> None:
    source = YAML.read(TEXT, 'spec.yaml')
    assert source.positions[('rbconfig',)] == (3, 1)
    assert source.positions[('meta', 'description')] == (5, 3)
    assert source.positions[('paths', 'hello')] == (11, 3)
    checks = ('paths', 'hello', 'request', 'body', 'checks')
    assert source.positions[(*checks, 0)] == (17, 13)
    assert source.positions[(*checks, 0, 'return')] == (18, 13)
    assert source.positions[(*checks, 1)] == (19, 13)
    assert source.positions[(*checks, 1, 'alter')] == (19, 14)


def test_own_line_comments_belong_to_the_next_element() -> None:
    source = YAML.read(TEXT, 'spec.yaml')
    assert source.comments == {
        ('rbconfig',): ['About the service.'],
        ('paths', 'hello'): ['Says hello.'],
        ('paths', 'hello', 'request', 'body', 'checks', 0): ['first the type'],
    }
    assert source.data['meta']['description'].endswith('# not a comment: inside the text\n')


def test_comments_are_written_back_before_their_element() -> None:
    document = build_document(YAML, TEXT, 'spec.yaml')
    text = YAML.write(document.spec, document.comments)
    lines = text.splitlines()
    assert lines[0] == f'# yaml-language-server: $schema={SCHEMA_URL}'
    assert lines[1:3] == ['# About the service.', 'rbconfig: 1']
    assert lines[lines.index('  # Says hello.') + 1] == '  hello:'
    assert (
        lines[lines.index('          # first the type') + 1]
        == '          - {is: json, return: 400}'
    )
    assert build_document(YAML, text, 'again.yaml').comments == document.comments


def test_anchors_and_merge_keys() -> None:
    text = """\
rbconfig: 1
x-defaults: &defaults
  method: [GET, POST]
  use: python:m.handler
paths:
  a:
    <<: *defaults
    url: /a
  b:
    <<: *defaults
    url: /b
    use: python:m.other
"""
    spec = build_document(YAML, text, 'spec.yaml').spec
    assert spec.paths['a'].method == ['GET', 'POST']
    assert spec.paths['a'].use == 'python:m.handler'
    assert spec.paths['b'].use == 'python:m.other'


def test_emitter_writes_what_a_person_would() -> None:
    spec = Spec.model_validate(
        {
            'rbconfig': 1,
            'paths': {
                'p': {
                    'response': {'status': {200: 'OK'}, 'headers': {'set': {'X-Count': 3}}},
                    'use': 'python:m.f',
                    'url': '/p/{id:[0-9]+}',
                    'method': 'GET',
                    'description': 'Two\nlines',
                    'x-note': 'kept',
                },
                'q': {'url': '/q', 'method': 'GET|POST'},
            },
            'meta': {'version': 2, 'title': 'yes'},
        }
    )
    body = YAML.write(spec).split('\n', 1)[1]
    assert body == (
        'rbconfig: 1\n'
        '\n'
        'meta:\n'
        "  title: 'yes'\n"
        "  version: '2'\n"
        '\n'
        'paths:\n'
        '  p:\n'
        '    description: |-\n'
        '      Two\n'
        '      lines\n'
        '    method: GET\n'
        '    url: /p/{id:[0-9]+}\n'
        '    use: python:m.f\n'
        '    response:\n'
        '      status:\n'
        '        200: OK\n'
        '      headers:\n'
        '        set:\n'
        "          X-Count: '3'\n"
        '    x-note: kept\n'
        '\n'
        '  q:\n'
        '    method: [GET, POST]\n'
        '    url: /q\n'
    )


def test_reference_spec_round_trips_with_its_comments() -> None:
    document = load(REFERENCE)
    text = YAML.write(document.spec, document.comments)
    again = build_document(YAML, text, 'again.yaml')
    assert again.spec == document.spec
    assert again.comments == document.comments
    assert len(document.comments) >= 8


def test_comments_on_list_items_keep_the_list_in_block_style() -> None:
    spec = Spec.model_validate({'rbconfig': 1, 'paths': {'p': {'url': '/p', 'method': 'GET|POST'}}})
    comments = {('paths', 'p', 'method', 1): ['also posts']}
    text = YAML.write(spec, comments)
    assert '    method:\n      - GET\n      # also posts\n      - POST\n' in text
    assert build_document(YAML, text, 'spec.yaml').comments == comments


def test_very_long_keys_are_written_as_explicit_keys() -> None:
    key = 'x-' + 'k' * 1500
    spec = Spec.model_validate(
        {'rbconfig': 1, key: {'a': 1}, 'paths': {'p': {'url': '/p', 'x-' + 'q' * 1200: 'v'}}}
    )
    text = YAML.write(spec)
    assert f'? {key}\n:\n  a: 1\n' in text
    assert build_document(YAML, text, 'spec.yaml').spec == spec


def test_colons_in_flow_style_are_quoted() -> None:
    """PyYAML reads no ':' inside a plain scalar of a flow mapping or list ({a:?: b} fails)."""
    spec = Spec.model_validate(
        {'rbconfig': 1, 'paths': {'p': {'url': '/p', 'x-a': [False, {'k:?': 'a:b'}]}}}
    )
    text = YAML.write(spec)
    assert "- {'k:?': 'a:b'}\n" in text
    assert build_document(YAML, text, 'spec.yaml').spec == spec


@pytest.mark.parametrize(
    ('description', 'head'),
    [
        pytest.param('one\ntwo\n', '|', id='clip'),
        pytest.param('one\ntwo', '|-', id='strip'),
        pytest.param('\nRBR text starting on a new line\n', '|', id='leading-newline'),
        pytest.param(
            '\n    indented, as in RBR """ blocks\n    ', '|2-', id='indented-trailing-spaces'
        ),
    ],
)
def test_multi_line_text_is_a_literal_block(description: str, head: str) -> None:
    spec = Spec.model_validate({'rbconfig': 1, 'meta': {'description': description}})
    text = YamlFormat().write(spec)
    assert f'  description: {head}\n' in text
    assert build_document(YamlFormat(), text, 'spec.yaml').spec == spec


def test_text_ending_in_blank_lines_is_quoted() -> None:
    # '|+' would also keep the blank line the writer puts after it.
    spec = Spec.model_validate({'rbconfig': 1, 'meta': {'description': 'a\n\n'}, 'root': '/x'})
    text = YamlFormat().write(spec)
    assert '  description: "a\\n\\n"\n' in text
    assert build_document(YamlFormat(), text, 'spec.yaml').spec == spec
