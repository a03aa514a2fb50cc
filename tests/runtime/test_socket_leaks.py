"""200 connect/disconnect cycles leave no greenlet, session or room behind.

The server runs with ``--debug``, which serves the counters of
``Namespaces.stats()`` at ``/socket.io/_rbconfig/stats``: live greenlets
of the whole process (found through the garbage collector), engine.io
sockets, socket.io participants and rooms, handler contexts and RedBarrel
handler greenlets.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from tests.helpers.peers import JS, node, socket_stats, wait_for_stats
from tests.helpers.server import start_server

SPECS = Path(__file__).resolve().parent / 'socket_specs'

#: Counters that must be back to zero once every client has gone.
PER_CLIENT = (
    'engine_sockets',
    'socket_environs',
    'participants',
    'contexts',
    'legacy_sockets',
    'legacy_running',
)


def run_cycles(url: str, **options: object) -> dict:
    """Run tests/js/cycles.js; its JSON summary."""
    done = subprocess.run(
        [node(), str(JS / 'cycles.js'), json.dumps({'url': url, **options})],
        capture_output=True,
        text=True,
        timeout=240,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def idle(stats: dict[str, int]) -> bool:
    return all(stats[name] == 0 for name in PER_CLIENT)


def settled(url: str, quiet: float = 2.5, timeout: float = 20) -> dict[str, int]:
    """The stats once every client has gone and nothing changed for ``quiet`` seconds.

    engine.io's ping greenlet of a closed socket sleeps out its ping interval
    (1 s in these specs) before it ends, and a RedBarrel handler gets a grace
    period: the count only means something once it has stopped moving.
    """
    stats = wait_for_stats(url, idle, timeout=timeout)
    deadline = time.monotonic() + timeout
    since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = socket_stats(url)
        if now != stats:
            stats, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return stats
    raise AssertionError(f'the socket stats never settled: {stats}')


@pytest.mark.parametrize(
    ('spec', 'wait'),
    [('chat2011.yaml', 'message'), ('events.yaml', 'ack'), ('legacy.yaml', 'message')],
)
def test_200_cycles_leave_nothing_behind(spec: str, wait: str) -> None:
    with start_server(SPECS / spec, '--debug') as server:
        # Warm up: the engine's service greenlet starts with the first client.
        warm = run_cycles(server.url, cycles=4, parallel=2, transport='mixed', wait=wait)
        assert warm['completed'] == 4, warm
        baseline = settled(server.url)

        summary = run_cycles(server.url, cycles=200, parallel=4, transport='mixed', wait=wait)
        assert summary == {'cycles': 200, 'connected': 200, 'completed': 200, 'errors': []}

        after = settled(server.url)
        assert after == baseline
        assert 'Traceback' not in server.output()
