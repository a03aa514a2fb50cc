"""apps/rooms: the modern-handler example, with real Node clients."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.peers import Peers
from tests.helpers.server import ROOT, Server, eventually, start_server

SPEC = ROOT / 'apps' / 'rooms' / 'rooms.yaml'


@pytest.fixture(scope='module')
def server() -> Iterator[Server]:
    with start_server(SPEC) as running:
        yield running


@pytest.mark.parametrize('transport', ['websocket', 'polling'])
def test_rooms_events_and_acks(server: Server, transport: str) -> None:
    room = f'lobby-{transport}'
    with Peers(server.url) as peers:
        peers.connect('ann', transport, auth={'name': 'ann'})
        peers.connect('bob', transport, auth={'name': 'bob'})
        peers.connect('cid', transport)

        peers.emit('ann', 'join', room, ack='j')
        assert peers.expect(id='ann', type='ack')['args'] == [{'room': room, 'members': ['ann']}]
        peers.emit('bob', 'join', room, ack='j')
        assert peers.expect(id='bob', type='ack')['args'] == [
            {'room': room, 'members': ['ann', 'bob']}
        ]
        assert peers.expect(id='ann', event='joined')['args'] == [{'room': room, 'name': 'bob'}]

        peers.emit('bob', 'say', room, ' hello ', ack='s')
        assert peers.expect(id='bob', type='ack')['args'] == [{'ok': True}]
        said = {'room': room, 'name': 'bob', 'text': 'hello'}
        assert peers.expect(id='ann', event='said')['args'] == [said]
        assert peers.expect(id='bob', event='said')['args'] == [said]

        # Not in the room: refused in the ack, and hears nothing.
        peers.emit('cid', 'say', room, 'let me in', ack='s')
        reply = peers.expect(id='cid', type='ack')['args'][0]
        assert reply == {'error': f"join '{room}' first"}
        peers.emit('cid', 'rooms', ack='r')
        assert peers.expect(id='cid', type='ack')['args'][0][room] == 2
        assert peers.events(id='cid', event='said') == []
        assert peers.events(id='cid', event='joined') == []

        peers.emit('ann', 'leave', room, ack='l')
        assert peers.expect(id='ann', type='ack')['args'] == [{'rooms': []}]
        assert peers.expect(id='bob', event='left')['args'] == [{'room': room, 'name': 'ann'}]

        peers.disconnect('bob')
        peers.expect(id='bob', type='disconnect')

        # The client's disconnect event does not wait for the server (over polling, the
        # close packet is a request of its own): ask until the server has dropped bob.
        def bob_gone() -> bool:
            peers.emit('cid', 'rooms', ack='r2')
            return room not in peers.expect(id='cid', type='ack')['args'][0]

        eventually(bob_gone, f'the server to drop bob from {room}')


def test_a_guest_gets_a_name_and_bad_input_gets_an_answer(server: Server) -> None:
    with Peers(server.url) as peers:
        peers.connect('x', auth={'name': 42})
        peers.emit('x', 'join', '   ', ack='j')
        assert peers.expect(id='x', type='ack')['args'] == [{'error': 'a room needs a name'}]
        peers.emit('x', 'join', 'solo', ack='j2')
        members = peers.expect(id='x', type='ack')['args'][0]['members']
        assert len(members) == 1 and members[0].startswith('guest-')
        peers.emit('x', 'say', 'solo', '', ack='s')
        assert peers.expect(id='x', type='ack')['args'] == [{'error': 'nothing to say'}]
