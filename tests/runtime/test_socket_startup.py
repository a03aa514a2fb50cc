"""Socket handlers are checked at start-up: a clear error at the spec's line, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rbconfig.converters import loads
from rbconfig.errors import StartupError
from rbconfig.runtime.socket import mount
from rbconfig.runtime.socket.events import resolve_event
from tests.helpers.server import child_env

HANDLERS = """\
def good(ctx, data):
    return data

def no_args():
    pass

def three(ctx, auth, extra):
    pass

def keyword(ctx, data, *, needed):
    pass

def legacy_one(request):
    pass

def legacy_ok(globs, request, **params):
    pass

def star(*args):
    return args

class Callable:
    def __call__(self, ctx, data=None):
        return data

instance = Callable()
not_callable = 42
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / 'startup_handlers.py').write_text(HANDLERS)
    return tmp_path


def spec_text(namespace_body: str) -> str:
    return 'rbconfig: 1\nsockets:\n  /:\n' + namespace_body


def start(folder: Path, namespace_body: str) -> Any:
    document = loads(spec_text(namespace_body), 'yaml', str(folder / 'spec.yaml'))
    return mount(document, lambda environ, start_response: [], {})


def problem_of(folder: Path, namespace_body: str) -> tuple[int | None, str, str]:
    with pytest.raises(StartupError) as error:
        start(folder, namespace_body)
    problem = error.value.problems[0]
    return problem.line, problem.where, problem.message


@pytest.mark.parametrize(
    ('body', 'line', 'where', 'message'),
    [
        (
            '    events:\n      chat: python:startup_handlers.no_args\n',
            5,
            'sockets./.events.chat',
            "a 'chat' handler is called as (ctx, data); it takes no argument, not even ctx",
        ),
        (
            '    events:\n      connect: python:startup_handlers.three\n',
            5,
            'sockets./.events.connect',
            "a 'connect' handler is called as (ctx) or (ctx, auth); it requires 3 arguments",
        ),
        (
            '    events:\n      x: python:startup_handlers.keyword\n',
            5,
            'sockets./.events.x',
            'it has required keyword-only arguments (needed)',
        ),
        (
            '    use: python:startup_handlers.legacy_one\n',
            4,
            'sockets./.use',
            'a RedBarrel socket handler is called as (globs, request)',
        ),
        (
            '    events:\n      x: python:startup_handlers.not_callable\n',
            5,
            'sockets./.events.x',
            'python:startup_handlers.not_callable is not callable (it is int)',
        ),
        (
            '    events:\n      x: python:startup_handlers.missing\n',
            5,
            'sockets./.events.x',
            "'startup_handlers' has no attribute 'missing'",
        ),
    ],
)
def test_bad_handlers_stop_start_up(
    folder: Path, body: str, line: int, where: str, message: str
) -> None:
    found_line, found_where, found_message = problem_of(folder, body)
    assert (found_line, found_where) == (line, where)
    assert message in found_message


def test_good_shapes_are_accepted(folder: Path) -> None:
    app = start(
        folder,
        '    use: python:startup_handlers.legacy_ok\n'
        '    events:\n'
        '      a: python:startup_handlers.good\n'
        '      b: python:startup_handlers.star\n'
        '      c: python:startup_handlers.instance\n'
        '      connect: python:startup_handlers.star\n',
    )
    assert app.namespaces.server.handlers['/'].keys() >= {'a', 'b', 'c', 'connect', 'message'}


def test_handlers_get_what_their_signature_takes(folder: Path) -> None:
    document = loads(
        spec_text('    events:\n      a: python:x.y\n'), 'yaml', str(folder / 's.yaml')
    )
    star = resolve_event(document, ('x',), 'b', 'python:startup_handlers.star')
    assert star.call('ctx', 1, 2, 3) == ('ctx', 1, 2, 3)
    connect = resolve_event(document, ('x',), 'connect', 'python:startup_handlers.star')
    assert connect.call('ctx', 'auth') == ('ctx', 'auth')
    good = resolve_event(document, ('x',), 'a', 'python:startup_handlers.good')
    assert good.call('ctx') is None
    assert good.call('ctx', 1, 2) == 1
    instance = resolve_event(document, ('x',), 'a', 'python:startup_handlers.instance')
    assert instance.call('ctx', 'd') == 'd'


def test_rbconfig_run_prints_the_problem_without_a_traceback(folder: Path) -> None:
    spec = folder / 'spec.yaml'
    spec.write_text(spec_text('    events:\n      chat: python:startup_handlers.no_args\n'))
    done = subprocess.run(
        [sys.executable, '-m', 'rbconfig.cli', 'run', str(spec), '--port', '0'],
        capture_output=True,
        text=True,
        timeout=60,
        env=child_env(),
    )
    assert done.returncode == 1
    assert f'{spec}:5:' in done.stderr
    assert 'sockets./.events.chat: python:startup_handlers.no_args()' in done.stderr
    assert 'not even ctx' in done.stderr
    assert 'Traceback' not in done.stderr


@pytest.mark.parametrize('installed', ['5.11.4', '6.0.0'])
def test_an_untested_python_socketio_is_refused(
    folder: Path, monkeypatch: pytest.MonkeyPatch, installed: str
) -> None:
    """rbconfig overrides some of python-socketio's internals: only tested releases start."""
    from rbconfig.runtime.socket import adapter

    monkeypatch.setattr(adapter, 'version', lambda name: installed)
    _, where, message = problem_of(folder, '    events:\n      a: python:startup_handlers.good\n')
    assert where == 'sockets'
    assert f'python-socketio {installed} is installed' in message
    assert 'tested with 5.12 to 5.18' in message


def test_a_changed_private_method_is_refused(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A tested release number is not enough: the overridden methods must have their shape."""
    import socketio

    monkeypatch.setattr(socketio.Server, '_send_packet', lambda self, sid, packet, extra: None)
    _, where, message = problem_of(folder, '    events:\n      a: python:startup_handlers.good\n')
    assert where == 'sockets'
    assert 'Server._send_packet is not what rbconfig was tested with' in message


def test_a_changed_manager_emit_is_refused(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """FanOut takes over Manager.emit's broadcasts: its parameters must be the tested ones."""
    import socketio

    monkeypatch.setattr(socketio.Manager, 'emit', lambda self, event, data, namespace: None)
    _, where, message = problem_of(folder, '    events:\n      a: python:startup_handlers.good\n')
    assert where == 'sockets'
    assert 'Manager.emit is not what rbconfig was tested with' in message
