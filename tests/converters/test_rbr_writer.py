"""How specs are written as RBR: RedBarrel's layout, short tokens, x-rbconfig for the rest."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rbconfig.converters import loads
from rbconfig.converters.rbr import RbrFormat
from rbconfig.schema import Spec

RBR = RbrFormat()


def _spec(data: dict[str, Any]) -> Spec:
    return Spec.model_validate({'rbconfig': 1, **data})


def _write(data: dict[str, Any], comments: dict[Any, list[str]] | None = None) -> str:
    spec = _spec(data)
    text = RBR.write(spec, comments)
    assert loads(text, 'rbr', 'spec.rbr').spec == spec
    return text


def test_layout_like_redbarrels_files() -> None:
    text = _write(
        {
            'meta': {'title': 'Demo', 'version': '1.0', 'description': 'Line one\nline two\n'},
            'root': '/demo',
            'globals': {'config': 'file:config.ini', 'port': 8080},
            'types': {'blob': 'python:app.Blob'},
            'paths': {
                'hello': {
                    'description': 'Say hello',
                    'method': 'GET|POST',
                    'url': '/hello/{name}',
                    'use': 'python:app.hello',
                    'request': {'body': {'checks': [{'is': 'json', 'return': 400}]}},
                    'response': {
                        'status': {200: 'Success'},
                        'headers': {'set': {'Content-Type': 'text/html'}},
                    },
                },
                'bye': {'url': '/bye', 'use': 'file:bye.html'},
            },
            'sockets': {'/': {'use': 'python:app.chat'}},
        }
    )
    assert text == (
        'meta (\n'
        '    title "Demo",\n'
        '    version 1.0,\n'
        '    description """Line one\n'
        'line two\n'
        '"""\n'
        ');\n'
        '\n'
        'root /demo;\n'
        '\n'
        'global config file:config.ini;\n'
        'global port 8080;\n'
        '\n'
        'type blob python:app.Blob;\n'
        '\n'
        'socket python:app.chat;\n'
        '\n'
        'path hello (\n'
        '    description "Say hello",\n'
        '    method GET|POST,\n'
        '    url /hello/{name},\n'
        '    use python:app.hello,\n'
        '    response-status (\n'
        '        describe 200 "Success"\n'
        '    ),\n'
        '    request-body (\n'
        '        unless type is json return 400\n'
        '    ),\n'
        '    response-headers (\n'
        '        set Content-Type "text/html"\n'
        '    )\n'
        ');\n'
        '\n'
        'path bye (\n'
        '    url /bye,\n'
        '    use file:bye.html\n'
        ');\n'
    )


@pytest.mark.parametrize(
    ('value', 'written'),
    [
        ('plain', 'x-v "plain"'),
        ('python:a.b', 'x-v python:a.b'),
        ('/a/b', 'x-v /a/b'),
        ('a.b', 'x-v a.b'),
        ('12', 'x-v "12"'),
        ('true', 'x-v "true"'),
        ('say "hi" now', 'x-v """say "hi" now"""'),
        ('two\nlines', 'x-v """two\nlines"""'),
        ('ends with a backslash\\', 'x-v """ends with a backslash\\"""'),
        (12, 'x-v 12'),
        (-3, 'x-v -3'),
        (2**70, f'x-v {2**70}'),
        (0.5, 'x-v 0.5'),
        (1e-7, 'x-v 0.0000001'),
        (1e22, 'x-v 10000000000000000000000.0'),
        (True, 'x-v true'),
    ],
)
def test_shortest_token_that_reads_back(value: object, written: str) -> None:
    text = _write({'paths': {'p': {'url': '/p', 'x-v': value}}})
    assert f'    {written}\n' in text


@pytest.mark.parametrize(
    ('value', 'spilled'),
    [
        ('ends with a quote"', {'x-v': 'ends with a quote"'}),
        ('has """ inside', {'x-v': 'has """ inside'}),
        ([1, 'a'], {'x-v': [1, 'a']}),
        ({'k': None}, {'x-v': {'k': None}}),
        (None, {'x-v': None}),
        (float('inf'), {'x-v': float('inf')}),
    ],
)
def test_what_rbr_cannot_say_goes_to_x_rbconfig(value: object, spilled: dict[str, Any]) -> None:
    text = _write({'paths': {'p': {'url': '/p', 'x-v': value}}})
    line = next(line for line in text.splitlines() if 'x-rbconfig' in line)
    assert json.loads(line.split('"""')[1]) == spilled


