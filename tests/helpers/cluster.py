"""Several ``rbconfig run`` nodes sharing a real Redis (or RabbitMQ), for the cluster tests.

Each test gets its own ``redis-server`` on a free port (the shared one on 6379
is never restarted, and Pub/Sub channels are global to a server, so parallel
runs of these tests would otherwise hear each other)::

    with redis_server() as redis, nodes(SPEC, 2, redis.url) as (a, b):
        ...                       # a.url, b.url: two processes of one app
        redis.restart()           # the same port, while the nodes run
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from .server import Server, start_server

__all__ = ['QUEUE_ENV', 'RedisServer', 'nodes', 'rabbitmq', 'redis_server', 'unused_port']

#: The environment variable naming the message queue (rbconfig.runtime.socket.queue.ENV_VAR).
QUEUE_ENV = 'RBCONFIG_MESSAGE_QUEUE'


#: The RabbitMQ that ``make test`` starts (scripts/setup), with the package's default user.
RABBITMQ = 'amqp://guest:guest@127.0.0.1:5672//'


def rabbitmq() -> str:
    """The URL of the tests' RabbitMQ; fails saying how to start it when nothing answers.

    One broker serves every test (a RabbitMQ takes seconds to boot): each test
    isolates itself with a channel (a fanout exchange) of its own.
    """
    try:
        socket.create_connection(('127.0.0.1', 5672), timeout=2).close()
    except OSError as ex:
        raise AssertionError(f'no RabbitMQ on 127.0.0.1:5672 ({ex}): run make test') from None
    return RABBITMQ


class PortTaken(Exception):
    """Another process took the port between its choice and redis-server's bind."""


def unused_port() -> int:
    """A port on 127.0.0.1 seen free, for programs that cannot bind port 0 and name the port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """A ``redis-server`` process of one test, in memory only."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f'redis://127.0.0.1:{port}/0'
        self.process: subprocess.Popen[bytes] | None = None
        self._log = tempfile.TemporaryFile()

    def start(self, timeout: float = 10) -> None:
        """Start it on :attr:`port` and wait until it answers PING."""
        binary = shutil.which('redis-server')
        assert binary, 'redis-server is not installed (run make test)'
        self.process = subprocess.Popen(
            [binary, '--port', str(self.port), '--bind', '127.0.0.1', '--save', '']
            + ['--appendonly', 'no'],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while not self.ping():
            if self.process.poll() is not None and 'Address already in use' in self.output():
                raise PortTaken(self.port)
            assert self.process.poll() is None, f'redis-server exited:\n{self.output()}'
            assert time.monotonic() < deadline, f'redis-server did not answer:\n{self.output()}'
            time.sleep(0.02)

    def ping(self) -> bool:
        """True when the server answers PING."""
        try:
            with socket.create_connection(('127.0.0.1', self.port), timeout=1) as sock:
                sock.sendall(b'PING\r\n')
                return sock.recv(16).startswith(b'+PONG')
        except OSError:
            return False

    def command(self, *args: str) -> bytes:
        """One command's raw reply (RESP), e.g. ``command('PUBSUB', 'NUMSUB', 'socketio')``."""
        request = f'*{len(args)}\r\n' + ''.join(f'${len(a.encode())}\r\n{a}\r\n' for a in args)
        with socket.create_connection(('127.0.0.1', self.port), timeout=2) as sock:
            sock.sendall(request.encode())
            return sock.recv(65536)

    def stop(self) -> None:
        """Stop it (SIGTERM) and wait for the exit."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def restart(self) -> None:
        """Stop, then start again on the same port (every connection to it is cut)."""
        self.stop()
        self.start()

    def output(self) -> str:
        """What the server logged."""
        self._log.seek(0)
        return self._log.read().decode('utf-8', 'replace')

    def close(self) -> None:
        self.stop()
        self._log.close()


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    """A fresh ``redis-server`` on a free port until the block ends.

    redis-server cannot be handed a bound socket nor name the port it chose: a port seen
    free is tried, and if another process took it meanwhile, another one.
    """
    for attempt in range(5):
        server = RedisServer(unused_port())
        try:
            server.start()
        except PortTaken:
            server.close()
            if attempt == 4:
                raise
            continue
        try:
            yield server
        finally:
            server.close()
        return


@contextmanager
def nodes(
    spec: Path | str,
    count: int,
    queue: str,
    *extra_args: str,
    env: dict[str, str] | None = None,
) -> Iterator[list[Server]]:
    """``count`` ``rbconfig run`` processes of ``spec`` sharing the message queue ``queue``.

    Each is started with ``RBCONFIG_MESSAGE_QUEUE=queue``; a node accepts
    connections only once it is subscribed to the queue, so they are ready
    when this yields.
    """
    with ExitStack() as stack:
        yield [
            stack.enter_context(
                start_server(spec, *extra_args, env={**(env or {}), QUEUE_ENV: queue})
            )
            for _ in range(count)
        ]
