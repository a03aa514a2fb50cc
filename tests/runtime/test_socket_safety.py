"""Socket safety: origins, the message size limit, slow clients."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import websocket  # websocket-client, from python-socketio[client]

from tests.helpers.peers import Peers, socket_stats, wait_for_stats
from tests.helpers.server import Server, start_server

SPECS = Path(__file__).resolve().parent / 'socket_specs'

HANDSHAKE = '/socket.io/?EIO=4&transport=polling'


@pytest.fixture(scope='module')
def server() -> Iterator[Server]:
    with start_server(SPECS / 'events.yaml', '--debug') as running:
        yield running


#: Seconds after which a client that stopped reading is dropped (slow_clients.yaml:
#: ping_interval + ping_timeout).
GRACE = 8


@pytest.fixture(scope='module')
def slow_server() -> Iterator[Server]:
    """For clients that stop reading: they are dropped after :data:`GRACE` seconds.

    The tests below must see such a client still connected after a flood, and
    a late reader must get through its 9 MB backlog (answering no ping
    meanwhile) before it is dropped: events.yaml's 3 s grace was less than
    that takes on a loaded machine (seen failing in full-suite runs).
    """
    with start_server(SPECS / 'slow_clients.yaml', '--debug') as running:
        yield running


def polling_handshake(url: str, origin: str | None) -> tuple[int, dict[str, str]]:
    """Status and headers of an engine.io handshake sent with ``origin``."""
    request = urllib.request.Request(url + HANDSHAKE)
    if origin is not None:
        request.add_header('Origin', origin)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as ex:
        return ex.code, dict(ex.headers)


def websocket_handshake(url: str, origin: str | None) -> str:
    """'open' when a WebSocket with ``origin`` gets engine.io's open packet, else the error."""
    target = url.replace('http://', 'ws://') + '/socket.io/?EIO=4&transport=websocket'
    options = {'origin': origin} if origin else {'suppress_origin': True}
    try:
        conn = websocket.create_connection(target, timeout=5, **options)
    except websocket.WebSocketBadStatusException as ex:
        return f'status {ex.status_code}'
    try:
        return 'open' if conn.recv().startswith('0{') else 'no open packet'
    finally:
        conn.close()


def test_only_the_same_origin_by_default(server: Server) -> None:
    own = f'http://127.0.0.1:{server.port}'
    assert polling_handshake(server.url, None)[0] == 200  # Node and Python clients send none
    status, headers = polling_handshake(server.url, own)
    assert status == 200
    assert headers['Access-Control-Allow-Origin'] == own
    status, headers = polling_handshake(server.url, 'http://evil.example')
    assert status == 400
    # A refused origin is not named back as allowed (nor credentials with it).
    assert 'Access-Control-Allow-Origin' not in headers
    assert 'Access-Control-Allow-Credentials' not in headers
    assert polling_handshake(server.url, f'http://localhost:{server.port}')[0] == 400
    assert websocket_handshake(server.url, own) == 'open'
    assert websocket_handshake(server.url, None) == 'open'
    assert websocket_handshake(server.url, 'http://evil.example') == 'status 400'


def test_listed_origins_and_the_page_own() -> None:
    with start_server(SPECS / 'origins.yaml') as server:
        own = f'http://127.0.0.1:{server.port}'
        assert polling_handshake(server.url, 'http://allowed.example')[0] == 200
        assert polling_handshake(server.url, own)[0] == 200
        assert polling_handshake(server.url, 'http://evil.example')[0] == 400
        assert websocket_handshake(server.url, 'http://allowed.example') == 'open'
        assert websocket_handshake(server.url, own) == 'open'
        assert websocket_handshake(server.url, 'http://evil.example') == 'status 400'


def test_any_origin_when_the_spec_says_star() -> None:
    with start_server(SPECS / 'anyorigin.yaml') as server:
        assert polling_handshake(server.url, 'http://evil.example')[0] == 200
        assert websocket_handshake(server.url, 'http://evil.example') == 'open'


def test_compression_offer_is_declined(server: Server) -> None:
    """permessage-deflate is not negotiated (compressing per recipient costs a fan-out dearly).

    It also shows that the handshake is rbconfig's own (runtime/socket/websocket.py).
    """
    target = server.url.replace('http://', 'ws://') + '/socket.io/?EIO=4&transport=websocket'
    offer = 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits'
    conn = websocket.create_connection(target, timeout=5, header=[offer])
    try:
        assert 'sec-websocket-extensions' not in {key.lower() for key in conn.getheaders()}
        assert conn.recv().startswith('0{')
    finally:
        conn.close()