def test_body_schemas_examples_and_settings_go_to_x_rbconfig() -> None:
    text = _write(
        {
            'socketio': {'path': '/ws', 'origins': ['*']},
            'sockets': {'/chat': {'events': {'message': 'python:app.on_message'}}},
            'x-owner': {'team': 'a'},
            'paths': {
                'p': {
                    'url': '/p',
                    'request': {
                        'body': {
                            'schema': {'type': 'object'},
                            'example': {'a': 1},
                            'checks': [{'is': 'json', 'return': 400}],
                        }
                    },
                }
            },
        }
    )
    assert '        unless type is json return 400\n' in text
    assert (
        '    x-rbconfig """{"request": {"body": {"schema": {"type": "object"}, '
        '"example": {"a": 1}}}}"""\n' in text
    )
    assert text.startswith('meta (\n    x-rbconfig """{"sockets": {"/chat": ')
    assert '"socketio": {"path": "/ws", "origins": ["*"]}, "x-owner": {"team": "a"}}' in text


def test_reserved_words_as_names_are_spilled() -> None:
    text = _write(
        {
            'globals': {'type': 1, 'ok': 2},
            'types': {'on': 'python:a.B'},
            'paths': {
                'with': {'url': '/w'},
                'fine': {
                    'url': '/f',
                    'request': {'body': {'checks': [{'is': 'on', 'return': 400}]}},
                    'response': {'headers': {'set': {'return': 'x', 'X-Ok': 'y'}}},
                },
            },
        }
    )
    assert 'global ' not in text  # globals stay together, in order
    assert 'path fine (' in text and 'path with' not in text
    assert '        set X-Ok "y"' in text


def test_empty_parts_survive() -> None:
    _write({'meta': {}, 'paths': {'p': {}, 'q': {'request': {}, 'response': {'body': {}}}}})
    text = _write({'paths': {'p': {}}})
    assert 'path p (\n    x-rbconfig "{}"\n);' in text


def test_socket_namespace_with_description_is_a_socketio_path() -> None:
    text = _write(
        {
            'paths': {'socketio': {'url': '/x'}},
            'sockets': {'/': {'use': 'python:app.chat', 'description': 'Chat room'}},
        }
    )
    assert (
        'path socketio_ (\n'
        '    description "Chat room",\n'
        '    method SOCKETIO,\n'
        '    use python:app.chat\n'
        ');\n'
    ) in text


def test_a_path_at_socket_io_is_not_mistaken_for_a_socket() -> None:
    text = _write({'paths': {'io': {'url': '/socket.io/x', 'use': 'python:app.io'}}})
    assert 'path io' not in text and '"/socket.io/x"' in text


def test_comments_are_written_before_their_element() -> None:
    text = _write(
        {'paths': {'p': {'url': '/p', 'request': {'body': {'schema': {'type': 'object'}}}}}},
        {
            (): ['top'],
            ('paths', 'p'): ['the path'],
            ('paths', 'p', 'url'): ['the url', ''],
            ('paths', 'p', 'request', 'body', 'schema'): ['not written natively'],
        },
    )
    assert text.startswith('# top\n')
    # A comment on what RBR cannot write goes before the nearest element it can.
    assert (
        '# the path\n# not written natively\npath p (\n    # the url\n    #\n    url /p,\n' in text
    )


def test_fields_a_later_schema_adds_go_to_x_rbconfig() -> None:
    from rbconfig.converters.rbr.writer import _WRITTEN, _unwritten
    from rbconfig.schema import path as path_models

    class Path(path_models.Path):  # the same name: a later version of the model
        retries: int | None = None

    assert _unwritten(Path(url='/p', retries=3)) == {'retries': 3}
    assert _unwritten(Path(url='/p')) == {}
    # Today every field is written natively, except socket events and the events a namespace
    # emits (spilled with the namespace).
    import rbconfig.schema as schema

    for name, written in _WRITTEN.items():
        fields = set(getattr(schema, name).model_fields)
        spilled = {'events', 'emits'} if name == 'SocketNamespace' else set()
        assert fields - written == spilled, name
