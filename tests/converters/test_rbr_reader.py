"""What each RBR statement becomes in the model (the table in docs/rbr.md)."""

from __future__ import annotations

from typing import Any

import pytest

from rbconfig.converters import END_OF_FILE, loads
from rbconfig.document import Document


def _load(text: str) -> Document:
    return loads(text, 'rbr', 'spec.rbr')


def _data(text: str) -> dict[str, Any]:
    return _load(text).spec.to_data()


def test_every_operation() -> None:
    data = _data(
        'type blob python:app.Blob;\n'
        'path p (\n'
        '    method POST,\n'
        '    url /p,\n'
        '    request-headers (\n'
        '        description "headers",\n'
        '        unless Authorization validates with python:app.auth return 401,\n'
        '        unless X-Token validates with auth return 403,\n'
        '        unless X-Count type is int return 400,\n'
        '        unless X-Blob type is not blob return 415\n'
        '    ),\n'
        '    request-body (\n'
        '        unless type is json return 400,\n'
        '        unless type is not blob return 422,\n'
        '        alter with python:app.clean,\n'
        '        on error return 500\n'
        '    ),\n'
        '    request-status ( describe 202 "Accepted" ),\n'
        '    response-headers ( set Content-Type "text/plain", set X-Retry 120 ),\n'
        '    response-body unless type is json return 503,\n'
        '    response-status ( describe 200 """OK,\nreally""" )\n'
        ');\n'
    )
    path = data['paths']['p']
    assert path['request'] == {
        'headers': {
            'description': 'headers',
            'checks': [
                {'header': 'Authorization', 'validates': 'python:app.auth', 'return': 401},
                {'header': 'X-Token', 'validates': 'python:auth', 'return': 403},
                {'header': 'X-Count', 'is': 'int', 'return': 400},
                {'header': 'X-Blob', 'is_not': 'blob', 'return': 415},
            ],
        },
        'body': {
            'checks': [
                {'is': 'json', 'return': 400},
                {'is_not': 'blob', 'return': 422},
                {'alter': 'python:app.clean'},
                {'on_error': 500},
            ]
        },
        'status': {202: 'Accepted'},
    }
    assert path['response'] == {
        'status': {200: 'OK,\nreally'},
        'headers': {'set': {'Content-Type': 'text/plain', 'X-Retry': '120'}},
        'body': {'checks': [{'is': 'json', 'return': 503}]},
    }


def test_path_fields_and_extensions() -> None:
    data = _data(
        'path p (\n'
        '    description "Hello",\n'
        '    method GET|POST|PATCH,\n'
        '    url /items/{id:[0-9]+}/{name},\n'
        '    use python:app.items,\n'
        '    request-description "the request",\n'
        '    x-request-max-size 1048576,\n'
        '    x-owner "team-a",\n'
        '    x-retries 3,\n'
        '    x-ratio 0.25,\n'
        '    x-beta true,\n'
        '    x-tags ( "a", "b" )\n'
        ');\n'
    )
    assert data['paths']['p'] == {
        'description': 'Hello',
        'method': ['GET', 'POST', 'PATCH'],
        'url': '/items/{id:[0-9]+}/{name}',
        'use': 'python:app.items',
        'max_body': 1048576,
        'request': {'description': 'the request'},
        'x-owner': 'team-a',
        'x-retries': 3,
        'x-ratio': 0.25,
        'x-beta': True,
        'x-tags': ['a', 'b'],
    }


def test_meta_root_globals_types_workers() -> None:
    document = _load(
        'meta (\n    title "T",\n    version 2.10,\n    description """Multi\nline""",\n'
        '    x-request-max-size 4096,\n    x-contact "a@b.c"\n);\n'
        'root /api;\n'
        'global port 8080;\nglobal ratio 0.5;\nglobal name "svc";\nglobal conf file:conf.ini;\n'
        'global debug false;\nglobal handler python:app.make;\n'
        'type money python:app.Money;\n'
        'worker flash python:app.Worker;\n'
        'arbiter sio python:app.Arbiter;\n'
    )
    data = document.spec.to_data()
    assert data['meta'] == {
        'title': 'T',
        'version': '2.10',
        'description': 'Multi\nline',
        'x-contact': 'a@b.c',
    }
    assert data['max_body'] == 4096
    assert data['root'] == '/api'
    assert data['globals'] == {
        'port': 8080,
        'ratio': 0.5,
        'name': 'svc',
        'conf': 'file:conf.ini',
        'debug': False,
        'handler': 'python:app.make',
    }
    assert list(data['globals']) == ['port', 'ratio', 'name', 'conf', 'debug', 'handler']
    assert data['types'] == {'money': 'python:app.Money'}
    assert data['workers'] == {'flash': 'python:app.Worker'}
    assert data['arbiters'] == {'sio': 'python:app.Arbiter'}
    assert [warning.where for warning in document.warnings] == ['workers.flash', 'arbiters.sio']


@pytest.mark.parametrize(
    'text',
    [
        # G2 (Aug 2011): the top-level socket statement.
        'socket python:app.chat.chat;\n',
        # G1 (the 2011 post): a path with method SOCKETIO and no url.
        'path socket (\n    method SOCKETIO,\n    use python:app.chat.chat\n);\n',
        # 78766e7 demos: an ordinary path at /socket.io/.
        'path socketio (\n    method GET|POST,\n    url /socket.io/{transport:.*?},\n'
        '    use python:app.chat.chat\n);\n',
        # Unprefixed dotted names are Python, as for use.
        'socket app.chat.chat;\n',
    ],
)
def test_every_socket_form_is_the_default_namespace(text: str) -> None:
    spec = _load(text).spec
    assert spec.to_data()['sockets'] == {'/': {'use': 'python:app.chat.chat'}}
    assert spec.paths == {}


