"""AsyncAPI 3.0 for the sockets, checked against the official schema (npm @asyncapi/specs)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from falcon import testing

from rbconfig.converters import load
from rbconfig.errors import Problem
from rbconfig.export.asyncapi import asyncapi_document
from rbconfig.schema import parse_spec
from rbconfig.wsgi import wsgi_app
from tests.helpers import ROOT, app_specs, child_env
from tests.helpers.asyncapi import asyncapi_problems

from .runtime_support import make_document

APP_SPECS = app_specs()

SPEC: dict[str, Any] = {
    'rbconfig': 1,
    'meta': {'title': 'Rooms', 'version': '2', 'description': 'People *talking*.'},
    'socketio': {'path': '/live'},
    'sockets': {
        '/': {
            'description': 'The lobby.\n\nEveryone starts here.',
            'events': {
                'connect': {'use': 'python:rooms.connect',
                            'schema': {'type': 'object', 'required': ['token']}},
                'chat': {
                    'use': 'python:rooms.chat',
                    'description': 'Say something.',
                    'schema': {'type': 'string', 'maxLength': 200},
                    'example': 'hello',
                    'x-rate': 5,
                },
                'user:typing now': 'python:rooms.typing',
            },
            'emits': {
                'chat': {'description': 'Someone said something.',
                         'schema': {'type': 'object', 'required': ['who', 'text']},
                         'example': {'who': 'ann', 'text': 'hello'}},
                'tick': {},
            },
        },
        '/legacy/old': {'use': 'python:rooms.legacy', 'x-owner': 'web'},
    },
}  # fmt: skip


@pytest.fixture(scope='module')
def document() -> dict[str, Any]:
    found = asyncapi_document(parse_spec(SPEC))
    assert asyncapi_problems(found) == []
    return found


def test_info_and_the_two_transports(document: dict[str, Any]) -> None:
    assert document['asyncapi'] == '3.0.0'
    assert document['info'] == {
        'title': 'Rooms',
        'version': '2',
        'description': 'People *talking*.',
    }
    servers = document['servers']
    assert list(servers) == ['websocket', 'polling']
    assert [(s['protocol'], s['pathname'], s['host']) for s in servers.values()] == [
        ('ws', '/live/', '{host}'),
        ('http', '/live/', '{host}'),
    ]
    assert 'transport=websocket' in servers['websocket']['description']
    assert 'transport=polling' in servers['polling']['description']


def test_namespaces_are_channels(document: dict[str, Any]) -> None:
    channels = document['channels']
    assert {key: channel['address'] for key, channel in channels.items()} == {
        'root': '/',
        'legacy-old': '/legacy/old',
    }
    assert channels['root']['description'] == 'The lobby.\n\nEveryone starts here.'
    assert channels['legacy-old']['x-owner'] == 'web'


def test_events_are_messages_received_and_sent(document: dict[str, Any]) -> None:
    messages = document['channels']['root']['messages']
    # The same event both ways gets two messages; odd names keep their name.
    assert {key: message['name'] for key, message in messages.items()} == {
        'connect': 'connect',
        'chat': 'chat',
        'user-typing-now': 'user:typing now',
        'chat-sent': 'chat',
        'tick': 'tick',
    }
    assert messages['chat'] == {
        'name': 'chat',
        'title': 'chat',
        'summary': 'Say something.',
        'payload': {'type': 'string', 'maxLength': 200},
        'examples': [{'payload': 'hello'}],
        'x-rate': 5,
    }
    assert messages['chat-sent']['payload'] == {'type': 'object', 'required': ['who', 'text']}
    operations = document['operations']
    assert {key: (op['action'], op['messages'][0]['$ref']) for key, op in operations.items()} == {
        'receive-root-connect': ('receive', '#/channels/root/messages/connect'),
        'receive-root-chat': ('receive', '#/channels/root/messages/chat'),
        'receive-root-user-typing-now': ('receive', '#/channels/root/messages/user-typing-now'),
        'send-root-chat-sent': ('send', '#/channels/root/messages/chat-sent'),
        'send-root-tick': ('send', '#/channels/root/messages/tick'),
        'receive-legacy-old-message': ('receive', '#/channels/legacy-old/messages/message'),
        'send-legacy-old-message-sent': ('send', '#/channels/legacy-old/messages/message-sent'),
    }
    assert operations['receive-root-chat']['x-rbconfig-use'] == 'python:rooms.chat'
    assert 'auth object' in operations['receive-root-connect']['summary']
    assert 'x-rbconfig-use' not in operations['send-root-tick']
    legacy = operations['receive-legacy-old-message']
    assert legacy['x-rbconfig-use'] == 'python:rooms.legacy'
    assert 'request.socketio.recv()' in legacy['description']


def test_models_go_to_components_and_missing_ones_are_warnings(tmp_path: Path) -> None:
    spec = {
        'sockets': {
            '/': {
                'events': {'draw': {'use': 'python:shapes.draw', 'schema': 'python:shapes.Line'}},
                'emits': {'drawn': {'schema': 'python:shapes.Line'},
                          'gone': {'schema': 'python:shapes.Nothing'}},
            }
        }
    }  # fmt: skip
    shapes = (
        'from pydantic import BaseModel\n\n'
        'class Point(BaseModel):\n    x: int\n    y: int\n\n'
        'class Line(BaseModel):\n    start: Point\n    end: Point\n\n'
        'def draw(ctx, data):\n    pass\n'
    )
    document = make_document(tmp_path, spec, {'shapes.py': shapes})
    warnings: list[Problem] = []
    found = asyncapi_document(document, warnings=warnings)
    assert asyncapi_problems(found) == []
    messages = found['channels']['root']['messages']
    assert messages['draw']['payload']['properties']['start'] == {
        '$ref': '#/components/schemas/Point'
    }
    assert found['components']['schemas']['Point']['required'] == ['x', 'y']
    assert messages['gone']['payload'] == {'x-rbconfig-schema': 'python:shapes.Nothing'}
    assert [(w.where, w.severity) for w in warnings] == [('sockets./.emits.gone.schema', 'warning')]


def test_a_spec_without_sockets_has_no_channels() -> None:
    found = asyncapi_document(parse_spec({'rbconfig': 1, 'paths': {'p': {'url': '/p'}}}))
    assert asyncapi_problems(found) == []
    assert (found['channels'], found['operations'], 'servers' in found) == ({}, {}, False)


def test_the_checker_sees_a_bad_document(document: dict[str, Any]) -> None:
    # What the checks above rely on can fail: the schema, dangling refs, foreign messages.
    bad = json.loads(json.dumps(document))
    bad['operations']['receive-root-chat']['action'] = 'emit'
    bad['operations']['send-root-tick']['messages'] = [
        {'$ref': '#/channels/legacy-old/messages/message'}
    ]
    bad['operations']['send-root-chat-sent']['channel'] = {'$ref': '#/channels/nowhere'}
    problems = asyncapi_problems(bad)
    assert any(p.startswith('operations/receive-root-chat') for p in problems)
    assert '#/channels/nowhere: points nowhere' in problems
    assert any('is not of #/channels/root' in p for p in problems)


@pytest.mark.parametrize('spec', APP_SPECS, ids=[str(p.relative_to(ROOT)) for p in APP_SPECS])
def test_every_example_app_gives_valid_asyncapi(spec: Path) -> None:
    document = load(spec)
    found = asyncapi_document(document)
    assert asyncapi_problems(found) == []
    assert list(found['channels']) == [
        ('root' if ns == '/' else ns.strip('/').replace('/', '-')) for ns in document.spec.sockets
    ]


def test_the_served_document_describes_the_served_sockets() -> None:
    """``/__asyncapi__.json`` of apps/rooms, and the server at the documented address."""
    client = testing.TestClient(wsgi_app(load(ROOT / 'apps' / 'rooms' / 'rooms.yaml')))
    answer = client.simulate_get('/__asyncapi__.json')
    assert answer.status_code == 200 and answer.headers['content-type'] == 'application/json'
    found = answer.json
    assert asyncapi_problems(found) == []
    assert 'href="/__asyncapi__.json"' in client.simulate_get('/__doc__').text
    polling = found['servers']['polling']['pathname']
    handshake = client.simulate_get(polling, query_string='EIO=4&transport=polling')
    assert handshake.status_code == 200
    opened = json.loads(handshake.text[1:])
    assert opened['upgrades'] == ['websocket']  # the other documented transport
    sid = opened['sid']
    address = found['channels']['root']['address']
    connect = f'40{address},' if address != '/' else '40'
    sent = client.simulate_post(
        polling, query_string=f'EIO=4&transport=polling&sid={sid}', body=connect
    )
    assert sent.status_code == 200
    acked = client.simulate_get(polling, query_string=f'EIO=4&transport=polling&sid={sid}')
    assert acked.text.startswith('40{"sid":')


def test_no_asyncapi_without_sockets_and_it_lives_under_the_root(tmp_path: Path) -> None:
    hello = testing.TestClient(wsgi_app(load(ROOT / 'apps' / 'hello' / 'hello.yaml')))
    assert hello.simulate_get('/__asyncapi__.json').status_code == 404
    assert '__asyncapi__' not in hello.simulate_get('/__doc__').text
    spec = {'root': '/api', 'sockets': {'/': {'events': {'ping': 'python:pinger.ping'}}}}
    document = make_document(tmp_path, spec, {'pinger.py': 'def ping(ctx, data):\n    pass\n'})
    rooted = testing.TestClient(wsgi_app(document))
    assert rooted.simulate_get('/api/__asyncapi__.json').json['channels']['root']['address'] == '/'


def test_the_asyncapi_command(tmp_path: Path) -> None:
    out = tmp_path / 'asyncapi.json'
    spec = ROOT / 'apps' / 'chat' / 'chat.yaml'
    command = [sys.executable, '-m', 'rbconfig.cli', 'asyncapi', str(spec)]
    printed = subprocess.run(command, capture_output=True, text=True, env=child_env(), timeout=60)
    assert printed.returncode == 0, printed.stderr
    assert asyncapi_problems(json.loads(printed.stdout)) == []
    written = subprocess.run(
        [*command, '-o', str(out)], capture_output=True, env=child_env(), timeout=60
    )
    assert written.returncode == 0
    assert json.loads(out.read_text()) == json.loads(printed.stdout)
    bad = tmp_path / 'bad.yaml'
    bad.write_text('rbconfig: 1\nsockets:\n  /:\n    events: {x: 42}\n')
    failed = subprocess.run(
        [sys.executable, '-m', 'rbconfig.cli', 'asyncapi', str(bad)],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=60,
    )
    assert failed.returncode == 1 and failed.stdout == ''
    assert f'{bad}:4:' in failed.stderr and 'Traceback' not in failed.stderr


def test_asyncapi_does_not_import_the_server_stack(tmp_path: Path) -> None:
    spec = ROOT / 'apps' / 'rooms' / 'rooms.yaml'
    code = (
        'import sys\n'
        'from rbconfig.cli import main\n'
        f'main(["asyncapi", {str(spec)!r}, "-o", {str(tmp_path / "a.json")!r}])\n'
        'stack = ("falcon", "gevent", "socketio", "engineio")\n'
        'print(sorted(m for m in stack if m in sys.modules))\n'
    )
    result = subprocess.run(
        [sys.executable, '-c', code], capture_output=True, text=True, env=child_env(), timeout=60
    )
    assert result.stdout.strip() == '[]', result.stderr
