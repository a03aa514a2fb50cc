"""A broadcast through :class:`FanOut` writes, byte for byte, what python-socketio's own would.

Two servers get the same clients (WebSocket connections on real socket pairs,
one long-polling session, one client whose ``connect`` handler is running) and
the same emits: one with rbconfig's manager, one with python-socketio's
``Manager``. Every client must receive the same bytes from both.
"""

from __future__ import annotations

from typing import Any

import gevent.socket
import pytest
import socketio

from rbconfig.runtime.socket import queue, websocket
from rbconfig.runtime.socket.adapter import FanOut, SocketServer, _Hold
from rbconfig.runtime.socket.engine import Session
from rbconfig.runtime.socket.server import build_server

WEBSOCKETS = ('a', 'b', 'c', 'held')


class Clients:
    """A server and its clients: name → (sid, what the client's end of the connection reads)."""

    def __init__(self, manager: socketio.Manager) -> None:
        self.server: SocketServer = build_server(None, client_manager=manager)
        self.server.on('connect', lambda sid, environ, auth=None: True)
        self.sids: dict[str, str] = {}
        self.eio_sids: dict[str, str] = {}
        self.peers: dict[str, Any] = {}
        self.sessions: dict[str, Session] = {}
        for name in (*WEBSOCKETS, 'polling'):
            engine = self.server.eio
            eio_sid = engine.generate_id()
            session = Session(engine, eio_sid, {})
            if name != 'polling':
                ours, theirs = gevent.socket.socketpair()
                session.transport = 'websocket'
                session.ws = websocket.WebSocket(
                    ours, name, max_message=1_000_000, send_timeout=None
                )
                self.peers[name] = theirs
            engine.sessions[eio_sid] = session
            self.sessions[name] = session
            self.eio_sids[name] = eio_sid
            self.sids[name] = self.server.manager.connect(eio_sid, '/')
        self.server.enter_room(self.sids['b'], 'r', namespace='/')
        self.server.enter_room(self.sids['polling'], 'r', namespace='/')
        self.server.enter_room(self.sids['held'], 'r', namespace='/')

    def received(self) -> dict[str, bytes | list[str | bytes]]:
        """What each client got: the bytes on the wire, the polling session's outbox."""
        websocket._flush_all()
        got: dict[str, bytes | list[str | bytes]] = {}
        for name, peer in self.peers.items():
            chunks = []
            peer.setblocking(False)
            while True:
                try:
                    chunks.append(peer.recv(65536))
                except (BlockingIOError, TimeoutError):
                    break
            got[name] = b''.join(chunks)
        got['polling'] = list(self.sessions['polling'].outbox)
        return got


def emit_everything(clients: Clients) -> None:
    """The same emits, whichever the manager: every shape Manager.emit takes."""
    server, sids = clients.server, clients.sids
    hold = server._held[clients.eio_sids['held']] = _Hold('/')
    server.emit('all', {'a': 1, 'text': 'é'})
    server.emit('tuple', ('x', 2, None))
    server.emit('none', None)
    server.emit('binary', {'bin': b'\x00\x01', 'list': [b'\xff']}, room='r')
    server.emit('skip one', 'text', skip_sid=sids['b'])
    server.emit('skip two', 1, skip_sid=[sids['a'], sids['c']])
    server.emit('to', 2, to=sids['c'])
    server.emit('rooms', 3, room=['r', sids['a']])
    server.emit('elsewhere', 4, namespace='/nobody')
    server.emit('bytes', b'raw')
    server._release(clients.eio_sids['held'], hold)


def test_fanout_writes_what_python_socketio_writes() -> None:
    ours, theirs = Clients(FanOut()), Clients(socketio.Manager())
    emit_everything(ours)
    emit_everything(theirs)
    got = ours.received()
    assert got == theirs.received()
    # Not two empty results: every client got its share, the held one after release.
    assert got['a'].count(b'42["all",{"a":1,"text":"\\u00e9"}]') == 1
    assert b'"binary"' not in got['a'] and b'"binary"' in got['b'] and b'"binary"' in got['held']
    assert b'\x82\x02\x00\x01' in got['b']  # the first attachment, a binary frame
    assert b'"skip one"' not in got['b'] and b'"skip one"' in got['c']
    assert got['c'].count(b'"to"') == 1 and b'"to"' not in got['a']
    assert b'"rooms"' in got['a'] and b'"rooms"' not in got['c']
    assert any(isinstance(wire, str) and '"binary"' in wire for wire in got['polling'])
    assert not any(b'elsewhere' in data for data in got.values() if isinstance(data, bytes))


def test_fanout_is_the_default_and_under_every_queue_manager() -> None:
    assert isinstance(build_server(None).manager, FanOut)
    for manager in (queue._LoggedRedisManager, queue._LoggedKombuManager, queue._KafkaManager):
        order = manager.__mro__
        # PubSubManager delivers what the other processes published with super().emit().
        assert (
            order.index(socketio.PubSubManager)
            < order.index(FanOut)
            < order.index(socketio.Manager)
        )


@pytest.mark.parametrize('callback', [None, lambda *args: None])
def test_a_broadcast_to_a_closed_session_is_skipped(callback: Any) -> None:
    clients = Clients(FanOut())
    clients.sessions['a'].closed = True
    clients.server.emit('after', 1, callback=callback)
    got = clients.received()
    assert got['a'] == b''
    assert b'"after"' in got['b']
