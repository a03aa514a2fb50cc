"""What ``rbconfig new`` writes: a small app that validates, runs and tests at once.

:func:`skeleton` returns the files (relative name → text) of an app with HTTP
paths, Socket.IO events and a page, or either alone. The spec is built as data,
checked by the model and written by the format's own writer, so YAML and TOML
say the same thing.
"""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..converters import dumps
from ..document import Comments
from ..schema import parse_spec

__all__ = ['Choices', 'module_name', 'skeleton', 'spec_file']


@dataclass(frozen=True)
class Choices:
    """What the app has: its name, HTTP paths and/or sockets, and its spec format."""

    name: str
    http: bool = True
    sockets: bool = False
    format: str = 'yaml'


def module_name(name: str) -> str:
    """A Python module name for the app called ``name`` (``Todo List`` → ``todo_list``).

    ASCII only (``Café`` → ``cafe``; ``日本`` → ``app``): a ``python:`` location is a
    dotted name of ASCII identifiers. A name the standard library or the running
    program already uses gets ``_app`` (``python:json.hello`` would find the
    standard library's ``json``).
    """
    # NFKD splits accented letters into the letter and its accent, which ASCII drops.
    ascii_name = unicodedata.normalize('NFKD', name).encode('ascii', 'ignore').decode('ascii')
    text = re.sub(r'[^a-z0-9]+', '_', ascii_name.strip().lower()).strip('_')
    text = re.sub(r'^(?=\d)', 'app_', text) or 'app'
    taken = keyword.iskeyword(text) or text in sys.stdlib_module_names or text in sys.modules
    return f'{text}_app' if taken or text in ('rbconfig', 'test') else text


def skeleton(choices: Choices) -> dict[str, str]:
    """The files of the app, by name relative to its folder.

    Raises:
        ValueError: neither HTTP paths nor sockets were asked for.
    """
    if not (choices.http or choices.sockets):
        raise ValueError('an app needs HTTP paths, sockets or both')
    module = module_name(choices.name)
    spec = spec_file(choices)
    files = {
        spec: _spec(choices, module),
        f'{module}.py': _handlers(choices),
        f'test_{module}.py': _test(choices, module, spec),
        'README.md': _readme(choices, module, spec),
    }
    if choices.sockets:
        page = (Path(__file__).parent / 'skeleton.html').read_text(encoding='utf-8')
        files['index.html'] = page.replace('{title}', _html(choices.name))
    return files


# ---------------------------------------------------------------- the spec


def _spec(choices: Choices, module: str) -> str:
    data: dict[str, object] = {
        'rbconfig': 1,
        'meta': {
            'title': choices.name,
            'version': '0.1',
            'description': f'{choices.name}, made by `rbconfig new`.',
        },
    }
    comments: Comments = {
        ('rbconfig',): [
            f'{choices.name}. Run it:  rbconfig run {spec_file(choices)}',
            'Check it:  rbconfig validate .   Test it:  python -m pytest',
        ]
    }
    paths: dict[str, object] = {}
    if choices.sockets:
        paths['home'] = {
            'description': 'The page: it talks to the server over Socket.IO.',
            'method': 'GET',
            'url': '/',
            'use': 'file:index.html',
        }
    elif choices.http:
        paths['home'] = {
            'description': 'What this service offers.',
            'method': 'GET',
            'url': '/',
            'use': f'python:{module}.home',
        }
    if choices.http:
        paths['hello'] = {
            'description': 'Says hello to {name}.',
            'method': 'GET',
            'url': '/hello/{name}',
            'use': f'python:{module}.hello',
        }
        paths['echo'] = {
            'description': 'Sends back the JSON object it is given.',
            'method': 'POST',
            'url': '/echo',
            'use': f'python:{module}.echo',
            'request': {
                'body': {
                    'description': 'Any JSON object.',
                    'schema': {'type': 'object'},
                    'example': {'text': 'hi'},
                }
            },
        }
        comments[('paths', 'hello')] = [
            'A json-style handler: hello(name) gets the {name} placeholder, its dict answers JSON.'
        ]
        comments[('paths', 'echo')] = [
            'The body is checked against the schema first: 400 if not JSON, 422 if not an object.'
        ]
    data['paths'] = paths
    if choices.sockets:
        data['sockets'] = {
            '/': {
                'description': 'Everyone on the page: what one says, all see.',
                'events': {
                    'connect': f'python:{module}.connect',
                    'say': {
                        'description': 'Say something to everyone.',
                        'use': f'python:{module}.say',
                        'example': 'hello',
                    },
                },
                'emits': {
                    'said': {
                        'description': 'Someone said something.',
                        'example': {'who': 'a1b2', 'text': 'hello'},
                    }
                },
            }
        }
        comments[('sockets',)] = [
            'Socket.IO events: handler(ctx, data); what it returns acknowledges.'
        ]
    return dumps(parse_spec(data), choices.format, comments)


def spec_file(choices: Choices) -> str:
    """The spec's file name (``todo_list.yaml``)."""
    return f'{module_name(choices.name)}.{choices.format}'


