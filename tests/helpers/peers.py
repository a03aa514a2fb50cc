"""Real Socket.IO clients for tests: the Node ``socket.io-client`` driven from pytest.

``tests/js/peers.js`` holds any number of client connections in one Node
process; this module sends it commands and collects what the clients see::

    with Peers(server.url) as peers:
        peers.connect('a')
        peers.connect('b', transport='polling')
        peers.emit('b', 'chat', 'hi', ack='t1')
        assert peers.expect(id='b', type='ack')['args'] == ['ok']
        assert peers.expect(id='a', event='chat')['args'] == [...]
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = [
    'CLIENT_DIST',
    'CLIENT_ENV',
    'JS',
    'NODE_MODULES',
    'Peers',
    'node',
    'socket_stats',
    'wait_for_stats',
]

#: The Node scripts of the tests.
JS = Path(__file__).resolve().parents[1] / 'js'
#: Where ``npm ci`` in tests/ installs socket.io and socket.io-client.
NODE_MODULES = Path(__file__).resolve().parents[1] / 'node_modules'
#: The browser client's built files in that folder (served as ``/socket.io/socket.io.js``).
CLIENT_DIST = NODE_MODULES / 'socket.io-client' / 'dist'
#: The environment that makes a test server serve :data:`CLIENT_DIST`, never the CDN.
CLIENT_ENV = {'RBCONFIG_SOCKETIO_CLIENT': str(CLIENT_DIST)}


def node() -> str:
    """The ``node`` executable.

    Raises:
        AssertionError: node or tests/node_modules is missing (run `make test`).
    """
    found = shutil.which('node')
    assert found, 'node is not installed (run make test)'
    assert (NODE_MODULES / 'socket.io-client').is_dir(), (
        f'{NODE_MODULES}/socket.io-client is missing: run "npm ci" in tests/'
    )
    return found


Event = dict[str, Any]


def socket_stats(url: str, path: str = '/socket.io') -> dict[str, int]:
    """The counters a ``--debug`` server shows at ``<path>/_rbconfig/stats``."""
    with urllib.request.urlopen(f'{url}{path}/_rbconfig/stats', timeout=5) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def wait_for_stats(
    url: str, expected: Callable[[dict[str, int]], bool], timeout: float = 10
) -> dict[str, int]:
    """Poll :func:`socket_stats` until ``expected(stats)``; returns the last stats.

    Raises:
        AssertionError: not reached in time (with the last stats).
    """
    deadline = time.monotonic() + timeout
    while True:
        stats = socket_stats(url)
        if expected(stats):
            return stats
        if time.monotonic() > deadline:
            raise AssertionError(f'socket stats never reached the expected state: {stats}')
        time.sleep(0.1)


def _selector(
    id: str | None,
    type: str | None,
    event: str | None,
    where: Callable[[Event], bool] | None = None,
) -> Callable[[Event], bool]:
    """A test for the events of client ``id`` (any when None) of ``type`` named ``event``.

    Naming ``event`` without ``type`` means type ``'event'``; ``where`` adds its own test.
    """
    if event is not None and type is None:
        type = 'event'

    def matches(item: Event) -> bool:
        return (
            (id is None or item.get('id') == id)
            and (type is None or item.get('type') == type)
            and (event is None or item.get('event') == event)
            and (where is None or where(item))
        )

    return matches


class Peers:
    """A Node process holding Socket.IO clients, each named by an id."""

    def __init__(self, url: str) -> None:
        self._stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [node(), str(JS / 'peers.js'), url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            bufsize=1,
        )
        self.seen: list[Event] = []
        self._taken: set[int] = set()
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                event = {'type': 'garbage', 'line': line}
            with self._changed:
                self.seen.append(event)
                self._changed.notify_all()

    def command(self, **cmd: Any) -> None:
        """Send one command to the Node process (see tests/js/peers.js)."""
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(cmd) + '\n')
        self.process.stdin.flush()

    def connect(self, id: str, transport: str = 'websocket', **options: Any) -> Event:
        """Connect client ``id``; wait for its ``connect`` (or fail on ``connect_error``)."""
        self.command(op='connect', id=id, transport=transport, **options)
        event = self.expect(id=id, where=lambda e: e['type'] in ('connect', 'connect_error'))
        assert event['type'] == 'connect', f'{id} could not connect: {event}'
        return event

    def emit(self, id: str, event: str, *args: Any, ack: str | None = None) -> None:
        """Client ``id`` emits ``event`` with ``args`` (an ack callback when ``ack`` is set)."""
        cmd: dict[str, Any] = {'op': 'emit', 'id': id, 'event': event, 'args': list(args)}
        if ack is not None:
            cmd['ack'] = ack
        self.command(**cmd)

    def send(self, id: str, *args: Any) -> None:
        """Client ``id`` calls ``socket.send(*args)`` (a ``message`` event)."""
        self.command(op='send', id=id, args=list(args))

    def disconnect(self, id: str) -> None:
        """Client ``id`` disconnects."""
        self.command(op='disconnect', id=id)

    def _match(self, where: Callable[[Event], bool]) -> Event | None:
        for index, event in enumerate(self.seen):
            if index not in self._taken and where(event):
                self._taken.add(index)
                return event
        return None

    def expect(
        self,
        *,
        id: str | None = None,
        type: str | None = None,
        event: str | None = None,
        where: Callable[[Event], bool] | None = None,
        timeout: float = 10,
    ) -> Event:
        """The first not yet expected event matching; waits up to ``timeout`` seconds.

        Raises:
            AssertionError: nothing matched in time (with everything seen).
        """
        matches = _selector(id, type, event, where)
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = self._match(matches)
                if found is not None:
                    return found
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    raise AssertionError(
                        f'no event id={id} type={type} event={event} within {timeout}s; '
                        f'last seen: {self.seen[-20:]}\nnode stderr: {self.stderr()}'
                    )
                self._changed.wait(min(left, 0.2))

    def json_message(self, id: str, key: str) -> dict[str, Any]:
        """The next ``message`` event of ``id`` whose JSON text has ``key`` (as the 2011
        handlers send ``{"buffer": [...]}``, ``{"announcement": ...}``), decoded."""
        event = self.expect(id=id, event='message', where=lambda e: key in json.loads(e['args'][0]))
        return json.loads(event['args'][0])  # type: ignore[no-any-return]

    def events(
        self, *, id: str | None = None, type: str | None = None, event: str | None = None
    ) -> list[Event]:
        """Every event seen so far that matches (expected or not)."""
        matches = _selector(id, type, event)
        with self._changed:
            return [item for item in self.seen if matches(item)]

    def stderr(self) -> str:
        """What the Node process wrote to stderr."""
        self._stderr.seek(0)
        return self._stderr.read().decode('utf-8', 'replace')

    def close(self) -> None:
        """Disconnect everyone and stop the Node process."""
        if self.process.poll() is None:
            try:
                self.command(op='exit')
                self.process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=2)
        self._stderr.close()

    def __enter__(self) -> Peers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
