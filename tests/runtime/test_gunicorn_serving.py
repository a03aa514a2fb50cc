"""Serving a spec with a real ``gunicorn -k gevent`` process (both documented entry points)."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ROOT, child_env, start_gunicorn, write_spec

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
    return write_spec(tmp_path, 'greet_g.yaml', SPEC, {'greet_g': MODULE})


def gunicorn(app: str, *, env: dict[str, str] | None = None, workers: int = 2) -> Any:
    """``gunicorn -k gevent APP`` with ``workers`` workers until the block ends; gives its URL."""
    return start_gunicorn(app, '-w', str(workers), '--graceful-timeout', '5', env=env)


def read(url: str) -> bytes:
    # 60 s: a hang guard only; a worker may still be loading the app when gunicorn listens
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read()


def test_gunicorn_serves_the_app_factory(spec: Path) -> None:
    with gunicorn(f'rbconfig.wsgi:app_factory({str(spec)!r})') as server:
        url = server.url
        assert read(url + '/hello') == b'Hello from gunicorn'
        assert json.loads(read(url + '/__openapi__.json'))['info']['title'] == 'Under gunicorn'
        # The gevent worker monkey-patched before loading the app.
        pid, patched = read(url + '/pid').decode().split()
        assert patched == 'True'
        assert int(pid) > 0


def test_gunicorn_serves_application_from_the_environment(spec: Path) -> None:
    env = {'RBCONFIG_SPEC': str(spec)}
    with gunicorn('rbconfig.wsgi:application', env=env) as server:
        url = server.url
        assert read(url + '/hello') == b'Hello from gunicorn'


def test_gunicorn_stops_with_the_problems_of_an_invalid_spec(tmp_path: Path) -> None:
    bad = tmp_path / 'bad.yaml'
    bad.write_text('rbconfig: 1\npaths:\n  x:\n    methd: GET\n')
    result = subprocess.run(
        [sys.executable, '-m', 'gunicorn', '-k', 'gevent', '--no-control-socket',
         '-b', '127.0.0.1:0', f'rbconfig.wsgi:app_factory({str(bad)!r})'],
        capture_output=True, text=True, env=child_env(), timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert f"{bad}:4:5: paths.x.methd: unknown key 'methd'" in result.stderr
    assert 'App failed to load' in result.stderr
    assert 'Traceback' not in result.stderr


def test_gunicorn_says_the_spec_server_settings_do_not_apply(tmp_path: Path) -> None:
    spec = write_spec(
        tmp_path, 'timed.yaml', SPEC + 'server:\n  idle_timeout: 5\n', {'greet_g': MODULE}
    )
    with gunicorn(f'rbconfig.wsgi:app_factory({str(spec)!r})', workers=1) as server:
        assert read(server.url + '/hello') == b'Hello from gunicorn'  # the app is loaded
        output = server.output()
    assert f"{spec}:10:1: warning: server: these settings apply to 'rbconfig run' only" in output
    assert '--keep-alive' in output


def test_application_without_a_spec_says_what_to_set() -> None:
    result = subprocess.run(
        [sys.executable, '-m', 'gunicorn', '-k', 'gevent', '--no-control-socket',
         '-b', '127.0.0.1:0', 'rbconfig.wsgi:application'],
        capture_output=True, text=True, env=child_env({'RBCONFIG_SPEC': ''}), timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert 'needs the RBCONFIG_SPEC environment variable' in result.stderr


def test_gunicorn_gevent_worker_serves_socketio_over_websocket() -> None:
    """rbconfig's own WebSocket needs no special worker class (runtime-facts pitfall 2)."""
    import socketio

    chat = ROOT / 'apps' / 'chat' / 'chat.yaml'
    with gunicorn(f'rbconfig.wsgi:app_factory({str(chat)!r})', workers=1) as server:
        url = server.url
        client = socketio.Client(reconnection=False)
        client.connect(url, transports=['websocket'], wait_timeout=10)
        try:
            assert client.transport() == 'websocket'
        finally:
            client.disconnect()
