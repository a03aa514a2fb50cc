"""The Socket.IO hub: pushing to clients from code that is not a socket handler.

Real Node ``socket.io-client`` peers (WebSocket and long-polling) against
``socket_specs/hub.yaml``: a greenlet started by a global at start-up, modern
and RedBarrel HTTP handlers, one client, one room; then gunicorn.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rbconfig.converters import load
from rbconfig.errors import StartupError
from rbconfig.runtime.socket import Hub, create_hub
from rbconfig.runtime.wsgi import create_wsgi_app
from tests.helpers.peers import Peers
from tests.helpers.server import Server, start_server

from .test_socket_gunicorn import gunicorn

SPECS = Path(__file__).resolve().parent / 'socket_specs'
SPEC = SPECS / 'hub.yaml'


@pytest.fixture(scope='module')
def server() -> Iterator[Server]:
    with start_server(SPEC, '--debug') as running:
        yield running


@pytest.fixture
def peers(server: Server) -> Iterator[Peers]:
    with Peers(server.url) as running:
        yield running


def post(url: str, data: Any) -> Any:
    """POST ``data`` as JSON; the decoded JSON answer (or the text)."""
    request = urllib.request.Request(
        url,
        data=json.dumps(data).encode(),
        headers={'Content-Type': 'application/json'},
        method='POST',
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read().decode()
    try:
        return json.loads(body)
    except ValueError:
        return body


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def ticks(peers: Peers, id: str, count: int) -> list[int]:
    """The next ``count`` ticks client ``id`` receives."""
    return [peers.expect(id=id, event='tick')['args'][0] for _ in range(count)]


def test_a_greenlet_started_at_startup_reaches_every_client(peers: Peers) -> None:
    peers.connect('ws', 'websocket')
    peers.connect('poll', 'polling')
    seen = {name: ticks(peers, name, 4) for name in ('ws', 'poll')}
    for name, numbers in seen.items():
        # One greenlet, one counter: consecutive numbers, every one of them.
        assert numbers == list(range(numbers[0], numbers[0] + 4)), (name, numbers)
    # Both clients get the same pushes: the later starter's first tick reached the other too.
    later = max(seen['ws'][0], seen['poll'][0])
    assert later in seen['ws'] and later in seen['poll']


def test_an_http_handler_reaches_every_client_of_the_namespace(
    server: Server, peers: Peers
) -> None:
    peers.connect('a', 'websocket')
    peers.connect('b', 'polling')
    peers.connect('o', 'websocket', namespace='/other')
    assert post(server.url + '/push', {'n': 1}) == {'connected': 2}
    for name in ('a', 'b'):
        assert peers.expect(id=name, event='pushed')['args'] == [{'n': 1}]
    # The other namespace is pushed to on its own; '/' got nothing more.
    assert post(server.url + '/push?namespace=/other', {'n': 2}) == {'connected': 1}
    assert peers.expect(id='o', event='pushed')['args'] == [{'n': 2}]
    assert [e['args'] for e in peers.events(id='o', event='pushed')] == [[{'n': 2}]]
    assert len(peers.events(id='a', event='pushed')) == 1
    assert len(peers.events(id='b', event='pushed')) == 1


def test_an_http_handler_reaches_one_client(server: Server, peers: Peers) -> None:
    peers.connect('a', 'websocket')
    target = peers.connect('b', 'polling')['sid']
    post(server.url + f'/push?to={target}', 'only you')
    assert peers.expect(id='b', event='pushed')['args'] == ['only you']
    post(server.url + '/push', 'everyone')  # arrives after the first, on every client
    assert peers.expect(id='a', event='pushed')['args'] == ['everyone']
    assert peers.expect(id='b', event='pushed')['args'] == ['everyone']
    assert [e['args'] for e in peers.events(id='a', event='pushed')] == [['everyone']]


@pytest.mark.parametrize('transport', ['websocket', 'polling'])
def test_emit_to_a_room_reaches_only_that_room(
    server: Server, peers: Peers, transport: str
) -> None:
    for name, room in (('a', 'blue'), ('b', 'blue'), ('c', 'red'), ('d', None)):
        peers.connect(name, transport)
        if room is not None:
            peers.emit(name, 'join', room, ack='joined')
            assert peers.expect(id=name, type='ack')['args'] == [[room]]
    assert post(server.url + '/push/blue', 'to blue') == {'rooms': {'blue': 2, 'red': 1}}
    for name in ('a', 'b'):
        assert peers.expect(id=name, event='room')['args'] == ['to blue']
    post(server.url + '/push/red', 'to red')
    assert peers.expect(id='c', event='room')['args'] == ['to red']
    post(server.url + '/push', 'to all')  # after both room pushes, on every client
    for name in 'abcd':
        peers.expect(id=name, event='pushed')
    assert [e['args'] for e in peers.events(id='a', event='room')] == [['to blue']]
    assert [e['args'] for e in peers.events(id='b', event='room')] == [['to blue']]
    assert [e['args'] for e in peers.events(id='c', event='room')] == [['to red']]
    assert peers.events(id='d', event='room') == []


@pytest.mark.parametrize('transport', ['websocket', 'polling'])
def test_legacy_environ_socketio_server_broadcast(
    server: Server, peers: Peers, transport: str
) -> None:
    """RedBarrel 2011: ``request.environ['socketio'].server.broadcast(msg)``, unchanged."""
    peers.connect('a', transport)
    peers.connect('b', transport)
    # The legacy server wraps the same hub the modern handlers get.
    assert post(server.url + '/legacy', {'hit': '/r/x'}) == 'same hub'
    for name in ('a', 'b'):
        assert peers.expect(id=name, event='message')['args'] == [{'legacy': {'hit': '/r/x'}}]


def test_one_hub_everywhere_and_its_counts(server: Server, peers: Peers) -> None:
    peers.connect('a')
    peers.emit('a', 'same_hub', ack='same')
    assert peers.expect(id='a', type='ack')['args'] == [True]
    peers.connect('b', 'polling')
    peers.emit('b', 'join', 'green', ack='joined')
    peers.expect(id='b', type='ack')
    peers.connect('o', namespace='/other')
    assert get(server.url + '/counts') == {
        'connected': 2,
        'other': 1,
        'rooms': {'green': 1},
        'ticker_has_this_hub': True,
    }
    peers.disconnect('b')
    peers.expect(id='b', type='disconnect')
    counts: dict[str, Any] = {}
    for _ in range(50):
        counts = get(server.url + '/counts')
        if counts['connected'] == 1:
            break
        peers.expect(id='a', event='tick')  # a short wait: the server sees the close soon
    assert counts == {
        'connected': 1,
        'other': 1,
        'rooms': {},
        'ticker_has_this_hub': True,
    }


def test_hub_refuses_unclear_pushes() -> None:
    hub = create_hub(load(SPEC))
    assert isinstance(hub, Hub)
    assert hub.namespaces == ('/', '/other')
    with pytest.raises(ValueError, match='not both'):
        hub.emit('x', 1, to='sid', room='room')
    with pytest.raises(ValueError, match=r"namespace '/nope' is not in the spec's sockets"):
        hub.emit('x', 1, namespace='/nope')
    with pytest.raises(TypeError, match='event name'):
        hub.emit(b'x', 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match='event name'):
        hub.emit('', 1)
    assert hub.connected() == 0
    assert hub.rooms('/other') == {}
    assert repr(hub) == '<Hub /: 0, /other: 0>'


def test_a_global_asking_for_the_hub_needs_sockets(tmp_path: Path) -> None:
    (tmp_path / 'starter.py').write_text('def start(globs, *, hub):\n    return hub\n')
    (tmp_path / 'spec.yaml').write_text(
        'rbconfig: 1\nglobals:\n  pusher: python:starter.start\n'
        'paths:\n  p: {method: GET, url: /, use: "python:starter.start"}\n'
    )
    with pytest.raises(StartupError) as caught:
        create_wsgi_app(load(tmp_path / 'spec.yaml'))
    message = str(caught.value)
    assert 'spec.yaml:3:' in message
    assert "global 'pusher': python:starter.start takes a 'hub' parameter" in message
    assert 'the spec declares no sockets' in message


def test_a_global_gets_the_hub_of_its_app(tmp_path: Path) -> None:
    (tmp_path / 'starter.py').write_text(
        'def start(globs, hub):\n    return (globs, hub)\n\n'
        'def plain(globs):\n    return 1\n\n'
        'def ping(ctx):\n    return 1\n'
    )
    (tmp_path / 'spec.yaml').write_text(
        'rbconfig: 1\nglobals:\n  first: 1\n  plain: python:starter.plain\n'
        '  pusher: python:starter.start\n'
        'sockets:\n  /:\n    events: {ping: python:starter.ping}\n'
    )
    app = create_wsgi_app(load(tmp_path / 'spec.yaml'))
    globs, hub = app.namespaces.globs['pusher']  # type: ignore[attr-defined]
    assert globs == {'first': 1, 'plain': 1}  # the globals before it, no hub among them
    assert hub is app.hub  # type: ignore[attr-defined]
    assert app.namespaces.legacy_server.hub is hub  # type: ignore[attr-defined]


@pytest.mark.parametrize('transport', ['websocket', 'polling'])
def test_the_hub_under_gunicorn(transport: str) -> None:
    """gunicorn builds the app in its worker: the start-up greenlet and HTTP pushes work."""
    with gunicorn(SPEC) as url, Peers(url) as peers:
        peers.connect('a', transport)
        first, second = ticks(peers, 'a', 2)
        assert second == first + 1
        assert post(url + '/push', 'from gunicorn') == {'connected': 1}
        assert peers.expect(id='a', event='pushed')['args'] == ['from gunicorn']
