"""RedBarrel's 2011 socket handlers, unchanged, against today's socket.io-client v4."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.peers import Peers, socket_stats, wait_for_stats
from tests.helpers.server import Server, start_server

SPECS = Path(__file__).resolve().parent / 'socket_specs'

TRANSPORTS = ['websocket', 'polling']


def _expect_json(peers: Peers, id: str, payload: dict) -> None:
    """Wait until ``id`` gets a ``message`` event whose JSON text is ``payload``."""
    peers.expect(id=id, event='message', where=lambda e: json.loads(e['args'][0]) == payload)


@pytest.mark.parametrize('spec', ['chat2011.yaml', 'chat2011.rbr'])
@pytest.mark.parametrize('transport', TRANSPORTS)
def test_the_2011_chat(spec: str, transport: str) -> None:
    with start_server(SPECS / spec, '--debug') as server, Peers(server.url) as peers:
        ann = peers.connect('ann', transport)['sid']
        assert peers.json_message('ann', 'buffer') == {'buffer': []}

        bob = peers.connect('bob', transport)['sid']
        assert peers.json_message('ann', 'announcement') == {'announcement': f'{bob} connected'}
        assert peers.json_message('bob', 'buffer') == {'buffer': []}

        peers.send('ann', 'hello bob')
        assert peers.json_message('bob', 'message') == {'message': [ann, 'hello bob']}
        peers.send('bob', 'hi ann')
        assert peers.json_message('ann', 'message') == {'message': [bob, 'hi ann']}

        # A newcomer gets the buffer of what was said.
        cid = peers.connect('cid', transport)['sid']
        _expect_json(peers, 'ann', {'announcement': f'{cid} connected'})
        _expect_json(peers, 'bob', {'announcement': f'{cid} connected'})
        assert peers.json_message('cid', 'buffer') == {
            'buffer': [{'message': [ann, 'hello bob']}, {'message': [bob, 'hi ann']}]
        }
        # Nobody hears their own messages, nor their own arrival.
        for name, sid, said in (('ann', ann, 'hello bob'), ('bob', bob, 'hi ann')):
            heard = [json.loads(e['args'][0]) for e in peers.events(id=name, event='message')]
            assert {'message': [sid, said]} not in heard
            assert {'announcement': f'{sid} connected'} not in heard

        peers.disconnect('bob')
        _expect_json(peers, 'ann', {'announcement': f'{bob} disconnected'})
        _expect_json(peers, 'cid', {'announcement': f'{bob} disconnected'})
        # The handler loops forever in the post; its greenlet still ends, cleanly.
        stats = wait_for_stats(
            server.url, lambda s: s['legacy_running'] == 2 and s['legacy_sockets'] == 2
        )
        assert stats['contexts'] == 2
        assert 'Traceback' not in server.output()
        assert 'still ran' not in server.output()


@pytest.fixture(scope='module')
def legacy_server() -> Iterator[Server]:
    with start_server(SPECS / 'legacy.yaml', '--debug') as running:
        yield running


@pytest.mark.parametrize('transport', TRANSPORTS)
def test_environ_socketio_send_recv_broadcast(legacy_server: Server, transport: str) -> None:
    with Peers(legacy_server.url) as peers:
        sid = peers.connect('a', transport)['sid']
        hello = peers.expect(id='a', event='message')['args'][0]
        assert hello == {
            'hello': sid,
            'transport': transport,
            'first': True,
            'again': False,
            'title': 'legacy',
        }
        peers.connect('b', transport)
        peers.expect(id='b', event='message')
        peers.send('a', {'n': 1})
        assert peers.expect(id='a', event='message')['args'] == [{'echo': {'n': 1}}]
        assert peers.expect(id='b', event='message')['args'] == [{'from': sid, 'said': {'n': 1}}]
        peers.send('a', [1, 2, 3])
        assert peers.expect(id='a', event='message')['args'] == [{'echo': [1, 2, 3]}]
        # socket.send('x', 'y') is one message with two arguments: recv() returns both.
        peers.send('a', 'x', 'y')
        assert peers.expect(id='a', event='message')['args'] == [{'echo': 'x'}]
        assert peers.expect(id='a', event='message')['args'] == [{'echo': 'y'}]


@pytest.mark.parametrize('spec', ['legacy_environ.rbr', 'legacy_socket.rbr'])
def test_the_other_rbr_socket_forms(spec: str) -> None:
    with start_server(SPECS / spec) as server, Peers(server.url) as peers:
        sid = peers.connect('a', 'polling')['sid']
        assert peers.expect(id='a', event='message')['args'][0]['hello'] == sid
        peers.send('a', 'ping')
        assert peers.expect(id='a', event='message')['args'] == [{'echo': 'ping'}]


def test_a_failing_legacy_handler_closes_only_its_client(legacy_server: Server) -> None:
    with Peers(legacy_server.url) as peers:
        peers.connect('ok')
        peers.expect(id='ok', event='message')
        peers.connect('bad', namespace='/crash')
        assert peers.expect(id='bad', event='message')['args'] == ['ready']
        peers.send('bad', 'go')
        assert peers.expect(id='bad', type='disconnect')['reason'] == 'io server disconnect'
        legacy_server.wait_for_output('legacy handler failed on purpose')
        peers.send('ok', 'still')
        assert peers.expect(id='ok', event='message')['args'] == [{'echo': 'still'}]


def test_a_handler_that_ignores_the_disconnect_is_stopped(legacy_server: Server) -> None:
    with Peers(legacy_server.url) as peers:
        peers.connect('s', namespace='/stubborn')
        assert peers.expect(id='s', event='message')['args'] == ['here']
        before = socket_stats(legacy_server.url)['legacy_running']
        peers.disconnect('s')
        wait_for_stats(legacy_server.url, lambda s: s['legacy_running'] == before - 1)
        legacy_server.wait_for_output('still ran 2s after the client left; stopped it')


def test_a_handler_that_returns_early_keeps_the_client(legacy_server: Server) -> None:
    with Peers(legacy_server.url) as peers:
        peers.connect('b', namespace='/brief')
        assert peers.expect(id='b', event='message')['args'] == ['bye for now']
        peers.send('b', 'ignored')
        peers.send('b', 'ignored too')
        stats = socket_stats(legacy_server.url)
        assert stats['legacy_sockets'] >= 1
        peers.disconnect('b')
        peers.expect(id='b', type='disconnect')
        wait_for_stats(legacy_server.url, lambda s: s['legacy_sockets'] == 0)