def test_socketio_path_keeps_description_and_extensions() -> None:
    document = _load(
        '# the chat\npath chat (\n    description "Chat",\n    method SOCKETIO,\n'
        '    use python:app.chat,\n    x-room "lobby"\n);\n'
    )
    assert document.spec.to_data()['sockets'] == {
        '/': {'description': 'Chat', 'use': 'python:app.chat', 'x-room': 'lobby'}
    }
    assert document.positions[('sockets', '/', 'use')] == (5, 9)
    assert document.comments == {('sockets', '/'): ['the chat']}


def test_quirks_fixed() -> None:
    data = _data(
        'path p (\n'
        '    url /p,\n'
        '    use file:ip-local/index-2.html,\n'  # hyphens in file names
        '    x-size 1024,\n'  # RedBarrel split this into 102 and 4
        '    x-big 123456789012345678901234567890,\n'
        '    x-negative -5,\n'
        '    response-status ( describe 200 "ok" )\n'
        ');\n'
        'path q ( url /q, use python:hello );\n'  # python: without a dot
        'path r ( url /r/{id:\\d+}, use proxy:http://example.com:8080/base );\n'
        'define path s ( url /s );\n'  # G0's 'define path'
    )
    assert data['paths']['p']['use'] == 'file:ip-local/index-2.html'
    assert data['paths']['p']['x-size'] == 1024
    assert data['paths']['p']['x-big'] == 123456789012345678901234567890
    assert data['paths']['p']['x-negative'] == -5
    assert data['paths']['q']['use'] == 'python:hello'
    assert data['paths']['r'] == {
        'url': '/r/{id:\\d+}',
        'use': 'proxy:http://example.com:8080/base',
    }
    assert data['paths']['s'] == {'url': '/s'}


def test_old_files_keep_their_meaning() -> None:
    data = _data(
        'path p (\n'
        '    url /a/# a comment eats the rest of the line, );\n'
        '    ,use python:a.b,,\n'  # doubled and trailing commas
        '    description "C:\\temp \\"quoted\\"",\n'  # backslashes kept as written
        ');\n'
    )
    assert data['paths']['p'] == {
        'url': '/a/',
        'use': 'python:a.b',
        'description': 'C:\\temp \\"quoted\\"',
    }


def test_crlf_files() -> None:
    text = 'meta (\r\n    description """a\r\nb""",\r\n    title "t"\r\n);\r\n'
    spec = _load(text).spec
    assert spec.meta.title == 't'
    assert spec.meta.description == 'a\r\nb'  # text as written


def test_positions_point_at_values() -> None:
    document = _load(
        'path p (\n'
        '    method GET|POST,\n'
        '    url /p,\n'
        '    request-body (\n'
        '        unless type is json return 400\n'
        '    )\n'
        ');\n'
    )
    positions = document.positions
    assert positions[('paths', 'p')] == (1, 6)
    assert positions[('paths', 'p', 'method', 1)] == (2, 16)
    assert positions[('paths', 'p', 'url')] == (3, 9)
    assert positions[('paths', 'p', 'request', 'body')] == (4, 5)
    assert positions[('paths', 'p', 'request', 'body', 'checks', 0)] == (5, 9)
    assert positions[('paths', 'p', 'request', 'body', 'checks', 0, 'return')] == (5, 36)


def test_own_line_comments_go_to_the_next_element() -> None:
    document = _load(
        '# file header\n'
        'meta ( title "t" );\n'
        '\n'
        '# first path\n'
        '#   indented text\n'
        'path p (\n'
        '    url /p,  # trailing comments are not carried\n'
        '    # before use\n'
        '    use python:a.b,\n'
        '    response-headers (\n'
        '        # before set\n'
        '        set A "b"\n'
        '    )\n'
        '    # at the end of a block: goes to what follows\n'
        ');\n'
        'global g 1;\n'
        '# at the very end\n'
    )
    assert document.comments == {
        ('meta',): ['file header'],
        ('paths', 'p'): ['first path', '  indented text'],
        ('paths', 'p', 'use'): ['before use'],
        ('paths', 'p', 'response', 'headers', 'set', 'A'): ['before set'],
        ('globals', 'g'): ['at the end of a block: goes to what follows'],
        END_OF_FILE: ['at the very end'],
    }


def test_repeated_key_last_one_counts() -> None:
    assert _data('path p ( url /a, url /b );\n')['paths']['p']['url'] == '/b'


def test_x_rbconfig_is_merged() -> None:
    data = _data(
        'meta (\n    x-rbconfig """{"socketio": {"path": "/ws"}, "x-team": {"a": 1}}"""\n);\n'
        'path p (\n    url /p,\n    request-body ( unless type is json return 400 ),\n'
        '    x-rbconfig """{"request": {"body": {"schema": {"type": "object"}}}}"""\n);\n'
    )
    assert 'meta' not in data  # a meta block carrying only x-rbconfig is no meta
    assert data['socketio'] == {'path': '/ws'}
    assert data['x-team'] == {'a': 1}
    assert data['paths']['p']['request']['body'] == {
        'schema': {'type': 'object'},
        'checks': [{'is': 'json', 'return': 400}],
    }
