"""deploy/haproxy.cfg, as shipped, in front of three ``rbconfig run`` nodes sharing Redis.

Clients connect from different loopback source addresses (127.0.0.0/8 is all
loopback), which ``balance source`` spreads over the nodes; each asks its node
for its process id (the ``pid`` event), so the test knows where it landed.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers.cluster import nodes, redis_server, unused_port
from tests.helpers.peers import Peers
from tests.helpers.server import ROOT, Server

CONFIG = ROOT / 'deploy' / 'haproxy.cfg'
EVENTS = Path(__file__).resolve().parent / 'socket_specs' / 'events.yaml'


@contextmanager
def haproxy(backends: list[Server]) -> Iterator[str]:
    """HAProxy running deploy/haproxy.cfg in front of ``backends``; yields its URL."""
    binary = shutil.which('haproxy') or '/usr/sbin/haproxy'
    assert Path(binary).exists(), 'haproxy is not installed (run make test)'
    port = unused_port()
    env = {'RBCONFIG_LB_BIND': f'127.0.0.1:{port}', 'PATH': '/usr/bin:/bin'}
    env.update({f'RBCONFIG_NODE{n}': f'127.0.0.1:{s.port}' for n, s in enumerate(backends, 1)})
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [binary, '-db', '-f', str(CONFIG)], stdout=log, stderr=subprocess.STDOUT, env=env
        )
        try:
            deadline = time.monotonic() + 10
            while True:
                assert process.poll() is None, 'haproxy exited'
                try:
                    socket.create_connection(('127.0.0.1', port), timeout=0.5).close()
                    break
                except OSError:
                    assert time.monotonic() < deadline, 'haproxy did not listen'
                    time.sleep(0.05)
            yield f'http://127.0.0.1:{port}'
        finally:
            process.terminate()
            process.wait(10)
            log.seek(0)
            output = log.read().decode('utf-8', 'replace')
            assert 'ALERT' not in output, output


def _spread(peers: Peers, transport: str, count: int, **options: object) -> dict[int, list[str]]:
    """Connect clients from 127.0.0.2, .3 ... until each of ``count`` nodes has one.

    Returns the clients by the pid of the node serving them.
    """
    found: dict[int, list[str]] = {}
    for host in range(2, 60):
        name = f'c{host}'
        peers.connect(
            name, transport, auth={'name': name}, localAddress=f'127.0.0.{host}', **options
        )
        peers.emit(name, 'pid', ack=name)
        found.setdefault(peers.expect(id=name, type='ack')['args'][0], []).append(name)
        if len(found) == count:
            return found
    raise AssertionError(f'the clients landed on {len(found)} nodes only: {found}')


@pytest.mark.parametrize('transport', ['websocket', 'polling', 'both'])
def test_clients_spread_over_nodes_and_talk_across(transport: str) -> None:
    with (
        redis_server() as redis,
        nodes(EVENTS, 3, redis.url) as backends,
        haproxy(backends) as url,
        Peers(url) as peers,
    ):
        by_node = _spread(peers, transport, 3)
        assert set(by_node) == {server.pid for server in backends}
        first, *others = [names[0] for names in by_node.values()]
        peers.emit(first, 'chat', 'through the balancer', ack='sent')
        assert peers.expect(id=first, type='ack')['args'] == ['ok']
        for name in others:
            assert peers.expect(id=name, event='chat')['args'] == [
                {'from': first, 'text': 'through the balancer'}
            ]
        # Polling clients made many requests each (handshake, posts, long-polls); the
        # balancer kept every one on its node, or the server would have refused the session.
        for name in (first, *others):
            assert peers.events(id=name, type='disconnect') == []
            assert peers.events(id=name, type='connect_error') == []
        if transport == 'both':  # the default client: polling first, then the upgrade
            peers.emit(first, 'pid', ack='again')
            assert peers.expect(id=first, type='ack', where=lambda e: e['tag'] == 'again')


def test_a_killed_node_s_clients_reconnect_to_another_and_keep_chatting() -> None:
    with (
        redis_server() as redis,
        nodes(EVENTS, 3, redis.url) as backends,
        haproxy(backends) as url,
        Peers(url) as peers,
    ):
        by_node = _spread(peers, 'websocket', 3, reconnect=True)
        victim = backends[0]
        moved = by_node[victim.pid][0]
        stayed = next(names[0] for pid, names in by_node.items() if pid != victim.pid)
        victim.signal(signal.SIGKILL)
        assert victim.process.wait(10) == -signal.SIGKILL
        assert peers.expect(id=moved, type='disconnect')['reason'] == 'transport close'
        peers.expect(id=moved, type='connect', timeout=20)  # again, through the balancer
        peers.emit(moved, 'pid', ack='where')
        new_pid = peers.expect(id=moved, type='ack', where=lambda e: e['tag'] == 'where')
        assert new_pid['args'][0] in {s.pid for s in backends[1:]}
        peers.emit(moved, 'chat', 'still here')
        assert peers.expect(id=stayed, event='chat', where=lambda e: e['args'][0]['from'] == moved)
        assert peers.events(id=stayed, type='disconnect') == []
