"""Serving a spec with a real ``gunicorn -k gevent`` process (both documented entry points)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers import ROOT, child_env, free_port

SPEC = """\
rbconfig: 1
meta: {title: Under gunicorn}
paths:
  hello:
    url: /hello
    use: python:greet_g.hello
  info:
    url: /pid
    use: python:greet_g.pid
"""

MODULE = """\
import os

def hello(globs, request):
    return 'Hello from gunicorn'

def pid(globs, request):
    import socket
    patched = socket.socket.__module__.startswith('gevent')
    return f'{os.getpid()} {patched}'
"""


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    (tmp_path / 'greet_g.py').write_text(MODULE)
    path = tmp_path / 'greet_g.yaml'
    path.write_text(SPEC)
    return path


@contextmanager
def gunicorn(
    app: str, *, env: dict[str, str] | None = None, workers: int = 2
) -> Iterator[tuple[str, Path]]:
    """Run ``gunicorn -k gevent APP`` on a free port; yields (url, log file)."""
    port = free_port()
    fd, name = tempfile.mkstemp(suffix='.log')
    log = Path(name)
    with os.fdopen(fd, 'wb') as out:
        process = subprocess.Popen(
            [sys.executable, '-m', 'gunicorn', '-k', 'gevent', '-w', str(workers),
             '--no-control-socket', '--graceful-timeout', '5', '-b', f'127.0.0.1:{port}', app],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=child_env(env), start_new_session=True,
        )  # fmt: skip
    url = f'http://127.0.0.1:{port}'
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, f'gunicorn exited:\n{log.read_text()}'
            try:
                urllib.request.urlopen(url + '/__doc__', timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, f'gunicorn did not serve:\n{log.read_text()}'
                time.sleep(0.1)
        yield url, log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.unlink(missing_ok=True)


def read(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read()


def test_gunicorn_serves_the_app_factory(spec: Path) -> None:
    with gunicorn(f'rbconfig.wsgi:app_factory({str(spec)!r})') as (url, _):
        assert read(url + '/hello') == b'Hello from gunicorn'
        assert json.loads(read(url + '/__openapi__.json'))['info']['title'] == 'Under gunicorn'
        # The gevent worker monkey-patched before loading the app.
        pid, patched = read(url + '/pid').decode().split()
        assert patched == 'True'
        assert int(pid) > 0


def test_gunicorn_serves_application_from_the_environment(spec: Path) -> None:
    env = {'RBCONFIG_SPEC': str(spec)}
    with gunicorn('rbconfig.wsgi:application', env=env) as (url, _):
        assert read(url + '/hello') == b'Hello from gunicorn'


def test_gunicorn_stops_with_the_problems_of_an_invalid_spec(tmp_path: Path) -> None:
    bad = tmp_path / 'bad.yaml'
    bad.write_text('rbconfig: 1\npaths:\n  x:\n    methd: GET\n')
    result = subprocess.run(
        [sys.executable, '-m', 'gunicorn', '-k', 'gevent', '--no-control-socket',
         '-b', f'127.0.0.1:{free_port()}', f'rbconfig.wsgi:app_factory({str(bad)!r})'],
        capture_output=True, text=True, env=child_env(), timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert f"{bad}:4:5: paths.x.methd: unknown key 'methd'" in result.stderr
    assert 'App failed to load' in result.stderr
    assert 'Traceback' not in result.stderr


def test_application_without_a_spec_says_what_to_set() -> None:
    result = subprocess.run(
        [sys.executable, '-m', 'gunicorn', '-k', 'gevent', '--no-control-socket',
         '-b', f'127.0.0.1:{free_port()}', 'rbconfig.wsgi:application'],
        capture_output=True, text=True, env=child_env({'RBCONFIG_SPEC': ''}), timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert 'needs the RBCONFIG_SPEC environment variable' in result.stderr


def test_gunicorn_gevent_worker_serves_socketio_over_websocket() -> None:
    """rbconfig's own WebSocket needs no special worker class (runtime-facts pitfall 2)."""
    import socketio

    chat = ROOT / 'apps' / 'chat' / 'chat.yaml'
    with gunicorn(f'rbconfig.wsgi:app_factory({str(chat)!r})', workers=1) as (url, _):
        client = socketio.Client(reconnection=False)
        client.connect(url, transports=['websocket'], wait_timeout=10)
        try:
            assert client.transport() == 'websocket'
        finally:
            client.disconnect()
