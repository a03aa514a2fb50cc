"""Run ``rbconfig run SPEC`` as a real process on a free port, for tests.

Example::

    with start_server('apps/hello/hello.yaml', '--debug') as server:
        urllib.request.urlopen(server.url + '/hello')
        assert 'GET /hello' in server.output()

The process is started with :class:`subprocess.Popen` directly (never through a
shell, so its pid is the server's), its standard output and error go to one
temporary file (no pipe to fill up and block it), and it is always stopped:
SIGTERM, a wait, then SIGKILL. It binds port 0 (``--port 0``): the kernel picks a
free port and the server names it on its start-up line, so no other process can
take the port between a check and the bind.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

__all__ = [
    'eventually',
    'ROOT',
    'Server',
    'child_env',
    'refused_port',
    'spawn',
    'start_command',
    'start_gunicorn',
    'start_server',
]

#: The repository root: put on PYTHONPATH so the server imports this checkout.
ROOT = Path(__file__).resolve().parents[2]


#: The start-up line of ``rbconfig run``, naming the port it listens on.
SERVING = re.compile(r'serving on http://(?:\[[^\]]*\]|[^:/\s]+):(\d+)')


@contextmanager
def refused_port(host: str = '127.0.0.1') -> Iterator[int]:
    """A port where connections are refused, for the block (an upstream that is down).

    The port is bound but not listening, and held: nobody else can start listening on
    it meanwhile (a port merely seen free could be taken by then).
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        yield int(sock.getsockname()[1])