# ---------------------------------------------------------------- the code


def _handlers(choices: Choices) -> str:
    parts = [
        f'"""The code behind the {_docstring(choices.name)} spec."""\n\n'
        'from __future__ import annotations\n\nfrom typing import Any\n'
    ]
    if choices.http and not choices.sockets:
        parts.append(_HOME)
    if choices.http:
        parts.append(_HTTP)
    if choices.sockets:
        parts.append(_SOCKETS)
    return '\n\n'.join(parts)


_HOME = '''\
def home() -> dict[str, str]:
    """GET /: where to go from here."""
    return {'hello': '/hello/world', 'docs': '/__doc__', 'openapi': '/__openapi__.json'}
'''

_HTTP = '''\
def hello(name: str) -> dict[str, str]:
    """GET /hello/{name}: a greeting, as JSON."""
    return {'message': f'Hello, {name}!'}


def echo(body: dict[str, Any]) -> dict[str, Any]:
    """POST /echo: the JSON object sent (checked against the spec's schema first)."""
    return body
'''

_SOCKETS = '''\
def connect(ctx: Any) -> None:
    """A page connected: greet it."""
    ctx.emit('said', {'who': 'server', 'text': f'welcome, {ctx.sid[:4]}'})


def say(ctx: Any, data: Any) -> dict[str, bool]:
    """Someone said something: everyone (the sender too) gets it; the sender's callback gets ok."""
    text = str(data)[:500]
    ctx.broadcast('said', {'who': ctx.sid[:4], 'text': text}, include_self=True)
    return {'ok': True}
'''


def _test(choices: Choices, module: str, spec_file: str) -> str:
    title = _docstring(choices.name)
    lines = [
        f'"""Tests of {title}: the app built from the spec, called in-process."""',
        '',
        'from pathlib import Path',
        '',
        'import pytest',
        'from falcon import testing',
        '',
        'from rbconfig.wsgi import app_factory',
        '',
        f"SPEC = Path(__file__).resolve().parent / '{spec_file}'",
        '',
        '',
        "@pytest.fixture(scope='module')",
        'def client() -> testing.TestClient:',
        '    return testing.TestClient(app_factory(SPEC))',
        '',
        '',
        'def test_home(client: testing.TestClient) -> None:',
        "    answer = client.simulate_get('/')",
        '    assert answer.status_code == 200',
    ]
    if choices.sockets:
        lines += [f'    assert {_html(choices.name)!r} in answer.text']
    else:
        lines += ["    assert answer.json['hello'] == '/hello/world'"]
    if choices.http:
        lines += [
            '',
            '',
            'def test_hello(client: testing.TestClient) -> None:',
            "    answer = client.simulate_get('/hello/world')",
            "    assert answer.json == {'message': 'Hello, world!'}",
            '',
            '',
            'def test_echo_checks_the_body(client: testing.TestClient) -> None:',
            "    assert client.simulate_post('/echo', json={'a': 1}).json == {'a': 1}",
            "    assert client.simulate_post('/echo', json=[1]).status_code == 422",
        ]
    if choices.sockets:
        lines += [
            '',
            '',
            'def test_socketio_answers(client: testing.TestClient) -> None:',
            "    params = {'EIO': '4', 'transport': 'polling'}",
            "    answer = client.simulate_get('/socket.io/', params=params)",
            '    assert answer.status_code == 200',
            "    assert answer.text.startswith('0{')  # the Engine.IO handshake",
        ]
    return '\n'.join(lines) + '\n'


def _readme(choices: Choices, module: str, spec_file: str) -> str:
    files = [
        f'| `{spec_file}` | the spec: {"paths and sockets" if choices.sockets else "paths"} |',
        f'| `{module}.py` | the Python behind it |',
    ]
    if choices.sockets:
        files.append('| `index.html` | the page, talking to the server over Socket.IO |')
    files.append(f'| `test_{module}.py` | its tests |')
    commands = [(f'rbconfig run {spec_file}', 'then open http://127.0.0.1:8000/')]
    if choices.http:
        commands.append(('curl http://127.0.0.1:8000/hello/world', 'a JSON greeting'))
    commands += [
        ('rbconfig validate .', 'what run would refuse, found without running it'),
        ('python -m pytest', 'the tests'),
    ]
    width = max(len(command) for command, _ in commands) + 2
    shell = '\n'.join(f'{command.ljust(width)}# {why}' for command, why in commands)
    return (
        f'# {choices.name}\n\n'
        f'Made by `rbconfig new`. In this folder:\n\n```sh\n{shell}\n```\n\n'
        '| file | what |\n|---|---|\n' + '\n'.join(files) + '\n\n'
        'The documentation page is at `/__doc__`, the OpenAPI document at `/__openapi__.json`.\n'
    )


def _docstring(text: str) -> str:
    """``text`` inside a ``\"\"\"`` string: a quote or backslash in the name must not end it."""
    return text.replace('\\', '\\\\').replace('"', '\\"')


def _html(text: str) -> str:
    return text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
