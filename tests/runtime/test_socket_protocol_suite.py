"""The official Socket.IO protocol test suite, run against rbconfig: every test passes.

The suite (socketio/socket.io-protocol, test-suite/, MIT) is reference material
kept outside the repository, in ``shared/socketio-protocol/`` beside the
checkout (or where ``RBCONFIG_PROTOCOL_SUITE`` points). It is copied to a
temporary folder, given one fix to its own client there (``waitFor()`` loses a
frame when two arrive in one read, socketio/socket.io-protocol#32: messages
are buffered instead), pointed at a server of ``socket_specs/protocol.yaml``
and run with mocha. Without the suite this test is skipped, saying where it
looked; test_socket_protocol.py checks the same behaviours in any case.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers.server import ROOT, start_server

SPEC = Path(__file__).resolve().parent / 'socket_specs' / 'protocol.yaml'

#: Where the suite may be: the variable, then shared/ beside the checkout (or its parent).
PLACES = [
    Path(os.environ['RBCONFIG_PROTOCOL_SUITE'])
    if os.environ.get('RBCONFIG_PROTOCOL_SUITE')
    else None,
    ROOT.parent / 'shared' / 'socketio-protocol',
    ROOT.parent.parent / 'shared' / 'socketio-protocol',
]

#: The suite's waitFor(), and the same with "message" events buffered per socket.
WAIT_FOR = 'function waitFor(socket, eventType) {\n  return new Promise((resolve) => {'
BUFFERED_WAIT_FOR = """function waitFor(socket, eventType) {
  if (eventType === "message") {
    if (!socket.__queue) {
      socket.__queue = [];
      socket.__waiters = [];
      socket.addEventListener("message", (event) => {
        const waiter = socket.__waiters.shift();
        if (waiter) waiter(event);
        else socket.__queue.push(event);
      });
    }
    return new Promise((resolve) => {
      if (socket.__queue.length) resolve(socket.__queue.shift());
      else socket.__waiters.push(resolve);
    });
  }
  return new Promise((resolve) => {"""


def suite_folder() -> Path:
    for place in PLACES:
        if place is not None and (place / 'test-suite.js').is_file():
            return place
    pytest.skip(f'the protocol suite is not here: {", ".join(str(p) for p in PLACES if p)}')


def test_the_official_protocol_suite_passes(tmp_path: Path) -> None:
    if shutil.which('npm') is None:
        pytest.fail('npm is needed to run the protocol suite (make test installs it)')
    suite = tmp_path / 'suite'
    shutil.copytree(suite_folder(), suite, ignore=shutil.ignore_patterns('node_modules'))
    script = (suite / 'test-suite.js').read_text()
    assert WAIT_FOR in script, "the suite's waitFor() changed: review the client fix"
    (suite / 'test-suite.js').write_text(script.replace(WAIT_FOR, BUFFERED_WAIT_FOR))
    installed = subprocess.run(
        ['npm', 'ci', '--no-audit', '--no-fund', '--loglevel=error'],
        cwd=suite,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stderr
    with start_server(SPEC) as server:
        script = (suite / 'test-suite.js').read_text()
        (suite / 'test-suite.js').write_text(
            script.replace('"http://localhost:3000"', f'"http://127.0.0.1:{server.port}"')
        )
        done = subprocess.run(
            ['npx', 'mocha', '--exit', 'test-suite.js'],
            cwd=suite,
            capture_output=True,
            text=True,
            timeout=300,
        )
    report = done.stdout + done.stderr
    passing = re.search(r'(\d+) passing', report)
    assert passing is not None, report
    assert 'failing' not in report, report
    assert int(passing.group(1)) == 32, report