def child_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a child ``python -m rbconfig.cli`` of this checkout."""
    merged = dict(os.environ)
    merged['PYTHONPATH'] = os.pathsep.join(
        part for part in (str(ROOT), merged.get('PYTHONPATH', '')) if part
    )
    merged['PYTHONUNBUFFERED'] = '1'
    if env:
        merged.update(env)
    return merged


class Server:
    """A running server process: its address, output and exit status.

    ``port`` (and ``url``) are known once :meth:`wait_ready` has returned, when the
    server was started on port 0.
    """

    def __init__(
        self, process: subprocess.Popen[bytes], port: int, log: Path, host: str = '127.0.0.1'
    ) -> None:
        self.process = process
        self.port = port
        self.host = host
        self._log = log

    @property
    def url(self) -> str:
        """``http://HOST:PORT``."""
        return f'http://{self.host}:{self.port}'

    @property
    def pid(self) -> int:
        """The server's process id."""
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        """The exit status, or None while it runs."""
        return self.process.poll()

    def output(self) -> str:
        """Everything the process wrote to stdout and stderr so far."""
        try:
            return self._log.read_bytes().decode('utf-8', 'replace')
        except FileNotFoundError:
            return ''

    def wait_for_output(self, text: str, timeout: float = 10) -> str:
        """Wait until ``text`` appears in the output; returns the output.

        Raises:
            AssertionError: on timeout, with the output so far.
        """
        deadline = time.monotonic() + timeout
        while True:
            output = self.output()
            if text in output:
                return output
            if time.monotonic() > deadline:
                raise AssertionError(
                    f'{text!r} not in the server output after {timeout}s:\n{output}'
                )
            time.sleep(0.05)

    def wait_ready(self, timeout: float = 20, ready: re.Pattern[str] | None = None) -> None:
        """Wait until the server says it listens (``ready``: its line, the port in group 1).

        Raises:
            AssertionError: if the process exits first or on timeout, with its output.
        """
        deadline = time.monotonic() + timeout
        while True:
            code = self.process.poll()
            output = self.output()
            found = (ready or SERVING).search(output)
            if found is not None:
                if not self.port:
                    self.port = int(found.group(1))
                return
            if code is not None:
                raise AssertionError(
                    f'the server exited with status {code} before listening:\n{output}'
                )
            if time.monotonic() > deadline:
                raise AssertionError(f'the server did not start within {timeout}s:\n{output}')
            time.sleep(0.05)

    def signal(self, signum: int) -> None:
        """Send ``signum`` to the server process (if it still runs)."""
        if self.process.poll() is None:
            self.process.send_signal(signum)

    def stop(self, timeout: float = 10) -> int:
        """SIGTERM, wait up to ``timeout`` seconds, then SIGKILL; returns the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._kill_group()
                self.process.wait(5)
        return self.process.returncode

    def _kill_group(self) -> None:
        # The server runs in its own session: a --reload parent's child goes too.
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            self.process.kill()

    def __repr__(self) -> str:
        return f'<Server {self.url} pid={self.pid} returncode={self.returncode}>'


#: gunicorn's line naming the port it listens on.
GUNICORN_LISTENING = re.compile(r'Listening at: http://\S+:(\d+) ')


def _popen(command: list[str], port: int, env: Mapping[str, str] | None, cwd: Any) -> Server:
    """Start ``command`` in a session of its own, its output going to a log file."""
    fd, name = tempfile.mkstemp(prefix='rbconfig-server-', suffix='.log')
    log = Path(name)
    with os.fdopen(fd, 'wb') as out:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=child_env(env),
            cwd=os.fspath(cwd) if cwd is not None else None,
            start_new_session=True,
        )
    return Server(process, port, log)


def spawn(
    spec: Path | str,
    *extra_args: str,
    port: int | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | str | None = None,
) -> Server:
    """Start ``rbconfig run SPEC --port PORT ...`` without waiting for it (port 0: any)."""
    port = 0 if port is None else port
    command = [sys.executable, '-m', 'rbconfig.cli', 'run', os.fspath(spec), '--port', str(port)]
    return _popen([*command, *extra_args], port, env, cwd)


@contextmanager
def _running(server: Server, timeout: float, ready: re.Pattern[str]) -> Iterator[Server]:
    try:
        server.wait_ready(timeout, ready)
        yield server
    finally:
        try:
            server.stop()
        finally:
            if server.process.poll() is None:  # pragma: no cover - stop() failed
                server._kill_group()
                server.process.wait()
            else:
                # Leftovers of the session (a --reload child) must not outlive the test.
                try:
                    os.killpg(server.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            server._log.unlink(missing_ok=True)


def start_server(
    spec: Path | str,
    *extra_args: str,
    env: dict[str, str] | None = None,
    timeout: float = 20,
    cwd: Path | str | None = None,
) -> AbstractContextManager[Server]:
    """Serve ``spec`` with ``rbconfig run`` on a port of its choosing until the block ends.

    Args:
        spec: the spec file.
        *extra_args: more ``rbconfig run`` arguments (``--debug``, ``--mock``...).
        env: environment variables to add for the server.
        timeout: seconds to wait for its start-up line.
        cwd: the server's working folder (default: this one).

    Returns:
        A context manager giving the :class:`Server`, already accepting connections.
    """
    return _running(spawn(spec, *extra_args, env=env, cwd=cwd), timeout, SERVING)


def start_command(
    command: list[str], *, env: dict[str, str] | None = None, timeout: float = 20
) -> AbstractContextManager[Server]:
    """Run ``command`` (an installed script that serves, like ``rbr-run SPEC --port 0``) until
    the block ends; the :class:`Server` knows the port from rbconfig's start-up line."""
    return _running(_popen(command, 0, env, None), timeout, SERVING)


def start_gunicorn(
    app: str, *options: str, env: dict[str, str] | None = None, timeout: float = 30
) -> AbstractContextManager[Server]:
    """``gunicorn -k gevent -b 127.0.0.1:0 --no-control-socket OPTIONS APP`` until the block ends.

    The :class:`Server` it gives knows the port gunicorn chose; requests sent before its
    workers are up wait in the listen queue.
    """
    command = [sys.executable, '-m', 'gunicorn', '-k', 'gevent', '-b', '127.0.0.1:0']
    command += ['--no-control-socket', *options, app]
    return _running(_popen(command, 0, env, None), timeout, GUNICORN_LISTENING)


def eventually(check: Callable[[], bool], what: str, timeout: float = 15) -> None:
    """Wait until ``check()`` is true (checked every 50 ms).

    Raises:
        AssertionError: naming ``what``, after ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f'timed out waiting for {what}')
        time.sleep(0.05)
