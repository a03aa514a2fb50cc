"""Modern socket handlers, driven by the official Node socket.io-client v4.

Every scenario runs over WebSocket and over long-polling.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.peers import Peers
from tests.helpers.server import Server, start_server

SPECS = Path(__file__).resolve().parent / 'socket_specs'

TRANSPORTS = ['websocket', 'polling']


@pytest.fixture(scope='module')
def server() -> Iterator[Server]:
    with start_server(SPECS / 'events.yaml', '--debug') as running:
        yield running


@pytest.fixture
def peers(server: Server) -> Iterator[Peers]:
    with Peers(server.url) as running:
        yield running


@pytest.mark.parametrize('transport', TRANSPORTS)
def test_connect_reports_the_transport_and_sid(peers: Peers, transport: str) -> None:
    event = peers.connect('a', transport)
    assert event['transport'] == transport
    peers.emit('a', 'whoami', ack='me')
    reply = peers.expect(id='a', type='ack')['args'][0]
    assert reply == {'sid': event['sid'], 'name': event['sid'], 'greeting': 'hello'}


@pytest.mark.parametrize('transport', TRANSPORTS)
def test_broadcast_reaches_the_others_not_the_sender(peers: Peers, transport: str) -> None:
    peers.connect('a', transport, auth={'name': 'ann'})
    peers.connect('b', transport, auth={'name': 'bob'})
    peers.connect('c', transport, auth={'name': 'cid'})
    assert peers.expect(id='a', event='joined')['args'] == ['bob']
    peers.emit('b', 'chat', 'hi all', ack='t1')
    assert peers.expect(id='b', type='ack')['args'] == ['ok']
    for other in ('a', 'c'):
        got = peers.expect(id=other, event='chat')
        assert got['args'] == [{'from': 'bob', 'text': 'hi all'}]
    peers.emit('c', 'whoami', ack='sync')  # a round trip after the broadcast
    peers.expect(id='c', type='ack')
    assert peers.events(id='b', event='chat') == []


@pytest.mark.parametrize('transport', TRANSPORTS)
def test_disconnect_is_announced(peers: Peers, transport: str) -> None:
    peers.connect('a', transport, auth={'name': 'ann'})
    peers.connect('b', transport, auth={'name': 'bob'})
    peers.disconnect('b')
    assert peers.expect(id='b', type='disconnect')['reason'] == 'io client disconnect'
    assert peers.expect(id='a', event='left')['args'] == ['bob']


@pytest.mark.parametrize('transport', TRANSPORTS)
def test_acks_carry_the_return_value(peers: Peers, transport: str) -> None:
    peers.connect('a', transport)
    peers.emit('a', 'pair', 1, {'x': [2, 3]}, ack='pair')
    assert peers.expect(id='a', type='ack')['args'] == [[1, {'x': [2, 3]}]]
    # A tuple is several acknowledgement arguments; *args takes everything sent.
    peers.emit('a', 'many', 'x', 'y', 'z', ack='many')
    assert peers.expect(id='a', type='ack')['args'] == [3, ['x', 'y', 'z']]
    # Missing arguments are None, extra ones dropped.
    peers.emit('a', 'pair', 'only', ack='short')
    assert peers.expect(id='a', type='ack')['args'] == [['only', None]]
    peers.emit('a', 'pair', 1, 2, 3, ack='long')
    assert peers.expect(id='a', type='ack')['args'] == [[1, 2]]
    # A handler returning nothing still acknowledges, with no argument.
    peers.emit('a', 'echo', 'e', ack='none')
    assert peers.expect(id='a', event='echo')['args'] == ['e']
    assert peers.expect(id='a', type='ack')['args'] == []


@pytest.mark.parametrize('transport', TRANSPORTS)
def test_rooms(peers: Peers, transport: str) -> None:
    for name in ('a', 'b', 'c'):
        peers.connect(name, transport)
    peers.emit('a', 'join', 'blue', ack='j')
    assert peers.expect(id='a', type='ack')['args'] == [['blue']]
    peers.emit('b', 'join', 'blue', ack='j')
    peers.expect(id='b', type='ack')
    peers.emit('b', 'join', 'red', ack='j2')
    assert peers.expect(id='b', type='ack')['args'] == [['blue', 'red']]
    peers.emit('c', 'to_room', 'blue', 'to blue')
    assert peers.expect(id='a', event='room')['args'] == [{'room': 'blue', 'text': 'to blue'}]
    assert peers.expect(id='b', event='room')['args'] == [{'room': 'blue', 'text': 'to blue'}]
    peers.emit('b', 'leave', 'blue', ack='l')
    assert peers.expect(id='b', type='ack')['args'] == [['red']]
    peers.emit('c', 'to_room', 'blue', 'again')
    assert peers.expect(id='a', event='room')['args'] == [{'room': 'blue', 'text': 'again'}]
    peers.emit('c', 'whoami', ack='sync')
    peers.expect(id='c', type='ack')
    assert len(peers.events(id='b', event='room')) == 1
    assert peers.events(id='c', event='room') == []


def test_emit_to_another_client(peers: Peers) -> None:
    peers.connect('a')
    target = peers.connect('b', 'polling')['sid']
    peers.emit('a', 'kick', target)
    kicked = peers.expect(id='b', event='kicked')
    assert kicked['args'] == [peers.events(id='a', type='connect')[0]['sid']]


def test_session_is_per_connection(peers: Peers) -> None:
    peers.connect('a', auth={'name': 'ann'})
    peers.connect('b', auth={'name': 'bob'})
    peers.emit('a', 'whoami', ack='a')
    peers.emit('b', 'whoami', ack='b')
    assert peers.expect(id='a', type='ack')['args'][0]['name'] == 'ann'
    assert peers.expect(id='b', type='ack')['args'][0]['name'] == 'bob'


@pytest.mark.parametrize('transport', TRANSPORTS)
def test_connect_handler_can_refuse(peers: Peers, transport: str) -> None:
    peers.command(op='connect', id='x', transport=transport, namespace='/admin')
    refused = peers.expect(id='x', where=lambda e: e['type'] in ('connect', 'connect_error'))
    assert refused['type'] == 'connect_error'
    event = peers.connect('y', transport, namespace='/admin', auth={'token': 'secret'})
    assert event['type'] == 'connect'
    peers.emit('y', 'ping', ack='p')
    assert peers.expect(id='y', type='ack')['args'] == [['pong', '/admin', True]]


def test_a_failing_handler_ends_only_that_connection(server: Server, peers: Peers) -> None:
    peers.connect('a', auth={'name': 'ann'})
    peers.connect('b', 'polling', auth={'name': 'bob'})
    peers.emit('b', 'fail', 'boom', ack='f')
    assert peers.expect(id='b', type='disconnect')['reason'] == 'io server disconnect'
    assert peers.expect(id='a', event='left')['args'] == ['bob']
    peers.emit('a', 'chat', 'still here', ack='c')
    assert peers.expect(id='a', type='ack')['args'] == ['ok']
    output = server.wait_for_output('handler failed on purpose')
    assert 'events_handlers.fail' in output
    assert peers.events(id='b', type='ack') == []


def test_a_slow_handler_does_not_hold_up_others(peers: Peers) -> None:
    peers.connect('a')
    peers.connect('b')
    peers.emit('a', 'slow', 2, ack='slow')
    peers.emit('b', 'pair', 1, 2, ack='fast')
    peers.expect(id='b', type='ack', timeout=1.5)
    assert peers.events(id='a', type='ack') == []
    assert peers.expect(id='a', type='ack', timeout=5)['args'] == ['slept']


def test_an_http_handler_broadcasts_through_environ_socketio(server: Server, peers: Peers) -> None:
    peers.connect('a')
    peers.connect('b', 'polling')
    request = urllib.request.Request(server.url + '/announce', data=b'news', method='POST')
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.read() == b'sent'
    for name in ('a', 'b'):
        assert peers.expect(id=name, event='message')['args'] == [{'announce': 'news'}]


@pytest.mark.parametrize('transport', TRANSPORTS)
def test_refusals_reach_the_client(server: Server, peers: Peers, transport: str) -> None:
    peers.command(op='connect', id='s', transport=transport, namespace='/strict')
    refused = peers.expect(id='s', where=lambda e: e['type'] in ('connect', 'connect_error'))
    assert refused == {'id': 's', 'type': 'connect_error', 'message': 'no entry'}
    peers.command(op='connect', id='b', transport=transport, namespace='/broken')
    broken = peers.expect(id='b', where=lambda e: e['type'] in ('connect', 'connect_error'))
    assert broken == {'id': 'b', 'type': 'connect_error', 'message': 'server error'}
    assert 'connect handler broke on purpose' in server.wait_for_output('broke on purpose')


def test_send_and_server_side_disconnect(peers: Peers) -> None:
    peers.connect('a')
    peers.emit('a', 'whisper', 'psst')
    assert peers.expect(id='a', event='message')['args'] == [{'whisper': 'psst'}]
    peers.emit('a', 'bye')
    assert peers.expect(id='a', type='disconnect')['reason'] == 'io server disconnect'


@pytest.mark.parametrize('transport', TRANSPORTS)
def test_socket_send_reaches_the_message_handler(peers: Peers, transport: str) -> None:
    peers.connect('a', transport, auth={'name': 'ann'})
    peers.connect('b', transport, auth={'name': 'bob'})
    peers.command(op='send', id='a', args=[{'x': 1}], ack='sent')
    assert peers.expect(id='a', type='ack')['args'] == ['got it']
    assert peers.expect(id='b', event='message')['args'] == [{'from': 'ann', 'data': {'x': 1}}]
    assert peers.events(id='a', event='message') == []
