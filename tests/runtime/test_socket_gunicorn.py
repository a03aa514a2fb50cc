"""Sockets under ``gunicorn -k gevent`` (one worker: a socket app runs in one process)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers.peers import Peers
from tests.helpers.server import ROOT, start_gunicorn

SPEC = ROOT / 'apps' / 'rooms' / 'rooms.yaml'


@contextmanager
def gunicorn(spec: Path) -> Iterator[str]:
    """One gevent worker serving ``spec`` until the block ends; gives its URL."""
    with start_gunicorn(f'rbconfig.wsgi:app_factory("{spec}")', '-w', '1') as server:
        yield server.url
        server.stop(20)
        output = server.output()
    assert 'Traceback' not in output, output


@pytest.mark.parametrize('transport', ['websocket', 'polling'])
def test_rooms_under_gunicorn(transport: str) -> None:
    with gunicorn(SPEC) as url, Peers(url) as peers:
        peers.connect('ann', transport, auth={'name': 'ann'})
        peers.connect('bob', transport, auth={'name': 'bob'})
        for name in ('ann', 'bob'):
            peers.emit(name, 'join', 'g', ack='j')
            peers.expect(id=name, type='ack')
        peers.emit('bob', 'say', 'g', 'hi', ack='s')
        assert peers.expect(id='ann', event='said')['args'] == [
            {'room': 'g', 'name': 'bob', 'text': 'hi'}
        ]
        peers.disconnect('bob')
        assert peers.expect(id='ann', event='left')['args'] == [{'room': 'g', 'name': 'bob'}]
