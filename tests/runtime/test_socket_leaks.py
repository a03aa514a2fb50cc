"""Connect/disconnect cycles leave no greenlet, session or room behind.

The server runs with ``--debug``, which serves the counters of
``Namespaces.stats()`` at ``/socket.io/_rbconfig/stats``: live greenlets
of the whole process (found through the garbage collector), engine.io
sockets, socket.io participants and rooms, handler contexts and RedBarrel
handler greenlets.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers.peers import JS, node, wait_for_stats
from tests.helpers.server import start_server

SPECS = Path(__file__).resolve().parent / 'socket_specs'
CYCLES = 40

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


def back_to(url: str, baseline: dict[str, int], timeout: float = 20) -> dict[str, int]:
    """Wait until no counter is above ``baseline`` (the per-client ones are 0).

    A closed socket's greenlets end on their own (engine.io's ping greenlet sleeps out
    its interval, a RedBarrel handler gets a grace period): a leak is a counter that
    never comes back down.
    """
    return wait_for_stats(
        url,
        lambda stats: idle(stats) and all(stats[name] <= baseline[name] for name in baseline),
        timeout=timeout,
    )


@pytest.mark.parametrize(
    ('spec', 'wait'),
    [('chat2011.yaml', 'message'), ('events.yaml', 'ack'), ('legacy.yaml', 'message')],
)
def test_cycles_leave_nothing_behind(spec: str, wait: str) -> None:
    """Any object kept per client shows as a counter above its idle value, so 40 cycles
    (both transports, 4 at a time) show a leak as well as 200 would."""
    with start_server(SPECS / spec, '--debug') as server:
        # Warm up: the engine's service greenlet starts with the first client.
        warm = run_cycles(server.url, cycles=4, parallel=2, transport='mixed', wait=wait)
        assert warm['completed'] == 4, warm
        baseline = wait_for_stats(server.url, idle)

        summary = run_cycles(server.url, cycles=CYCLES, parallel=4, transport='mixed', wait=wait)
        assert summary == {
            'cycles': CYCLES,
            'connected': CYCLES,
            'completed': CYCLES,
            'errors': [],
        }

        back_to(server.url, baseline)
        assert 'Traceback' not in server.output()
