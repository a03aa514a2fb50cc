"""Sockets under ``gunicorn -k gevent`` (one worker: a socket app runs in one process)."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers.peers import Peers
from tests.helpers.server import ROOT, child_env, free_port

SPEC = ROOT / 'apps' / 'rooms' / 'rooms.yaml'


@contextmanager
def gunicorn(spec: Path) -> Iterator[str]:
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [
                sys.executable,
                '-m',
                'gunicorn',
                '-k',
                'gevent',
                '-w',
                '1',
                '-b',
                f'127.0.0.1:{port}',
                f'rbconfig.wsgi:app_factory("{spec}")',
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=child_env(),
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                assert process.poll() is None, 'gunicorn exited'
                try:
                    socket.create_connection(('127.0.0.1', port), timeout=0.5).close()
                    break
                except OSError:
                    assert time.monotonic() < deadline, 'gunicorn did not listen'
                    time.sleep(0.1)
            yield f'http://127.0.0.1:{port}'
        finally:
            process.terminate()
            process.wait(timeout=20)
            log.seek(0)
            output = log.read().decode('utf-8', 'replace')
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