@pytest.mark.parametrize('transport', ['websocket', 'polling'])
def test_a_message_over_the_limit_closes_that_connection(server: Server, transport: str) -> None:
    with Peers(server.url) as peers:
        peers.connect('ok', transport)
        peers.connect('big', transport)
        peers.emit('big', 'pair', 'x' * 1500, 1, ack='fits')
        assert peers.expect(id='big', type='ack')['args'] == [['x' * 1500, 1]]
        peers.emit('big', 'pair', 'x' * 5000, 2, ack='too big')
        reason = peers.expect(id='big', type='disconnect')['reason']
        assert reason in ('transport close', 'transport error')
        assert len(peers.events(id='big', type='ack')) == 1
        peers.emit('ok', 'pair', 'still', 'fine', ack='ok')
        assert peers.expect(id='ok', type='ack')['args'] == [['still', 'fine']]


def stalled_client(url: str, room: str) -> websocket.WebSocket:
    """A WebSocket Socket.IO client that joins ``room``, then never reads again."""
    target = url.replace('http://', 'ws://') + '/socket.io/?EIO=4&transport=websocket'
    conn = websocket.create_connection(
        target,
        timeout=5,
        suppress_origin=True,
        sockopt=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)],
    )
    assert conn.recv().startswith('0{')
    conn.send('40')
    while not conn.recv().startswith('40'):
        pass
    conn.send(f'421["join","{room}"]')
    while not conn.recv().startswith('431'):
        pass
    return conn


def test_a_client_that_stops_reading_blocks_nobody(slow_server: Server) -> None:
    """40 MB of broadcasts to a room where one client reads nothing.

    The others in the room get everything, and a client outside the room (over
    long-polling) gets its round trips answered, all while the stalled client is still
    connected: a server blocked by it would answer them only once it is dropped.
    """
    server = slow_server
    with Peers(server.url) as warm_up:  # starts the engine's service greenlet
        warm_up.connect('w')
    before = wait_for_stats(server.url, lambda s: s['engine_sockets'] == 0)
    stalled = stalled_client(server.url, 'flood')
    try:
        with Peers(server.url) as peers, Peers(server.url) as outside:
            for name in ('a', 'c'):
                peers.connect(name, 'websocket', summarize=['flood'])
                peers.emit(name, 'join', 'flood', ack='joined')
                peers.expect(id=name, type='ack')
            outside.connect('b', 'polling')
            peers.emit('a', 'flood', 200, 200_000, 'flood', ack='flood')
            for round_trip in range(10):
                outside.emit('b', 'pair', round_trip, 0, ack=str(round_trip))
                outside.expect(id='b', type='ack', timeout=GRACE)
            assert peers.expect(id='a', type='ack', timeout=30)['args'] == [200]
            for name in ('a', 'c'):
                sizes = {
                    peers.expect(id=name, event='flood', timeout=30)['size'] for _ in range(200)
                }
                assert min(sizes) > 200_000
            # All of that happened while the stalled client was still connected (its
            # socket buffers are full)...
            count = socket_stats(server.url)['engine_sockets']
            assert count == before['engine_sockets'] + 4, (
                'the stalled client was dropped before the others were served: they waited for it'
            )
            # ...until it misses its pongs: the server drops it (ping 3 s + timeout 5 s,
            # seen by engine.io's check every 5 s at most).
            wait_for_stats(
                server.url,
                lambda s: s['engine_sockets'] == before['engine_sockets'] + 3,
                timeout=GRACE + 10,
            )
        # Its connection is cut off too (a send timeout), though the client never
        # closes it: no greenlet is left waiting on it.
        wait_for_stats(
            server.url,
            lambda s: s['engine_sockets'] == 0 and s['greenlets'] <= before['greenlets'],
            timeout=GRACE + 10,
        )
        stalled.settimeout(5)
        with pytest.raises((websocket.WebSocketConnectionClosedException, OSError)):
            while True:  # what was buffered, then the end of the connection
                stalled.recv()
    finally:
        stalled.close()


def test_a_slow_reader_gets_every_message_whole(slow_server: Server) -> None:
    """Large messages to a client that reads late: none cut, none lost.

    With the client's buffers full, a gevent socket's send() writes only part
    of a frame; the server must write whole frames. The client answers no
    ping until it has read through the backlog (9 MB, ~3 s on a loaded
    machine), so this server gives it :data:`GRACE` seconds, not 3.
    """
    server = slow_server
    slow = stalled_client(server.url, 'slow')
    try:
        with Peers(server.url) as peers:
            peers.connect('a', summarize=['flood'])
            peers.emit('a', 'flood', 30, 300_000, 'slow', ack='flood')
            # Every message is queued for the reader now: 9 MB, more than its socket's
            # buffers and the server's hold, so the server's sends block part-way.
            assert peers.expect(id='a', type='ack', timeout=30)['args'] == [30]
        received = []
        while len(received) < 30:
            frame = slow.recv()
            if frame == '2':  # engine.io ping
                slow.send('3')
                continue
            if frame.startswith(('42["joined",', '42["left",')):
                continue
            assert frame.startswith('42["flood",'), frame[:40]
            received.append(json.loads(frame[2:])[1])
        assert [item['i'] for item in received] == list(range(30))
        assert all(item['blob'] == 'x' * 300_000 for item in received)
    finally:
        slow.close()
