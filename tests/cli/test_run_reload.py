"""``rbconfig run --reload``: restarts on changes, survives a broken spec, stops cleanly."""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import eventually, start_server, write_spec

SPEC = """\
rbconfig: 1
meta:
  title: {title}
paths:
  hello:
    url: /hello
    use: python:greet.hello
"""


def fetch(url: str) -> tuple[int, bytes] | None:
    """(status, body), or None when nothing answers within a short time."""
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as ex:
        return ex.code, ex.read()
    except OSError:
        return None


def unavailable(url: str) -> dict[str, Any]:
    """The 503 problem answered at ``url`` once the broken app's child serves it."""
    found: list[dict[str, Any]] = []

    def check() -> bool:
        answer = fetch(url)
        if answer is not None and answer[0] == 503:
            found.append(json.loads(answer[1]))
        return bool(found)

    eventually(check, f'a 503 at {url}')
    assert found[0]['status'] == 503 and found[0]['title'] == 'Service Unavailable'
    return found[0]


def write(path: Path, text: str) -> None:
    # A new mtime even on coarse file systems, and an atomic-looking save.
    path.write_text(text)
    stamp = time.time() + 1
    os.utime(path, (stamp, stamp))


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    hello = "def hello(globs, request):\n    return 'one'\n"
    return write_spec(tmp_path, 'greet.yaml', SPEC.format(title='First'), {'greet': hello})


def test_reload_restarts_on_spec_and_module_changes(spec: Path) -> None:
    with start_server(spec, '--reload') as server:

        def page_has(text: bytes) -> Callable[[], bool]:
            def check() -> bool:
                answer = fetch(server.url + '/__doc__')
                return answer is not None and text in answer[1]

            return check

        eventually(page_has(b'First'), 'the first server')
        assert fetch(server.url + '/hello') == (200, b'one')

        write(spec, SPEC.format(title='Second'))
        eventually(page_has(b'Second'), 'a restart after the spec changed')
        assert 'greet.yaml changed; restarting' in server.output()

        write(spec.parent / 'greet.py', "def hello(globs, request):\n    return 'two'\n")
        eventually(lambda: fetch(server.url + '/hello') == (200, b'two'), 'the new module')

        # A broken spec: the error is shown, and every request gets it as a 503 problem
        # (issue 11.16: requests used to wait until the spec was fixed).
        write(spec, SPEC.format(title='Third') + '    methd: GET\n')
        server.wait_for_output("unknown key 'methd'")
        problem = unavailable(server.url + '/hello')
        assert problem['errors'][0]['file'] == str(spec)
        assert problem['errors'][0]['line'] == 8
        assert problem['errors'][0]['where'] == 'paths.hello.methd'
        assert server.returncode is None

        write(spec, SPEC.format(title='Fourth'))
        eventually(page_has(b'Fourth'), 'a restart after the spec was fixed')

        # A handler with a syntax error: the 503 names its file and line.
        write(spec.parent / 'greet.py', 'def hello(globs, request):\n    return (\n')
        problem = unavailable(server.url + '/__doc__')
        detail = problem['errors'][0]['detail']
        assert 'SyntaxError' in detail and f'{spec.parent / "greet.py"}:2' in detail, detail
        assert problem['errors'][0]['file'] == str(spec)  # the spec's line naming it, too
        write(spec.parent / 'greet.py', "def hello(globs, request):\n    return 'three'\n")
        eventually(lambda: fetch(server.url + '/hello') == (200, b'three'), 'the fixed module')

        code = server.stop()
        output = server.output()
    assert code == 0, output
    assert 'Traceback' not in output
    # The whole process group (parent and child) is gone.
    with pytest.raises(ProcessLookupError):
        os.killpg(server.pid, 0)


def test_reload_ignores_files_it_does_not_watch(spec: Path) -> None:
    with start_server(spec, '--reload') as server:
        eventually(lambda: fetch(server.url + '/hello') == (200, b'one'), 'the first server')
        write(spec.parent / 'notes.bin', 'x')
        (spec.parent / '__pycache__').mkdir(exist_ok=True)
        write(spec.parent / '__pycache__' / 'greet.py', 'x')
        # A watched change after them: its restart line names it alone.
        write(spec.parent / 'greet.py', "def hello(globs, request):\n    return 'two'\n")
        eventually(lambda: fetch(server.url + '/hello') == (200, b'two'), 'the new module')
        restarts = [line for line in server.output().splitlines() if 'restarting' in line]
        assert restarts == ['rbconfig: greet.py changed; restarting'], server.output()
        server.signal(signal.SIGINT)
        server.process.wait(10)
    assert server.returncode == 0


def test_a_burst_of_saves_restarts_once(spec: Path) -> None:
    with start_server(spec, '--reload') as server:
        eventually(lambda: fetch(server.url + '/hello') == (200, b'one'), 'the first server')
        for title in ('Burst-A', 'Burst-B', 'Burst-C'):
            write(spec, SPEC.format(title=title))
        eventually(
            lambda: b'Burst-C' in (fetch(server.url + '/__doc__') or (0, b''))[1], 'the last save'
        )
        # One more change, well after the burst: the restarts are the burst's and this one's.
        write(spec.parent / 'greet.py', "def hello(globs, request):\n    return 'two'\n")
        eventually(lambda: fetch(server.url + '/hello') == (200, b'two'), 'the new module')
        restarts = [line for line in server.output().splitlines() if 'restarting' in line]
        assert restarts == [
            'rbconfig: greet.yaml changed; restarting',
            'rbconfig: greet.py changed; restarting',
        ], server.output()
