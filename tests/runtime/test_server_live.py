"""``rbconfig run`` as a real process, over raw sockets: smuggling, time limits, 413, errors.

The in-process cases are in test_server_http.py; these check that the command
serves with the same server, that its time limits come from the spec's
``server`` settings and the command line, and what the generated app answers.
"""

from __future__ import annotations

import json
import select
import socket
from pathlib import Path

import pytest

from tests.helpers.server import ROOT, start_server

from .server_support import raw_exchange, read_until_closed

DEMOS = ROOT / 'apps' / 'demos' / 'demos.yaml'


def test_smuggled_request_is_refused_and_never_served() -> None:
    with start_server(DEMOS) as server:
        raw = raw_exchange(
            server.port,
            b'POST /demos/capitalize HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n'
            b'Transfer-Encoding: identity, chunked\r\n\r\n'
            b'0\r\n\r\nGET /demos/count HTTP/1.1\r\nHost: x\r\n\r\n',
        )
        # The access log has the 400 and nothing else: the GET hidden in the body was not run.
        output = server.wait_for_output(' 400 ')
        with socket.create_connection(('127.0.0.1', server.port), timeout=10) as sock:
            sock.sendall(b'GET /demos/count HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
            count = read_until_closed(sock).partition(b'\r\n\r\n')[2]
    assert raw.startswith(b'HTTP/1.1 400 Bad Request\r\n')
    assert b'\r\nConnection: close\r\n' in raw
    assert b'both Transfer-Encoding and Content-Length' in raw
    assert '/demos/count' not in output
    assert count == b'1'  # the counter's first visit: the smuggled GET never counted


def test_a_bad_chunk_reaches_the_client_in_its_own_terms() -> None:
    with (
        start_server(DEMOS) as server,
        socket.create_connection(('127.0.0.1', server.port), timeout=10) as sock,
    ):
        sock.sendall(
            b'POST /demos/capitalize HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\n'
            b'Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n'
        )
        with sock.makefile('rb') as file:
            assert file.readline() == b'HTTP/1.1 100 Continue\r\n'  # the app is reading the body
            file.readline()
            sock.sendall(b'z\r\nabc\r\n')
            raw = file.read()
    head, _, body = raw.partition(b'\r\n\r\n')
    assert head.startswith(b'HTTP/1.1 400 ')
    assert b'\r\nConnection: close' in head
    detail = json.loads(body)['detail']
    assert detail == (
        'The request body could not be read: '
        'a chunk size in the chunked body is not a hexadecimal number'
    )


def test_a_413_closes_the_connection_instead_of_reading_50_mb() -> None:
    """And lingers: closed with the upload's bytes unread, the kernel would reset the
    connection, and a client still sending would lose the 413."""
    with (
        start_server(DEMOS) as server,
        socket.create_connection(('127.0.0.1', server.port), timeout=10) as sock,
    ):
        sock.sendall(
            b'POST /demos/capitalize HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\n'
            b'Content-Length: 52428800\r\n\r\n' + b'x' * 4096
        )
        # The answer is there (not read yet); the client, a simple uploader, goes on
        # sending. Had the server closed without lingering, the kernel would have reset
        # the connection and this would fail (a broken pipe) before the answer is read.
        assert select.select([sock], [], [], 10)[0]
        sock.sendall(b'x' * 1_048_576)
        raw = read_until_closed(sock)
    assert raw.startswith(b'HTTP/1.1 413 ')
    assert b'\r\nConnection: close\r\n' in raw


@pytest.mark.parametrize('where', ['spec', 'command line', 'command line with --reload'])
def test_header_timeout_comes_from_the_spec_or_the_command_line(tmp_path: Path, where: str) -> None:
    spec = tmp_path / 'svc.yaml'
    text = 'rbconfig: 1\npaths:\n  hello:\n    url: /\n'
    args: tuple[str, ...] = ()
    if where == 'spec':
        text += 'server:\n  header_timeout: 0.3\n  idle_timeout: 60\n'
    else:
        text += 'server:\n  header_timeout: 60\n'
        args = ('--header-timeout', '0.3')
        if 'reload' in where:  # the watching parent hands the option to its server child
            args = ('--reload', *args)
    spec.write_text(text)
    with (
        start_server(spec, *args) as server,
        socket.create_connection(('127.0.0.1', server.port), timeout=10) as sock,
    ):
        sock.sendall(b'GET / HTTP/1.1\r\nHost: x\r\n')  # and never the end of the headers
        raw = read_until_closed(sock)
    assert raw.startswith(b'HTTP/1.1 408 Request Timeout\r\n')
    assert b'did not arrive within 0.3 s' in raw


def test_idle_timeout_on_the_command_line_closes_idle_connections(tmp_path: Path) -> None:
    spec = tmp_path / 'svc.yaml'
    spec.write_text('rbconfig: 1\npaths:\n  hello:\n    url: /\n')
    with (
        start_server(spec, '--idle-timeout', '0.3') as server,
        socket.create_connection(('127.0.0.1', server.port), timeout=10) as sock,
    ):
        sock.sendall(b'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
        raw = read_until_closed(sock)  # the answer, then the close
    assert raw.startswith(b'HTTP/1.1 200 OK\r\n')
    assert b'Connection: close' not in raw  # it was kept alive until it was idle


@pytest.mark.parametrize(
    ('settings', 'words'),
    [
        ('server:\n  header_timeout: 0\n', 'server.header_timeout'),
        ('server:\n  idle_timeout: soon\n', 'server.idle_timeout'),
        ('server:\n  idel_timeout: 3\n', "did you mean 'idle_timeout'"),
    ],
)
def test_bad_server_settings_are_spec_errors(
    tmp_path: Path, settings: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from rbconfig.cli import main

    spec = tmp_path / 'svc.yaml'
    spec.write_text('rbconfig: 1\n' + settings)
    assert main(['validate', str(spec)]) == 1
    said = capsys.readouterr()
    assert f'{spec}:3:' in said.out + said.err
    assert words in said.out + said.err


@pytest.mark.parametrize('value', ['0', '-1', 'soon', '90000'])
def test_bad_timeouts_on_the_command_line_are_usage_errors(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from rbconfig.cli import main

    with pytest.raises(SystemExit) as stopped:
        main(['run', str(DEMOS), '--idle-timeout', value])
    assert stopped.value.code == 2
    assert f'expected a number of seconds above 0 (at most 86400), got {value!r}' in (
        capsys.readouterr().err
    )
