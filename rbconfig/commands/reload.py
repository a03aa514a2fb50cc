"""``rbconfig run --reload``: restart the server when the spec or its code changes.

This (parent) process binds the address once, then runs ``rbconfig run`` as a
child process that serves on the inherited socket: while the child restarts,
new connections wait in the listen queue instead of being refused. The
parent watches the spec's folder (recursively, with watchfiles) for changes
to the spec and to files the app is made of (``.py``, ``.html``, ``.css``,
...), waits for the changes to settle, then stops the child (SIGTERM) and
starts a new one. A child whose app cannot start (an invalid spec, a module
that does not import, a global that fails) prints the problem and answers every
request with a 503 problem naming it (``file:line``) until the next change; a
child that exits on its own leaves the parent waiting for the next change.

The parent never imports gevent, falcon or the app: only the children do.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from watchfiles import Change, DefaultFilter, watch

from ..errors import SpecError
from .run import LISTEN_FD_ENV

__all__ = ['WATCHED_SUFFIXES', 'SpecFilter', 'run_with_reload', 'unavailable_app']

#: File endings whose change restarts the server (besides the spec itself).
WATCHED_SUFFIXES = frozenset(
    {
        '.py', '.yaml', '.yml', '.toml', '.rbr', '.json', '.html', '.htm', '.css', '.js',
        '.mjs', '.txt', '.md', '.rst', '.ini', '.cfg', '.conf', '.svg', '.jinja', '.jinja2',
    }
)  # fmt: skip

#: Milliseconds without changes before a restart (a burst of saves restarts once).
SETTLE_MS = 300

#: Longest time changes are grouped into one restart, in milliseconds.
MAX_BATCH_MS = 3000


class _Stop(Exception):
    """SIGTERM arrived."""


class SpecFilter(DefaultFilter):
    """watchfiles' default filter (no VCS, caches, swap files), the spec, and watched endings."""

    def __init__(self, spec: Path) -> None:
        super().__init__()
        self.spec = str(spec)

    def __call__(self, change: Change, path: str) -> bool:
        if path == self.spec:
            return True
        return Path(path).suffix.lower() in WATCHED_SUFFIXES and super().__call__(change, path)


def run_with_reload(args: argparse.Namespace, *, settle_ms: int = SETTLE_MS) -> int:
    """Serve ``args.spec`` in a child process, restarting it on changes.

    Returns:
        0 after SIGINT/SIGTERM, 1 when the address cannot be bound.
    """
    spec = Path(args.spec).resolve()
    folder = spec.parent
    if not spec.is_file():
        print(f'{args.spec}: no such file', file=sys.stderr)
        return 1
    try:
        listener = _listen(args.host, args.port)
    except OSError as ex:
        print(f'rbconfig: cannot listen on {args.host}:{args.port}: {ex.strerror or ex}',
              file=sys.stderr)  # fmt: skip
        return 1
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    child = _Child(args, listener)
    try:
        print(f'rbconfig: watching {folder} for changes', file=sys.stderr, flush=True)
        child.start()
        for changes in watch(
            folder,
            watch_filter=SpecFilter(spec),
            debounce=MAX_BATCH_MS,
            step=settle_ms,
            rust_timeout=500,
            yield_on_timeout=True,
            raise_interrupt=True,
        ):
            if changes:
                names = sorted({_shown(path, folder) for _, path in changes})
                print(f'rbconfig: {", ".join(names)} changed; restarting', file=sys.stderr,
                      flush=True)  # fmt: skip
                child.restart()
            else:
                child.check()
    except (KeyboardInterrupt, _Stop):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        child.stop()
        listener.close()
    return 0


def unavailable_app(error: BaseException) -> Callable[..., Iterable[bytes]]:
    """A WSGI app answering ``503`` with ``error`` as a problem (RFC 9457), to anything.

    The problem's ``errors`` list each of a spec error's problems (``file``, ``line``,
    ``column``, ``where``, ``detail``), or for another exception its type and message
    at the innermost place of its traceback.
    """
    if isinstance(error, SpecError):
        errors = []
        for problem in error.problems:
            entry = problem.to_dict()
            entry['detail'] = entry.pop('message')
            errors.append(entry)
    else:
        frames = traceback.extract_tb(error.__traceback__)
        entry = {'detail': f'{type(error).__name__}: {error}'}
        if frames:
            entry.update(file=frames[-1].filename, line=frames[-1].lineno)
        errors = [entry]
    body = json.dumps(
        {
            'type': 'about:blank',
            'title': 'Service Unavailable',
            'status': 503,
            'detail': 'The app cannot start; rbconfig run --reload serves it again once a '
            'change fixes it.',
            'errors': errors,
        }
    ).encode()
    headers = [
        ('Content-Type', 'application/problem+json'),
        ('Content-Length', str(len(body))),
        ('Retry-After', '1'),
    ]

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response('503 Service Unavailable', headers)
        return [body]

    return app


def _raise_stop(signum: int, frame: Any) -> None:
    raise _Stop()


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def _shown(path: str, folder: Path) -> str:
    try:
        return str(Path(path).relative_to(folder))
    except ValueError:
        return path


class _Child:
    """The server process, restarted on demand."""

    def __init__(self, args: argparse.Namespace, listener: socket.socket) -> None:
        self.args = args
        self.listener = listener
        self.process: subprocess.Popen[bytes] | None = None
        self.reported = False

    def command(self) -> list[str]:
        args = self.args
        command = [sys.executable, '-m', 'rbconfig.cli']
        if getattr(args, 'verbose', 0):
            command.append('-' + 'v' * args.verbose)
        command += ['run', args.spec, '--host', args.host, '--port', str(args.port)]
        command += [flag for flag, on in (('--debug', args.debug), ('--mock', args.mock)) if on]
        for flag, seconds in (
            ('--header-timeout', args.header_timeout),
            ('--idle-timeout', args.idle_timeout),
        ):
            if seconds is not None:
                command += [flag, repr(seconds)]
        return command

    def start(self) -> None:
        env = dict(os.environ, **{LISTEN_FD_ENV: str(self.listener.fileno())})
        self.process = subprocess.Popen(self.command(), env=env, pass_fds=(self.listener.fileno(),))
        self.reported = False

    def check(self) -> None:
        """Say once that the server exited on its own."""
        if self.process is None or self.reported:
            return
        code = self.process.poll()
        if code is not None:
            self.reported = True
            print(
                f'rbconfig: the server exited with status {code}; '
                'waiting for changes to restart it',
                file=sys.stderr,
                flush=True,
            )

    def stop(self, timeout: float = 10) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def restart(self) -> None:
        self.stop()
        time.sleep(0.05)
        self.start()
